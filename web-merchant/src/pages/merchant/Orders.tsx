import { formatFen, formatMinor, formatPoints, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { api, type Fulfillment, type Order } from '../../api';
import { shipTo } from '../../components/fulfillment';
import { useMerchant } from '../../components/MerchantArea';
import {
  Alert,
  Badge,
  Card,
  confirmDialog,
  ErrorNote,
  formatDate,
  Loaded,
  PageHeader,
  reasonDialog,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';

/** A short order number people can read out: the id's last 8 characters. */
export const orderRef = (id: string) => id.slice(-8).toUpperCase();

/** What the order is waiting for, in the merchant's words: payment, shipping, delivery or refund. */
function orderStatus(o: Order, shipments: Fulfillment[]): string {
  if (o.status !== 'paid') return o.status;
  if (o.refunded >= o.amount) return 'refunded';
  if (o.refunded > 0) return 'partially_refunded';
  const live = shipments.filter((f) => f.status !== 'cancelled');
  if (live.some((f) => f.status === 'to_ship')) return 'to_ship';
  if (live.length > 0 && live.every((f) => f.status === 'delivered')) return 'delivered';
  if (live.length > 0 && live.every((f) => f.status === 'returned')) return 'returned';
  if (live.some((f) => f.status === 'shipped')) return 'shipped';
  return 'paid';
}

export function Orders() {
  const { id, refetch: refetchMerchant } = useMerchant();
  const [orders, { refetch }] = createResource(() => id, api.merchantOrders);
  const [fulfillments, { refetch: refetchShipments }] = createResource(() => id, api.merchantFulfillments);
  const [done, setDone] = createSignal<string | null>(null);
  const reload = () => {
    refetch();
    refetchShipments();
  };
  // New orders show up without a reload.
  const timer = setInterval(reload, 20_000);
  onCleanup(() => clearInterval(timer));
  const shipmentsOf = (orderId: string) => rows(fulfillments()).filter((f) => f.orderId === orderId);

  return (
    <div class="page">
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <Show when={done()}>
        <Alert tone="ok" testId="orders-done">
          {done()}
        </Alert>
      </Show>
      <Card>
        <Loaded resource={orders}>
          {(page) => (
            <Show when={rows(page).length > 0} fallback={<p class="muted">{t('orders.none')}</p>}>
              <div data-testid="orders-table">
                <For each={rows(page)}>
                  {(o) => (
                    <OrderBlock
                      order={o}
                      merchantId={id}
                      shipments={shipmentsOf(o.id)}
                      onDone={(text) => {
                        setDone(text);
                        reload();
                        refetchMerchant();
                      }}
                    />
                  )}
                </For>
              </div>
            </Show>
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function OrderBlock(props: {
  order: Order;
  merchantId: string;
  shipments: Fulfillment[];
  onDone: (text: string) => void;
}) {
  const o = () => props.order;
  const own = () => props.shipments.find((f) => f.supplierId === props.merchantId);
  const supplied = () => props.shipments.filter((f) => f.supplierId !== props.merchantId);
  const left = () => o().amount - o().refunded;
  // What the merchant's own shipment holds: the delivered lines no supplier ships (a listing is
  // either the merchant's own product or a supplier's); its cancel refunds them (ADR 0015).
  const ownShippedFen = () => {
    const bySupplier = new Set(supplied().flatMap((f) => f.items.map((i) => i.listingId)));
    return o()
      .items.filter((i) => i.ships && !bySupplier.has(i.listingId))
      .reduce((sum, i) => sum + i.unitPrice * i.quantity, 0);
  };
  const [carrier, setCarrier] = createSignal('');
  const [tracking, setTracking] = createSignal('');
  const [refunding, setRefunding] = createSignal(false);
  const [refundAmount, setRefundAmount] = createSignal('');

  const ship = useAction(async (e: Event) => {
    e.preventDefault();
    await api.ship(own()!.id, carrier().trim(), tracking().trim());
    props.onDone(t('orders.shippedOk', { ref: orderRef(o().id) }));
  });
  const cancelOwn = useAction(async () => {
    const ref = orderRef(o().id);
    const reason = await reasonDialog({
      title: t('fulfil.cancelTitle'),
      body: t('orders.ownCancelBody', { amount: formatFen(ownShippedFen()) }),
      input: t('col.reason'),
      confirm: t('orders.ownCancelConfirm'),
    });
    if (reason === null) return;
    const res = await api.cancelFulfillment(own()!.id, reason);
    props.onDone(
      res.refundDue > 0
        ? t('orders.ownCancelledRefundDue', { ref, amount: formatFen(res.refundDue) })
        : t('orders.ownCancelled', { ref, amount: formatFen(res.refunded) }),
    );
  });
  const returnOwn = useAction(async () => {
    const reason = await reasonDialog({
      title: t('fulfil.returnTitle'),
      body: t('orders.ownReturnBody'),
      input: t('col.reason'),
      confirm: t('fulfil.return'),
    });
    if (reason === null) return;
    await api.returnFulfillment(own()!.id, reason);
    props.onDone(t('orders.ownReturned', { ref: orderRef(o().id) }));
  });
  const refund = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(refundAmount());
    if (fen === null || fen <= 0 || fen > left())
      throw new Error(t('orders.refundInvalid', { max: formatFen(left()) }));
    const yes = await confirmDialog({
      title: t('orders.refundTitle', { amount: formatFen(fen), ref: orderRef(o().id) }),
      body: t('orders.refundBody'),
      confirm: t('orders.refundConfirm'),
    });
    if (!yes) return;
    const res = await api.refundOrder(o().id, fen);
    setRefunding(false);
    props.onDone(
      t('sales.refunded', {
        amount: formatFen(res.refunded),
        vouchers: formatPoints(res.vouchersClawedBack),
        points: formatPoints(res.adPointsReturned),
      }),
    );
  });

  return (
    <div class="order-block" data-testid="order">
      <div class="order-head">
        <strong>{t('orders.ref', { ref: orderRef(o().id) })}</strong>
        <span class="muted">{formatDate(o().paidAt ?? o().createdAt)}</span>
        <span class="grow" />
        <span class="num strong">{formatFen(o().amount)}</span>
        <span data-testid="order-status">
          <Badge status={orderStatus(o(), props.shipments)} />
        </span>
      </div>
      <div>
        {o()
          .items.map((i) => {
            const item = `${i.title} × ${i.quantity}`;
            return i.ships ? item : t('orders.pickupItem', { item });
          })
          .join(t('orders.itemSep'))}
      </div>
      <Show when={o().refunded > 0}>
        <div class="muted">{t('orders.refundedSoFar', { amount: formatFen(o().refunded) })}</div>
      </Show>
      <Show when={o().vouchersIssued !== null}>
        <div class="muted">
          {o().vouchersIssued
            ? t('orders.vouchersEarned', { vouchers: formatPoints(o().vouchersIssued!) })
            : t('orders.vouchersNone')}
        </div>
      </Show>
      <Show when={o().shipTo && o().status === 'paid'}>
        <div data-testid="ship-to">
          <span class="muted">{t('orders.label', { label: t('col.shipTo') })}</span>
          {o().shipTo!.name} {o().shipTo!.phone} · {o().shipTo!.region} {o().shipTo!.address}
        </div>
      </Show>
      <Show when={own()}>
        {(f) => (
          <Show
            when={f().status === 'to_ship'}
            fallback={
              <div class="order-actions" data-testid="own-shipment">
                <span class="muted">{t('orders.label', { label: t('orders.ownShipment') })}</span>
                <Badge status={f().status} /> {f().carrier ?? ''}{' '}
                <span class="mono">{f().trackingNumber ?? ''}</span>
                <Show when={f().status === 'shipped' || f().status === 'delivered'}>
                  <button
                    type="button"
                    class="btn btn-ghost btn-small"
                    data-testid="return-own"
                    disabled={returnOwn.busy()}
                    onClick={() => returnOwn.run()}
                  >
                    {t('fulfil.return')}
                  </button>
                </Show>
              </div>
            }
          >
            <form class="order-actions" onSubmit={(e) => ship.run(e)}>
              <input
                class="input"
                style={{ 'max-width': '220px' }}
                name="carrier"
                placeholder={t('supplier.carrier')}
                value={carrier()}
                onInput={(e) => setCarrier(e.currentTarget.value)}
                list="carriers"
              />
              <datalist id="carriers">
                <option value="顺丰速运" />
                <option value="中通快递" />
                <option value="圆通速递" />
                <option value="京东物流" />
                <option value="EMS" />
              </datalist>
              <input
                class="input"
                style={{ 'max-width': '220px' }}
                name="trackingNumber"
                placeholder={t('supplier.tracking')}
                value={tracking()}
                onInput={(e) => setTracking(e.currentTarget.value)}
              />
              <button
                type="submit"
                class="btn btn-primary btn-small"
                data-testid="ship-order"
                disabled={ship.busy() || !carrier().trim() || !tracking().trim()}
              >
                {t('supplier.confirmShip')}
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-small"
                data-testid="cancel-own"
                disabled={cancelOwn.busy()}
                onClick={() => cancelOwn.run()}
              >
                {t('fulfil.cancel')}
              </button>
            </form>
          </Show>
        )}
      </Show>
      <ErrorNote error={ship.error() ?? cancelOwn.error() ?? returnOwn.error()} />
      <For each={supplied()}>
        {(f) => (
          <div class="muted">
            {t('orders.label', { label: t('orders.dropShip') })}
            <Badge status={f.status} /> {f.carrier ?? ''} {f.trackingNumber ?? ''}
            {f.settled ? ` · ${t('orders.settled')}` : ''}
            <Show when={f.shipTo && !o().shipTo}>{shipTo(f)}</Show>
          </div>
        )}
      </For>
      <Show when={o().status === 'paid' && left() > 0}>
        <Show
          when={refunding()}
          fallback={
            <div class="order-actions">
              <button
                type="button"
                class="btn btn-outline btn-small"
                data-testid="refund-order"
                onClick={() => {
                  setRefundAmount(formatMinor(left(), { group: false }));
                  setRefunding(true);
                }}
              >
                {t('sales.refund')}
              </button>
            </div>
          }
        >
          <form class="order-actions" onSubmit={(e) => refund.run(e)}>
            <span class="muted">{t('orders.refundAmount', { max: formatFen(left()) })}</span>
            <input
              class="input"
              style={{ 'max-width': '160px' }}
              name="refundAmount"
              inputmode="decimal"
              value={refundAmount()}
              onInput={(e) => setRefundAmount(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="btn btn-primary btn-small"
              data-testid="refund-submit"
              disabled={refund.busy()}
            >
              {t('sales.refund')}
            </button>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => setRefunding(false)}>
              {t('common.cancel')}
            </button>
          </form>
          <ErrorNote error={refund.error()} />
        </Show>
      </Show>
    </div>
  );
}
