import { formatPoints, LangSwitch } from '@alliance/web-shared';
import { useLocation, useNavigate } from '@solidjs/router';
import QRCode from 'qrcode';
import { createEffect, createResource, type JSX, Match, on, type Resource, Show, Switch } from 'solid-js';
import { i18n, type Key, t } from './i18n';
import { api } from './session';

/** The red header every page has: optional back arrow, title, language switch. */
export function Header(props: { title: string; back?: string; onBack?: () => void; right?: JSX.Element }) {
  const navigate = useNavigate();
  return (
    <header class="topbar">
      <div class="topbar-side">
        <Show when={props.back || props.onBack}>
          <button
            type="button"
            class="back"
            aria-label={t('common.back')}
            onClick={() => (props.onBack ? props.onBack() : navigate(props.back!))}
          >
            ‹
          </button>
        </Show>
      </div>
      <h1 class="topbar-title">{props.title}</h1>
      <div class="topbar-side right">
        {props.right}
        <LangSwitch i18n={i18n} />
      </div>
    </header>
  );
}

/** 24×24 outline icons (SVG path data) for the tab bar. */
const ICONS = {
  home: 'M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z',
  shop: 'M4 9h16l-1.2-4.2A1 1 0 0 0 17.8 4H6.2a1 1 0 0 0-1 .8zM4 9v10a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1V9M9 20v-6h6v6',
  tasks: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM10 8.5v7l5.5-3.5z',
  orders: 'M6 3h12a1 1 0 0 1 1 1v17l-3-2-2 2-2-2-2 2-2-2-3 2V4a1 1 0 0 1 1-1zM9 8h6M9 12h6',
  me: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
} as const;

const TABS: Array<{ to: string; key: Key; icon: keyof typeof ICONS; also?: string[] }> = [
  { to: '/', key: 'tab.home', icon: 'home' },
  { to: '/merchants', key: 'tab.merchants', icon: 'shop', also: ['/shop', '/cart'] },
  { to: '/tasks', key: 'tab.tasks', icon: 'tasks', also: ['/watch'] },
  { to: '/orders', key: 'tab.orders', icon: 'orders' },
  { to: '/me', key: 'tab.me', icon: 'me', also: ['/history'] },
];

export function TabBar() {
  const location = useLocation();
  const path = () => location.pathname;
  // Whole path segments: '/merchants' is not under '/me'.
  const under = (prefix: string) => path() === prefix || path().startsWith(`${prefix}/`);
  const active = (tab: (typeof TABS)[number]) =>
    tab.to === '/' ? path() === '/' : under(tab.to) || (tab.also ?? []).some(under);
  return (
    <nav class="tabbar" data-testid="tabbar">
      {TABS.map((tab) => (
        <a href={tab.to} class="tab" classList={{ active: active(tab) }}>
          <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
            <path d={ICONS[tab.icon]} />
          </svg>
          <span>{t(tab.key)}</span>
        </a>
      ))}
    </nav>
  );
}

/** Loading, error (with retry) or the content of a resource. */
export function Loaded<T>(props: {
  resource: Resource<T>;
  retry?: () => void;
  children: (value: T) => JSX.Element;
}) {
  return (
    <Switch>
      <Match when={props.resource.error}>
        <div class="card">
          <p class="error-text" role="alert">
            {i18n.errorText(props.resource.error)}
          </p>
          <Show when={props.retry}>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => props.retry!()}>
              {t('common.retry')}
            </button>
          </Show>
        </div>
      </Match>
      <Match when={props.resource.loading && props.resource() === undefined}>
        <div class="empty">{t('common.loading')}</div>
      </Match>
      <Match when={props.resource() !== undefined}>{props.children(props.resource() as T)}</Match>
    </Switch>
  );
}

/** The member code as a QR code on a canvas (error correction M: survives a scratched phone screen). */
export function MemberQr(props: { code: string; size?: number }) {
  let canvas!: HTMLCanvasElement;
  createEffect(
    on(
      () => props.code,
      (code) => {
        void QRCode.toCanvas(canvas, code, {
          width: props.size ?? 200,
          margin: 1,
          errorCorrectionLevel: 'M',
          color: { dark: '#1f2329', light: '#ffffff' },
        });
      },
    ),
  );
  return <canvas ref={canvas} class="qr" data-testid="member-qr" aria-label={props.code} />;
}

export function ProgressBar(props: { value: number; max: number; testid?: string }) {
  // Integer percent for the bar width; display only, never a balance.
  const pct = () => (props.max <= 0 ? 0 : Math.min(100, Math.round((props.value * 100) / props.max)));
  return (
    <div
      class="progress"
      data-testid={props.testid}
      role="progressbar"
      aria-valuenow={props.value}
      aria-valuemax={props.max}
    >
      <span style={{ width: `${pct()}%` }} />
    </div>
  );
}

/** Status pill for orders and shipments; unknown statuses show as-is. */
export function StatusBadge(props: { status: string }) {
  const key = () => `status.${props.status}`;
  const tone = () =>
    ['paid', 'shipped', 'delivered', 'completed'].includes(props.status)
      ? 'badge-ok'
      : ['cancelled', 'expired', 'refunded'].includes(props.status)
        ? 'badge-danger'
        : 'badge-warn';
  return (
    <span class={`badge ${tone()}`} data-testid="status">
      {i18n.has(key()) ? t(key() as Key) : t('status.other')}
    </span>
  );
}

/**
 * What this purchase earns, asked of the server before paying (the rounding and the "can the
 * merchant cover the charge" rule live there): the vouchers, or that they are paused.
 */
export function VoucherQuote(props: { merchantId: string; amountFen: number }) {
  const [quote] = createResource(
    () => (props.amountFen > 0 ? { id: props.merchantId, amount: props.amountFen } : null),
    ({ id, amount }) =>
      api.get('/v1/merchants/{id}/voucher-quote', {
        params: { path: { id }, query: { amount } },
      }),
  );
  return (
    <Show when={quote.latest}>
      {(q) => (
        <p
          class={`notice quote ${q().vouchersPaused ? '' : 'notice-ok'}`}
          data-testid="voucher-quote"
          data-paused={q().vouchersPaused ? 'yes' : 'no'}
        >
          {q().vouchersPaused ? t('quote.paused') : t('quote.earn', { vouchers: formatPoints(q().vouchers) })}
        </p>
      )}
    </Show>
  );
}
