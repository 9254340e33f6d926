import { formatPoints } from '@alliance/web-shared';
import { type RouteSectionProps, useLocation, useParams } from '@solidjs/router';
import {
  createContext,
  createEffect,
  createResource,
  type JSX,
  on,
  onCleanup,
  type Resource,
  Show,
  useContext,
} from 'solid-js';
import { api, type Merchant } from '../api';
import { Badge, ErrorNote, Link, PageHeader } from '../components/ui';
import { t } from '../i18n';
import { me, refetchMe } from '../session';
import { SuspendedBanner } from './SuspendedBanner';

interface MerchantContext {
  id: string;
  merchant: Resource<Merchant>;
  refetch: () => void;
  /** Suspended by an operator: new business (sales, listings, top-ups) waits (ADR 0017). */
  suspended: () => boolean;
}
const Ctx = createContext<MerchantContext>();
export const useMerchant = () => useContext(Ctx)!;

/** Beside an action that a suspension stops: why its button is greyed out. */
export function PausedWhileSuspended() {
  const { suspended } = useMerchant();
  return (
    <Show when={suspended()}>
      <p class="muted" data-testid="paused-while-suspended">
        {t('suspended.actionPaused')}
      </p>
    </Show>
  );
}

/**
 * The layout route of /merchants/:id. Keyed by id: switching workspace remounts the area and
 * its page, so nothing of the previous merchant lingers.
 */
export function MerchantArea(props: RouteSectionProps) {
  const params = useParams<{ id: string }>();
  return (
    <Show when={params.id} keyed>
      {(id) => <Workspace id={id}>{props.children}</Workspace>}
    </Show>
  );
}

/** One merchant's workspace: loads the merchant once, shows the low-balance banner on every page. */
function Workspace(props: { id: string; children: JSX.Element }) {
  const [merchant, { refetch }] = createResource(() => props.id, api.merchant);
  const location = useLocation();
  // Balances and rates change behind the page (sales, top-ups, operators): re-read on every page change.
  createEffect(
    on(
      () => location.pathname,
      () => refetch(),
      { defer: true },
    ),
  );
  // While an application waits, look again now and then so the approval shows without a reload.
  const timer = setInterval(() => {
    if (merchant()?.status === 'pending') refetch();
  }, 5000);
  onCleanup(() => clearInterval(timer));
  // The header's membership badge comes from /v1/me: refresh it when the status moved on.
  createEffect(() => {
    const status = merchant()?.status;
    const known = me()?.merchants.find((m) => m.id === props.id)?.status;
    if (status && known && status !== known) refetchMe();
  });
  // New paid online orders since the workspace opened: a notice on every page until opened.
  const openedAt = Date.now();
  const [orders, { refetch: refetchOrders }] = createResource(() => props.id, api.merchantOrders);
  const orderTimer = setInterval(() => {
    if (merchant()?.status === 'active') refetchOrders();
  }, 20_000);
  onCleanup(() => clearInterval(orderTimer));
  const newOrders = () =>
    location.pathname.endsWith('/orders')
      ? 0
      : (orders()?.data ?? []).filter((o) => o.paidAt && Date.parse(o.paidAt) > openedAt).length;
  return (
    <Ctx.Provider
      value={{ id: props.id, merchant, refetch, suspended: () => merchant()?.status === 'suspended' }}
    >
      <Show when={newOrders() > 0}>
        <div class="banner banner-ok" data-testid="new-order" role="status">
          <strong>{t('merchant.newOrderTitle')}</strong>
          <span>{t('merchant.newOrderBody', { n: newOrders() })}</span>
          <Link to={`/merchants/${props.id}/orders`} class="btn btn-primary btn-small">
            {t('merchant.newOrderOpen')}
          </Link>
        </div>
      </Show>
      <Show when={!merchant.error} fallback={<ErrorNote error={merchant.error} />}>
        <Show when={merchant()} fallback={<div class="skeleton" />}>
          {(m) => (
            <Show
              when={m().status === 'active' || m().status === 'suspended'}
              fallback={<ApplicationStatus merchant={m()} />}
            >
              <Show when={m().status === 'suspended'}>
                <SuspendedBanner kind="merchant" reason={m().suspensionReason} />
              </Show>
              <Show when={m().status === 'active' && m().lowBalance}>
                <div class="banner banner-warn" data-testid="low-balance" role="status">
                  <strong>{t('merchant.lowBalanceTitle')}</strong>
                  <span>{t('merchant.lowBalanceBody', { points: formatPoints(m().adPoints) })}</span>
                  <Link to={`/merchants/${props.id}/topups`} class="btn btn-primary btn-small">
                    {t('merchant.topUpNow')}
                  </Link>
                </div>
              </Show>
              {props.children}
            </Show>
          )}
        </Show>
      </Show>
    </Ctx.Provider>
  );
}

/** Before approval every page shows where the application stands. */
function ApplicationStatus(props: { merchant: Merchant }) {
  return (
    <div class="page">
      <PageHeader title={props.merchant.name} subtitle={t('merchant.applicationTitle')} />
      <div class="card status-card" data-testid="application-status">
        <div class={`status-icon status-${props.merchant.status}`}>
          {props.merchant.status === 'rejected' ? '!' : '…'}
        </div>
        <div>
          <h2>
            <Badge status={props.merchant.status} />{' '}
            {props.merchant.status === 'rejected' ? t('merchant.rejectedTitle') : t('merchant.pendingTitle')}
          </h2>
          <Show
            when={props.merchant.status === 'rejected'}
            fallback={<p class="muted">{t('merchant.pendingBody')}</p>}
          >
            <p>
              {t('merchant.rejectedReason')}
              <strong data-testid="rejection-reason">{props.merchant.rejectionReason ?? '—'}</strong>
            </p>
            <Link to="/apply" class="btn btn-outline btn-small">
              {t('merchant.applyAgain')}
            </Link>
          </Show>
        </div>
      </div>
    </div>
  );
}
