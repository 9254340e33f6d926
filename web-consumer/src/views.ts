import { type ApiData, idempotent } from '@alliance/web-shared';
import type { Navigator } from '@solidjs/router';
import { api } from './session';

/** The ad view in progress, shared by the task list and the player. */
export type AdView = ApiData<'post', '/v1/ad-views'> & {
  /** Last position this browser reported, for the per-video bar on the task list and resuming. */
  position?: number;
  /** Last progress report the server accepted: a resumed player continues the sequence. */
  seq?: number;
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

/** Ask the server for the next campaign and open the player; a refusal comes back for the caller to word. */
export async function startNextView(navigate: Navigator): Promise<unknown> {
  try {
    const view = await api.post('/v1/ad-views', { params: { header: idempotent() } });
    saveView(view);
    navigate(`/watch/${view.id}`);
    return null;
  } catch (err) {
    return err;
  }
}
