import { createSignal } from 'solid-js';

/** The back office lives under /biz/ (api/node.ts serves index.html for every path below it). */
export const BASE = '/biz';

const strip = (pathname: string) => pathname.slice(BASE.length).replace(/\/+$/, '') || '/';
const [path, setPath] = createSignal(strip(location.pathname));
const [search, setSearch] = createSignal(location.search);

window.addEventListener('popstate', () => {
  setPath(strip(location.pathname));
  setSearch(location.search);
});

export { path };
export const query = () => new URLSearchParams(search());

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const url = new URL(BASE + to, location.origin);
  history[opts.replace ? 'replaceState' : 'pushState'](null, '', url);
  setPath(strip(url.pathname));
  setSearch(url.search);
  window.scrollTo(0, 0);
}

/** Matches '/m/:id/topups' against the current path; returns the params or null. */
export function match(pattern: string, current = path()): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const c = current.split('/').filter(Boolean);
  if (p.length !== c.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(c[i]!);
    else if (seg !== c[i]) return null;
  }
  return params;
}

export const href = (to: string) => BASE + to;
