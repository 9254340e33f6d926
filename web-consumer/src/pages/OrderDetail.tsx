import { formatFen, formatPoints, rows } from '@alliance/web-shared';
import { useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { cart, clearCart } from '../cart';
import { Header, Loaded, StatusBadge } from '../components';
import { i18n, t } from '../i18n';
import { api, type Shipment, useMerchantNames } from '../session';

export function OrderDetail(props: { orderId: string }) {
  const [order, { refetch }] = createResource(
    () => props.orderId,
    (id) => api.get('/v1/orders/{id}', { params: { path: { id } } }),
  );
  const [fulfillments, { refetch: refetchShipments }] = createResource(
    () => props.orderId,
    async (orderId) =>
      rows(await api.get('/v1/orders/{orderId}/fulfillments', { params: { path: { orderId } } })),
  );
  const merchantName = useMerchantNames();
  // Back from the checkout page: the payment webhook may land a moment after the redirect.
  const [search] = useSearchParams<{ checkout?: string }>();
  const checkout = search.checkout;
  let polls = 0;
  const poll = setInterval(() => {
    const o = order();
    if (checkout !== 'success' || polls++ > 15 || (o && o.status !== 'pending_payment')) clearInterval(poll);
    else void refetch();
  }, 1000);
  onCleanup(() => clearInterval(poll));
  // A paid order reads as its shipments' progress: shipped once one is, delivered once all are.
  const shownStatus = (status: string) => {
    const list = fulfillments() ?? [];
    if (status !== 'paid' || list.length === 0) return status;
    if (list.every((f) => f.status === 'delivered')) return 'delivered';
    return list.some((f) => f.status === 'shipped' || f.status === 'delivered') ? 'shipped' : status;
  };
  // The cart was kept through the checkout page (Cancel keeps it); a paid order empties it.
  createEffect(() => {
    const o = order();
    if (checkout === 'success' && o && o.status === 'paid' && cart()?.merchantId === o.merchantId)
      clearCart();
  });
  const [confirmError, setConfirmError] = createSignal<string | null>(null);
  // Cancelling asks once more: it cannot be undone.
  const [askingCancel, setAskingCancel] = createSignal(false);
  const [cancelError, setCancelError] = createSignal<string | null>(null);

  const cancelOrder = async () => {
    setCancelError(null);
    try {
      await api.post('/v1/orders/{id}/cancel', { params: { path: { id: props.orderId } } });
      setAskingCancel(false);
      void refetch();
    } catch (err) {
      setCancelError(i18n.errorText(err));
      void refetch();
    }
  };

  const confirmDelivery = async (s: Shipment) => {
    setConfirmError(null);
    try {
      await api.post('/v1/orders/{orderId}/fulfillments/{id}/confirm-delivery', {
        params: { path: { orderId: props.orderId, id: s.id } },
      });
      void refetchShipments();
      void refetch();
    } catch (err) {
      setConfirmError(i18n.errorText(err));
    }
  };

  return (
    <>
      <Header title={t('order.title')} back="/orders" />
      <main class="page">
        <Loaded resource={order} retry={refetch}>
          {(o) => (
            <>
              <Show when={checkout === 'success' && o.status !== 'pending_payment'}>
                <p class="notice notice-ok" data-testid="paid-banner">
                  {t('order.paidBanner')}
                </p>
              </Show>
              <Show when={checkout === 'success' && o.status === 'pending_payment'}>
                <p class="notice">{t('order.confirmingPayment')}</p>
              </Show>
              <Show when={checkout === 'cancelled' && o.status === 'pending_payment'}>
                <p class="notice notice-danger">{t('order.paymentCancelled')}</p>
              </Show>
              <Show when={o.status === 'cancelled'}>
                <p class="notice" data-testid="cancelled-notice">
                  {o.ecoPoints > 0
                    ? t('order.cancelledEco', { points: formatPoints(o.ecoPoints) })
                    : t('order.cancelled')}
                </p>
              </Show>
              <section class="card" data-testid="order-detail">
                <div class="card-title">
                  {merchantName(o)}
                  <StatusBadge status={shownStatus(o.status)} />
                </div>
                <ul class="list">
                  <For each={o.items}>
                    {(item) => (
                      <li>
                        <span class="grow">{item.title}</span>
                        <span class="muted num">×{item.quantity}</span>
                        <span class="num">{formatFen(item.unitPrice)}</span>
                      </li>
                    )}
                  </For>
                </ul>
                <div class="spread total">
                  <span>
                    {o.status === 'pending_payment'
                      ? t('order.amountDue')
                      : o.paidAt
                        ? t('order.amount')
                        : t('order.total')}
                  </span>
                  <span class="price num">{formatFen(o.amount)}</span>
                </div>
                <Show when={o.ecoPoints > 0}>
                  <div class="spread muted" data-testid="order-eco">
                    <span>{t('order.ecoPart', { points: formatPoints(o.ecoPoints) })}</span>
                    <span class="num">
                      {t(o.paidAt ? 'order.cashPart' : 'order.cashShare', { cash: formatFen(o.cashAmount) })}
                    </span>
                  </div>
                </Show>
                <Show when={o.vouchersIssued !== null}>
                  <p
                    class={`notice quote ${o.vouchersIssued ? 'notice-ok' : ''}`}
                    data-testid="order-vouchers"
                  >
                    {o.vouchersIssued
                      ? t('order.vouchersEarned', { vouchers: formatPoints(o.vouchersIssued!) })
                      : o.vouchersReason === 'merchant_insufficient_ad_points'
                        ? t('order.vouchersNone')
                        : t('order.vouchersNoneOther')}
                  </p>
                </Show>
                <Show when={o.createdAt}>
                  <div class="spread muted">
                    <span>{t('order.createdAt')}</span>
                    <span>{i18n.dateTime(o.createdAt!)}</span>
                  </div>
                </Show>
                <Show when={o.status === 'pending_payment' && o.checkoutUrl}>
                  <a class="btn btn-primary btn-block" style={{ 'margin-top': '12px' }} href={o.checkoutUrl!}>
                    {t('order.pay')}
                  </a>
                </Show>
                <Show when={o.status === 'pending_payment'}>
                  <Show
                    when={askingCancel()}
                    fallback={
                      <button
                        type="button"
                        class="btn btn-outline btn-block"
                        style={{ 'margin-top': '8px' }}
                        onClick={() => setAskingCancel(true)}
                      >
                        {t('order.cancel')}
                      </button>
                    }
                  >
                    <div class="notice" style={{ 'margin-top': '12px' }} data-testid="cancel-ask">
                      <p>{t('order.cancelAsk')}</p>
                      <div class="row">
                        <button type="button" class="btn btn-danger" onClick={cancelOrder}>
                          {t('order.cancelYes')}
                        </button>
                        <button type="button" class="btn btn-outline" onClick={() => setAskingCancel(false)}>
                          {t('order.cancelKeep')}
                        </button>
                      </div>
                    </div>
                  </Show>
                </Show>
                <Show when={cancelError()}>
                  <p class="error-text">{cancelError()}</p>
                </Show>
              </section>
              <Show when={o.paidAt}>
                <section class="card" data-testid="shipping">
                  <div class="card-title">{t('order.shipping')}</div>
                  <Show
                    when={(fulfillments() ?? []).length > 0}
                    fallback={<p class="muted">{t('order.notShipped')}</p>}
                  >
                    <ul class="list">
                      <For each={fulfillments() ?? []}>
                        {(s) => (
                          <li data-testid="shipment">
                            <div class="grow">
                              <Show when={s.items.length > 0}>
                                <div class="muted">
                                  {s.items.map((i) => `${i.title} ×${i.quantity}`).join(t('orders.itemSep'))}
                                </div>
                              </Show>
                              <Show
                                when={s.trackingNumber}
                                fallback={<span class="muted">{t('order.notShipped')}</span>}
                              >
                                <div class="kv">
                                  <span class="muted">{t('order.carrier')}</span>
                                  <span data-testid="carrier">{s.carrier}</span>
                                </div>
                                <div class="kv">
                                  <span class="muted">{t('order.tracking')}</span>
                                  <span class="mono" data-testid="tracking-number">
                                    {s.trackingNumber}
                                  </span>
                                </div>
                              </Show>
                            </div>
                            <div class="stack">
                              <StatusBadge status={s.status} />
                              <Show when={s.status === 'shipped' && s.id}>
                                <button
                                  type="button"
                                  class="btn btn-outline btn-small"
                                  onClick={() => confirmDelivery(s)}
                                >
                                  {t('order.confirmDelivery')}
                                </button>
                              </Show>
                            </div>
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                  <Show when={confirmError()}>
                    <p class="error-text">{confirmError()}</p>
                  </Show>
                </section>
              </Show>
              <Show when={o.status === 'pending_payment'}>
                <p class="notice" data-testid="awaiting-payment">
                  {t('order.awaitingPayment')}
                </p>
              </Show>
            </>
          )}
        </Loaded>
      </main>
    </>
  );
}
