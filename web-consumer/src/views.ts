import { type ApiData, idempotent } from '@alliance/web-shared';
import type { Navigator } from '@solidjs/router';
import { i18n } from './i18n';
import { api } from './session';

/** The ad view in progress, shared by the task list and the player. */
export type AdView = ApiData<'post', '/v1/ad-views'> & {
  /** Last position this browser reported, for the per-video bar on the task list. */
  position?: number;
};

const VIEW_KEY = 'alliance.consumer.view';

/** The view in progress lives in sessionStorage: its token must survive a reload of the player, not the tab. */
export function savedView(): AdView | null {
  try {
    return JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? 'null') as AdView | null;
  } catch {
    return null;
  }
}
export const saveView = (view: AdView | null) =>
  view ? sessionStorage.setItem(VIEW_KEY, JSON.stringify(view)) : sessionStorage.removeItem(VIEW_KEY);

/** Ask the server for the next campaign and open the player. Errors come back in plain words. */
export async function startNextView(navigate: Navigator): Promise<string | null> {
  try {
    const view = await api.post('/v1/ad-views', { params: { header: idempotent() } });
    saveView(view);
    navigate(`/watch/${view.id}`);
    return null;
  } catch (err) {
    return i18n.errorText(err);
  }
}
