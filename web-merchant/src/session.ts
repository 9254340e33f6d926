import { createApiClient, createAuthStore } from '@alliance/web-shared';
import { createResource } from 'solid-js';

/** The back office keeps its own session, so a phone signed in to the consumer app is not affected. */
export const auth = createAuthStore('alliance.biz.session');
export const client = createApiClient({ getToken: auth.token, onUnauthorized: auth.signOut });

/** GET /v1/me for the signed-in user: roles and memberships drive the navigation. */
const [me, { refetch: refetchMe }] = createResource(
  () => auth.token(),
  () => client.get('/v1/me'),
);

export { me, refetchMe };
export const isOperator = () => me()?.user.roles.includes('operator') ?? false;
