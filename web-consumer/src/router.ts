import { createSignal } from 'solid-js';

/** A tiny history router: the server answers index.html for every path, so real paths work on reload. */
const current = () => `${location.pathname}${location.search}`;
const [location_, setLocation] = createSignal(current());

window.addEventListener('popstate', () => setLocation(current()));

export const path = () => location_().split('?')[0] ?? '/';
export const query = (name: string) => new URLSearchParams(location_().split('?')[1] ?? '').get(name);

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === current()) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  setLocation(current());
  window.scrollTo(0, 0);
}

/** `match('/shop/:id')` → { id } for the current path, or null. */
export function match(pattern: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path().split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

/** Anchor click handler that routes in-app instead of reloading. */
export function link(to: string) {
  return (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
}
