import { formatFen } from '@alliance/web-shared';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { Header, Loaded, StatusBadge } from '../components';
import { i18n, t } from '../i18n';
import { link, query } from '../router';
import { api, type MerchantCard, type Order, type Page, rows, type Shipment } from '../session';

/** Orders carry a merchant id; names come from the public directory. */
function useMerchantNames() {
  const [directory] = createResource(() => api.get<Page<MerchantCard>>('/v1/merchants?limit=100'));
  return (o: Order) =>
    o.merchant?.name ?? o.merchantName ?? rows(directory()).find((m) => m.id === o.merchantId)?.name ?? '';
}
const itemsText = (o: Order) => (o.items ?? []).map((i) => `${i.title ?? ''} ×${i.quantity}`).join('，');

export function Orders() {
  const [orders, { refetch }] = createResource(() => api.get<Page<Order> | Order[]>('/v1/orders'));
  const merchantName = useMerchantNames();
  return (
    <>
      <Header title={t('orders.title')} />
      <main class="page">
        <Loaded resource={orders} retry={refetch}>
          {(data) => (
            <Show
              when={rows(data).length > 0}
              fallback={
                <div class="empty">
                  <p>{t('orders.empty')}</p>
                  <a href="/merchants" onClick={link('/merchants')} class="btn btn-outline">
                    {t('orders.goShop')}
                  </a>
                </div>
              }
            >
              <For each={rows(data)}>
                {(o) => (
                  <a
                    href={`/orders/${o.id}`}
                    onClick={link(`/orders/${o.id}`)}
                    class="card order"
                    data-testid="order"
                  >
                    <div class="spread">
                      <span class="strong">{merchantName(o)}</span>
                      <StatusBadge status={o.status} />
                    </div>
                    <div class="muted ellipsis">{itemsText(o)}</div>
                    <div class="spread">
                      <span class="muted">{o.createdAt ? i18n.dateTime(o.createdAt) : ''}</span>
                      <span class="price num">{formatFen(o.amount)}</span>
                    </div>
                  </a>
                )}
              </For>
            </Show>
          )}
        </Loaded>
      </main>
    </>
  );
}

/**
 * The shipments of an order: GET /v1/orders/{id}/fulfillments (one per supplier), else what the order
 * carries itself (a merchant shipping its own goods).
 */
function shipmentsOf(o: Order, fulfillments: Shipment[] | undefined): Shipment[] {
  if (fulfillments && fulfillments.length > 0) return fulfillments;
  const list = o.fulfillments ?? o.shipments ?? [];
  if (list.length > 0) return list;
  return o.trackingNumber
    ? [{ status: 'shipped', carrier: o.carrier, trackingNumber: o.trackingNumber }]
    : [];
}

export function OrderDetail(props: { orderId: string }) {
  const [order, { refetch }] = createResource(
    () => props.orderId,
    (id) => api.get<Order>(`/v1/orders/${encodeURIComponent(id)}`),
  );
  const [fulfillments, { refetch: refetchShipments }] = createResource(
    () => props.orderId,
    async (id) => rows(await api.get<Page<Shipment>>(`/v1/orders/${encodeURIComponent(id)}/fulfillments`)),
  );
  const merchantName = useMerchantNames();
  // Back from the checkout page: the payment webhook may land a moment after the redirect.
  const checkout = query('checkout');
  let polls = 0;
  const poll = setInterval(() => {
    const o = order();
    if (checkout !== 'success' || polls++ > 15 || (o && o.status !== 'pending_payment')) clearInterval(poll);
    else void refetch();
  }, 1000);
  onCleanup(() => clearInterval(poll));
  const [confirmError, setConfirmError] = createSignal<string | null>(null);

  const confirmDelivery = async (s: Shipment) => {
    setConfirmError(null);
    try {
      await api.post(
        `/v1/orders/${encodeURIComponent(props.orderId)}/fulfillments/${s.id}/confirm-delivery`,
        {},
      );
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
              <section class="card" data-testid="order-detail">
                <div class="card-title">
                  {merchantName(o)}
                  <StatusBadge status={o.status} />
                </div>
                <ul class="list">
                  <For each={o.items ?? []}>
                    {(item) => (
                      <li>
                        <span class="grow">{item.title}</span>
                        <span class="muted num">×{item.quantity}</span>
                        <Show when={(item.price ?? item.unitPrice) !== undefined}>
                          <span class="num">{formatFen((item.price ?? item.unitPrice)!)}</span>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
                <div class="spread total">
                  <span>{t('order.amount')}</span>
                  <span class="price num">{formatFen(o.amount)}</span>
                </div>
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
              </section>
              <section class="card" data-testid="shipping">
                <div class="card-title">{t('order.shipping')}</div>
                <Show
                  when={shipmentsOf(o, fulfillments()).length > 0}
                  fallback={<p class="muted">{t('order.notShipped')}</p>}
                >
                  <ul class="list">
                    <For each={shipmentsOf(o, fulfillments())}>
                      {(s) => (
                        <li data-testid="shipment">
                          <div class="grow">
                            <Show when={s.items && s.items.length > 0}>
                              <div class="muted">
                                {s.items!.map((i) => `${i.title} ×${i.quantity}`).join('，')}
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
            </>
          )}
        </Loaded>
      </main>
    </>
  );
}
