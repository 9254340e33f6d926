import { LangSwitch, maskPhone } from '@alliance/web-shared';
import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createMemo, For, type JSX, on, Show } from 'solid-js';
import type { Membership } from '../api';
import { BASE } from '../base';
import { i18n, type Key, t } from '../i18n';
import { auth, isOperator, me } from '../session';
import { Icon } from './icons';
import { Badge, Link } from './ui';

interface NavItem {
  to: string;
  label: Key;
  icon: string;
}

const merchantNav = (id: string): NavItem[] => [
  { to: `/merchants/${id}`, label: 'nav.dashboard', icon: 'dashboard' },
  { to: `/merchants/${id}/topups`, label: 'nav.topups', icon: 'wallet' },
  { to: `/merchants/${id}/points`, label: 'nav.points', icon: 'history' },
  { to: `/merchants/${id}/eco-points`, label: 'nav.ecoPoints', icon: 'coins' },
  { to: `/merchants/${id}/sales`, label: 'nav.sales', icon: 'sale' },
  { to: `/merchants/${id}/products`, label: 'nav.products', icon: 'box' },
  { to: `/merchants/${id}/supply`, label: 'nav.supply', icon: 'truck' },
  { to: `/merchants/${id}/orders`, label: 'nav.orders', icon: 'cart' },
  { to: `/merchants/${id}/statement`, label: 'nav.statement', icon: 'file' },
  { to: `/merchants/${id}/payouts`, label: 'nav.payables', icon: 'coins' },
  { to: `/merchants/${id}/staff`, label: 'nav.staff', icon: 'staff' },
];
const supplierNav = (id: string): NavItem[] => [
  { to: `/suppliers/${id}`, label: 'nav.catalog', icon: 'box' },
  { to: `/suppliers/${id}/to-ship`, label: 'nav.toShip', icon: 'ship' },
  { to: `/suppliers/${id}/shipped`, label: 'nav.shipped', icon: 'truck' },
  { to: `/suppliers/${id}/payouts`, label: 'nav.payables', icon: 'coins' },
];
const operatorNav: NavItem[] = [
  { to: '/platform', label: 'nav.reconciliation', icon: 'dashboard' },
  { to: '/platform/applications', label: 'nav.applications', icon: 'check' },
  { to: '/platform/organisations', label: 'nav.organisations', icon: 'staff' },
  { to: '/platform/parameters', label: 'nav.parameters', icon: 'sliders' },
  { to: '/platform/adjustments', label: 'nav.adjustments', icon: 'coins' },
  { to: '/platform/campaigns', label: 'nav.campaigns', icon: 'video' },
  { to: '/platform/refusals', label: 'nav.refusals', icon: 'ban' },
  { to: '/platform/ledger', label: 'nav.ledger', icon: 'shield' },
  { to: '/platform/stripe', label: 'nav.stripe', icon: 'alert' },
  { to: '/platform/payouts', label: 'nav.payouts', icon: 'coins' },
  { to: '/platform/withdrawals', label: 'nav.withdrawals', icon: 'wallet' },
];

/** Which workspace a path (below the base) is in: one merchant, one supplier, or the platform. */
function areaOf(p: string) {
  const m = /^\/merchants\/([^/]+)/.exec(p);
  if (m) return { kind: 'merchant' as const, id: decodeURIComponent(m[1]!) };
  const s = /^\/suppliers\/([^/]+)/.exec(p);
  if (s) return { kind: 'supplier' as const, id: decodeURIComponent(s[1]!) };
  if (p === '/platform' || p.startsWith('/platform/')) return { kind: 'operator' as const, id: '' };
  return null;
}

/** The current path below the back office's base: /biz/merchants/x → /merchants/x. */
export function usePath() {
  const location = useLocation();
  return () => location.pathname.slice(BASE.length).replace(/\/+$/, '') || '/';
}

/** Sidebar, top bar and the page: the frame of every signed-in page. */
export function Shell(props: { children?: JSX.Element }) {
  const path = usePath();
  const navigate = useNavigate();
  const area = createMemo(() => areaOf(path()));
  const membership = createMemo((): Membership | undefined => {
    const a = area();
    const m = me();
    if (!a || !m) return undefined;
    if (a.kind === 'merchant') return m.merchants.find((x) => x.id === a.id);
    if (a.kind === 'supplier') return m.suppliers.find((x) => x.id === a.id);
    return undefined;
  });
  const nav = createMemo((): NavItem[] => {
    const a = area();
    if (!a) return [];
    if (a.kind === 'merchant') return merchantNav(a.id);
    if (a.kind === 'supplier') return supplierNav(a.id);
    return isOperator() ? operatorNav : [];
  });
  // The deepest nav entry the path lies under: /merchants/x/topups/tp_1 lights up "top-ups".
  const activeNav = createMemo(() => {
    const p = path();
    const hits = nav().filter((i) => p === i.to || p.startsWith(`${i.to}/`));
    return hits.sort((a, b) => b.to.length - a.to.length)[0]?.to;
  });
  // On a narrow screen the nav is a strip of tabs wider than the screen: keep the current page's
  // tab in view (centred), so "online orders" is not hidden past the edge while it is open.
  let navEl: HTMLElement | undefined;
  createEffect(
    on(activeNav, () =>
      requestAnimationFrame(() => {
        const strip = navEl?.closest<HTMLElement>('.sidebar');
        const tab = navEl?.querySelector<HTMLElement>('.nav-item.active');
        if (!strip || !tab || strip.scrollWidth <= strip.clientWidth) return;
        const s = strip.getBoundingClientRect();
        const r = tab.getBoundingClientRect();
        strip.scrollLeft += r.left - s.left - (s.width - r.width) / 2;
      }),
    ),
  );
  const areaLabel = () => {
    const a = area();
    if (!a) return t('area.none');
    return t(
      a.kind === 'merchant' ? 'area.merchant' : a.kind === 'supplier' ? 'area.supplier' : 'area.operator',
    );
  };

  return (
    <div class="shell">
      <aside class="sidebar">
        <Link to="/" class="brand">
          <span class="brand-mark">盟</span>
          <span class="brand-text">
            <strong>{t('app.name')}</strong>
            <small>{t('app.tagline')}</small>
          </span>
        </Link>
        <Show when={area()}>
          <div class="nav-group-label">{areaLabel()}</div>
        </Show>
        <nav class="nav" data-testid="sidebar-nav" ref={navEl}>
          <For each={nav()}>
            {(item) => (
              <Link to={item.to} class={`nav-item ${activeNav() === item.to ? 'active' : ''}`}>
                <Icon name={item.icon} />
                <span>{t(item.label)}</span>
              </Link>
            )}
          </For>
        </nav>
        <div class="sidebar-foot">
          <Link to="/apply" class="nav-item subtle">
            <Icon name="plus" />
            <span>{t('nav.apply')}</span>
          </Link>
        </div>
      </aside>
      <div class="main">
        <header class="topbar">
          <WorkspaceSwitcher current={area()} />
          <Show when={membership()}>
            {(m) => (
              <span class="topbar-status">
                <Badge status={m().status} />
              </span>
            )}
          </Show>
          <div class="topbar-spacer" />
          <LangSwitch i18n={i18n} />
          <span class="user-chip">
            <span class="avatar">{me()?.user.phone.slice(-2)}</span>
            <span class="user-phone">{maskPhone(me()?.user.phone ?? '')}</span>
          </span>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            data-testid="sign-out"
            aria-label={t('common.signOut')}
            onClick={() => {
              auth.signOut();
              navigate('/', { replace: true });
            }}
          >
            <Icon name="logout" size={16} />
            <span class="signout-label">{t('common.signOut')}</span>
          </button>
        </header>
        <main class="content">{props.children}</main>
      </div>
    </div>
  );
}

/** The header's workspace picker: every merchant and supplier the user belongs to, and the platform. */
function WorkspaceSwitcher(props: { current: ReturnType<typeof areaOf> }) {
  const navigate = useNavigate();
  const value = () => {
    const c = props.current;
    if (!c) return '';
    return c.kind === 'operator'
      ? '/platform'
      : `/${c.kind === 'merchant' ? 'merchants' : 'suppliers'}/${c.id}`;
  };
  const options = createMemo(() => {
    const m = me();
    if (!m) return [] as Array<{ to: string; label: string; group: string }>;
    const list: Array<{ to: string; label: string; group: string }> = [];
    if (m.user.roles.includes('operator'))
      list.push({ to: '/platform', label: t('area.platform'), group: t('area.operator') });
    for (const x of m.merchants)
      list.push({ to: `/merchants/${x.id}`, label: x.name, group: t('area.merchant') });
    for (const x of m.suppliers)
      list.push({ to: `/suppliers/${x.id}`, label: x.name, group: t('area.supplier') });
    return list;
  });
  return (
    <div class="switcher">
      <Icon
        name={
          props.current?.kind === 'supplier'
            ? 'factory'
            : props.current?.kind === 'operator'
              ? 'platform'
              : 'store'
        }
        size={20}
      />
      <Show when={options().length > 0} fallback={<strong>{t('area.none')}</strong>}>
        <select
          class="switcher-select"
          data-testid="workspace"
          value={value()}
          onChange={(e) => navigate(e.currentTarget.value)}
          aria-label={t('area.switch')}
        >
          <Show when={!props.current}>
            <option value="">{t('area.choose')}</option>
          </Show>
          <For each={options()}>
            {(o) => (
              <option value={o.to}>
                {o.group} · {o.label}
              </option>
            )}
          </For>
        </select>
      </Show>
    </div>
  );
}

export function NotFound() {
  return (
    <div class="card notfound">
      <h2>{t('notFound.title')}</h2>
      <p class="muted">{t('notFound.body')}</p>
      <Link to="/" class="btn btn-primary">
        {t('notFound.home')}
      </Link>
    </div>
  );
}
