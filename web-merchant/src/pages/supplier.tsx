import { formatFen, parseMinor } from '@alliance/web-shared';
import { createEffect, createResource, createSignal, Match, onCleanup, Show, Switch } from 'solid-js';
import { api, type Fulfillment } from '../api';
import {
  Alert,
  Badge,
  Card,
  ErrorNote,
  formatDate,
  Loaded,
  PageHeader,
  Stat,
  Table,
  useAction,
} from '../components/ui';
import { t } from '../i18n';
import { match } from '../router';
import { me, refetchMe } from '../session';

/** One supplier's workspace: catalog, the to-ship queue, shipped parcels, payables and payouts. */
export function SupplierArea(props: { id: string }) {
  const membership = () => me()?.suppliers.find((s) => s.id === props.id);
  const sub = (p: string) => match(`/suppliers/:id${p}`);
  return (
    <Show
      when={membership()?.status !== 'pending' && membership()?.status !== 'rejected'}
      fallback={<SupplierStatus id={props.id} />}
    >
      <Switch fallback={<Catalog id={props.id} />}>
        <Match when={sub('/to-ship')}>
          <ToShip id={props.id} />
        </Match>
        <Match when={sub('/shipped')}>
          <Shipped id={props.id} />
        </Match>
        <Match when={sub('/payouts')}>
          <Payouts id={props.id} />
        </Match>
      </Switch>
    </Show>
  );
}

function SupplierStatus(props: { id: string }) {
  const [supplier, { refetch }] = createResource(() => props.id, api.supplier);
  // While pending, look again now and then; once approved, /v1/me moves the workspace on.
  const timer = setInterval(() => {
    if (supplier()?.status === 'pending') refetch();
  }, 5000);
  onCleanup(() => clearInterval(timer));
  createEffect(() => {
    if (supplier()?.status === 'active') refetchMe();
  });
  return (
    <div class="page">
      <Loaded resource={supplier}>
        {(s) => (
          <>
            <PageHeader title={s.name} subtitle={t('supplier.applicationTitle')} />
            <div class="card status-card" data-testid="application-status">
              <div class={`status-icon status-${s.status}`}>{s.status === 'rejected' ? '!' : '…'}</div>
              <div>
                <h2>
                  <Badge status={s.status} />{' '}
                  {s.status === 'rejected' ? t('merchant.rejectedTitle') : t('merchant.pendingTitle')}
                </h2>
                <Show
                  when={s.status === 'rejected'}
                  fallback={<p class="muted">{t('merchant.pendingBody')}</p>}
                >
                  <p>
                    {t('merchant.rejectedReason')}
                    <strong data-testid="rejection-reason">{s.rejectionReason ?? '—'}</strong>
                  </p>
                  <p class="muted">{t('supplier.rejectedBody')}</p>
                </Show>
              </div>
            </div>
          </>
        )}
      </Loaded>
    </div>
  );
}

function Catalog(props: { id: string }) {
  const [products, { refetch }] = createResource(() => props.id, api.supplierProducts);
  const [title, setTitle] = createSignal('');
  const [price, setPrice] = createSignal('');
  const [stock, setStock] = createSignal('');
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(price());
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    if (units === null) throw new Error(t('form.stockInvalid'));
    await api.createSupplierProduct(props.id, { title: title().trim(), wholesalePrice: fen, stock: units });
    setTitle('');
    setPrice('');
    setStock('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('supplier.catalogTitle')} subtitle={t('supplier.catalogSubtitle')} />
      <Card title={t('supplier.newProduct')}>
        <form class="inline-form" onSubmit={(e) => create.run(e)}>
          <input
            class="input grow"
            name="title"
            placeholder={t('col.title')}
            value={title()}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          <input
            class="input w-s"
            name="wholesalePrice"
            inputmode="decimal"
            placeholder={t('supplier.wholesalePlaceholder')}
            value={price()}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
          <input
            class="input w-s"
            name="stock"
            inputmode="numeric"
            placeholder={t('col.stock')}
            value={stock()}
            onInput={(e) => setStock(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-primary" disabled={create.busy() || !title().trim()}>
            {t('products.add')}
          </button>
        </form>
        <ErrorNote error={create.error()} />
      </Card>
      <Card title={t('supplier.products')}>
        <Loaded resource={products}>
          {(page) => (
            <Table
              rows={page.data}
              testId="supplier-products"
              columns={[
                { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.wholesalePrice)}</span>,
                },
                {
                  label: t('col.stock'),
                  align: 'right',
                  render: (r) => <span class={`num ${r.stock === 0 ? 'neg' : ''}`}>{r.stock}</span>,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

const items = (f: Fulfillment) =>
  f.items.map((i) => `${i.title ?? i.supplierProductId} × ${i.quantity}`).join('，');
const shipTo = (f: Fulfillment) =>
  f.shipTo ? (
    <span>
      {f.shipTo.name} {f.shipTo.phone}
      <br />
      <span class="muted">
        {f.shipTo.region} {f.shipTo.address}
      </span>
    </span>
  ) : (
    '—'
  );

function ToShip(props: { id: string }) {
  const [queue, { refetch }] = createResource(
    () => props.id,
    (id) => api.fulfillments(id, 'to_ship'),
  );
  const [open, setOpen] = createSignal<string | null>(null);
  const openOrder = () => queue()?.data.find((f) => f.id === open())?.orderId ?? '';
  const [carrier, setCarrier] = createSignal('');
  const [tracking, setTracking] = createSignal('');
  const [done, setDone] = createSignal<string | null>(null);
  const ship = useAction(async (e: Event) => {
    e.preventDefault();
    const fid = open()!;
    await api.ship(fid, carrier().trim(), tracking().trim());
    setDone(fid);
    setOpen(null);
    setCarrier('');
    setTracking('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('supplier.toShipTitle')} subtitle={t('supplier.toShipSubtitle')} />
      <Show when={done()}>
        <Alert tone="ok" testId="shipped-ok">
          {t('supplier.shippedOk')}
        </Alert>
      </Show>
      <Show when={open()}>
        <Card title={t('supplier.shipTitle', { order: openOrder() })}>
          <form class="inline-form" onSubmit={(e) => ship.run(e)}>
            <input
              class="input"
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
              class="input grow"
              name="trackingNumber"
              placeholder={t('supplier.tracking')}
              value={tracking()}
              onInput={(e) => setTracking(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="confirm-ship"
              disabled={ship.busy() || !carrier().trim() || !tracking().trim()}
            >
              {t('supplier.confirmShip')}
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setOpen(null)}>
              {t('common.cancel')}
            </button>
          </form>
          <ErrorNote error={ship.error()} />
        </Card>
      </Show>
      <Card>
        <Loaded resource={queue}>
          {(page) => (
            <Table
              rows={page.data}
              testId="to-ship"
              empty={t('supplier.nothingToShip')}
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.orderId}</span> },
                { label: t('col.items'), render: items },
                { label: t('col.shipTo'), render: shipTo },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button
                      type="button"
                      class="btn btn-primary btn-small"
                      data-testid={`ship-${r.id}`}
                      onClick={() => {
                        setDone(null);
                        setOpen(r.id);
                      }}
                    >
                      {t('supplier.ship')}
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function Shipped(props: { id: string }) {
  const [list] = createResource(
    () => props.id,
    (id) => api.fulfillments(id, 'shipped'),
  );
  return (
    <div class="page">
      <PageHeader title={t('supplier.shippedTitle')} subtitle={t('supplier.shippedSubtitle')} />
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={page.data}
              testId="shipped"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.orderId}</span> },
                { label: t('col.items'), render: items },
                { label: t('supplier.carrier'), render: (r) => r.carrier ?? '—' },
                {
                  label: t('supplier.tracking'),
                  render: (r) => <span class="mono">{r.trackingNumber ?? '—'}</span>,
                },
                { label: t('col.time'), render: (r) => formatDate(r.shippedAt) },
                { label: t('col.status'), render: (r) => <Badge status={r.status ?? 'shipped'} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function Payouts(props: { id: string }) {
  const [payable] = createResource(() => props.id, api.payable);
  const [payouts] = createResource(() => props.id, api.supplierPayouts);
  return (
    <div class="page">
      <PageHeader title={t('supplier.payoutsTitle')} subtitle={t('supplier.payoutsSubtitle')} />
      <Loaded resource={payable}>
        {(p) => (
          <div class="stats">
            <Stat
              label={t('supplier.payable')}
              value={formatFen(p.payable)}
              tone="red"
              testId="payable"
              hint={t('supplier.payableHint')}
            />
            <Stat label={t('supplier.paidOut')} value={formatFen(p.paidOut)} tone="green" testId="paid-out" />
          </div>
        )}
      </Loaded>
      <Card title={t('supplier.payoutList')}>
        <Loaded resource={payouts}>
          {(page) => (
            <Table
              rows={page.data}
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.reference'), render: (r) => <span class="mono">{r.reference ?? '—'}</span> },
                {
                  label: t('col.orders'),
                  align: 'right',
                  render: (r) => String(new Set(r.items.map((i) => i.orderId)).size),
                },
                { label: t('col.periodEnd'), render: (r) => formatDate(r.periodEnd) },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
