import { formatFen, formatMinor, formatPoints, parseMinor, toE164 } from '@alliance/web-shared';
import {
  createContext,
  createEffect,
  createResource,
  createSignal,
  For,
  Match,
  on,
  onCleanup,
  type Resource,
  Show,
  Switch,
  useContext,
} from 'solid-js';
import { api, type HistoryEntry, type Listing, type Merchant, type Receipt, type Sale } from '../api';
import {
  Alert,
  Badge,
  Bars,
  Card,
  ErrorNote,
  Field,
  formatDate,
  Link,
  Loaded,
  PageHeader,
  Stat,
  Table,
  useAction,
} from '../components/ui';
import { downloadCsv } from '../csv';
import { i18n, type Key, t } from '../i18n';
import { match, path, query } from '../router';
import { me, refetchMe } from '../session';

interface MerchantContext {
  id: string;
  merchant: Resource<Merchant>;
  refetch: () => void;
}
const Ctx = createContext<MerchantContext>();
const useMerchant = () => useContext(Ctx)!;

/** One merchant's workspace: loads the merchant once, shows the low-balance banner on every page. */
export function MerchantArea(props: { id: string }) {
  const [merchant, { refetch }] = createResource(() => props.id, api.merchant);
  const sub = (p: string) => match(`/merchants/:id${p}`);
  // Balances and rates change behind the page (sales, top-ups, operators): re-read on every page change.
  createEffect(on(path, () => refetch(), { defer: true }));
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
  return (
    <Ctx.Provider value={{ id: props.id, merchant, refetch }}>
      <Show when={!merchant.error} fallback={<ErrorNote error={merchant.error} />}>
        <Show when={merchant()} fallback={<div class="skeleton" />}>
          {(m) => (
            <Show when={m().status === 'active'} fallback={<ApplicationStatus merchant={m()} />}>
              <Show when={m().lowBalance}>
                <div class="banner banner-warn" data-testid="low-balance" role="status">
                  <strong>{t('merchant.lowBalanceTitle')}</strong>
                  <span>{t('merchant.lowBalanceBody', { points: formatPoints(m().adPoints) })}</span>
                  <Link to={`/merchants/${props.id}/topups`} class="btn btn-primary btn-small">
                    {t('merchant.topUpNow')}
                  </Link>
                </div>
              </Show>
              <Switch fallback={<Dashboard />}>
                <Match when={sub('/topups') || sub('/topups/:topupId')}>
                  <Topups />
                </Match>
                <Match when={sub('/points')}>
                  <PointsHistory />
                </Match>
                <Match when={sub('/staff')}>
                  <Staff />
                </Match>
                <Match when={sub('/sales')}>
                  <Sales />
                </Match>
                <Match when={sub('/products')}>
                  <Products />
                </Match>
                <Match when={sub('/supply')}>
                  <Supply />
                </Match>
                <Match when={sub('/orders')}>
                  <Orders />
                </Match>
                <Match when={sub('/statement')}>
                  <StatementPage />
                </Match>
              </Switch>
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

const percentFromBp = (bp: number) => `${formatMinor(bp)}%`;

function Dashboard() {
  const { id, merchant } = useMerchant();
  const [sales] = createResource(() => id, api.sales);
  const m = () => merchant()!;
  return (
    <div class="page">
      <PageHeader
        title={t('merchant.dashboardTitle', { name: m().name })}
        subtitle={t('merchant.dashboardSubtitle')}
        actions={
          <>
            <Link to={`/merchants/${id}/sales`} class="btn btn-outline">
              {t('merchant.recordSale')}
            </Link>
            <Link to={`/merchants/${id}/topups`} class="btn btn-primary">
              {t('merchant.topUp')}
            </Link>
          </>
        }
      />
      <div class="stats">
        <Stat
          label={t('merchant.adPoints')}
          value={formatPoints(m().adPoints)}
          testId="ad-points"
          tone={m().lowBalance ? 'amber' : 'red'}
          hint={t('merchant.adPointsHint')}
        />
        <Stat
          label={t('merchant.adRate')}
          value={percentFromBp(m().adRateBp)}
          hint={t('merchant.adRateHint')}
        />
        <Stat
          label={t('merchant.vouchers')}
          value={m().vouchersActive ? t('merchant.vouchersOn') : t('merchant.vouchersPaused')}
          tone={m().vouchersActive ? 'green' : 'amber'}
          testId="vouchers-active"
          hint={m().vouchersActive ? t('merchant.vouchersOnHint') : t('merchant.vouchersPausedHint')}
        />
      </div>
      <Card
        title={t('merchant.recentSales')}
        extra={
          <Link to={`/merchants/${id}/sales`} class="card-link">
            {t('common.viewAll')}
          </Link>
        }
      >
        <Loaded resource={sales}>{(page) => <SalesTable rows={page.data.slice(0, 6)} />}</Loaded>
      </Card>
    </div>
  );
}

/* ---------- Top-ups ---------- */

function Topups() {
  const { id, merchant, refetch } = useMerchant();
  const [amount, setAmount] = createSignal('');
  // The hosted checkout sends the browser back to /merchants/<id>/topups/<topupId>?checkout=success|cancelled.
  const returned = () => match('/merchants/:id/topups/:topupId')?.topupId ?? null;
  const cancelled = () => query().get('checkout') === 'cancelled';
  const [list, { refetch: refetchList }] = createResource(() => id, api.topups);
  const [receiptFor, setReceiptFor] = createSignal<string | null>(null);
  const [dismissed, setDismissed] = createSignal(false);

  const start = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(amount());
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    const res = await api.topup(id, fen);
    window.location.assign(res.checkoutUrl);
  });

  // The webhook may land a moment after the browser returns: poll until the top-up is paid.
  const [returnedTopup, { refetch: refetchReturned }] = createResource(returned, (topupId) =>
    api.topupOne(id, topupId),
  );
  let polls = 0;
  const timer = setInterval(() => {
    if (!returned() || cancelled() || returnedTopup()?.status !== 'pending' || polls > 40) return;
    polls++;
    refetchReturned();
  }, 1500);
  onCleanup(() => clearInterval(timer));
  const paidNow = () => returnedTopup()?.status === 'paid';
  createEffect(
    on(paidNow, (paid) => {
      if (!paid) return;
      refetch();
      refetchList();
    }),
  );
  const receiptId = () => receiptFor() ?? (!dismissed() && paidNow() ? returned() : null);

  const presets = [10000, 50000, 100000, 500000];
  return (
    <div class="page">
      <PageHeader title={t('topups.title')} subtitle={t('topups.subtitle')} />
      <Show when={returned() && cancelled()}>
        <Alert tone="warn" testId="topup-cancelled">
          {t('topups.cancelled')}
        </Alert>
      </Show>
      <Show when={returned() && !cancelled()}>
        <Show
          when={paidNow()}
          fallback={
            <Alert tone="info" testId="topup-waiting">
              {t('topups.waiting')}
            </Alert>
          }
        >
          <Alert tone="ok" testId="topup-paid">
            {t('topups.paid', {
              amount: formatFen(returnedTopup()!.amount),
              points: formatPoints(returnedTopup()!.adPoints ?? 0),
            })}
          </Alert>
        </Show>
      </Show>
      <div class="grid-2">
        <Card title={t('topups.balance')}>
          <div class="big-number" data-testid="balance">
            {formatPoints(merchant()!.adPoints)}
            <small>{t('unit.adPoints')}</small>
          </div>
          <p class="muted">{t('topups.balanceHint')}</p>
        </Card>
        <Card title={t('topups.new')}>
          <form class="form" onSubmit={(e) => start.run(e)}>
            <div class="chips">
              <For each={presets}>
                {(p) => (
                  <button
                    type="button"
                    class="chip"
                    onClick={() => setAmount(formatMinor(p, { group: false }))}
                  >
                    {formatFen(p)}
                  </button>
                )}
              </For>
            </div>
            <Field label={t('topups.amount')} hint={t('topups.amountHint')}>
              <div class="input-affix">
                <span>¥</span>
                <input
                  class="input"
                  name="amount"
                  inputmode="decimal"
                  placeholder="100.00"
                  value={amount()}
                  onInput={(e) => setAmount(e.currentTarget.value)}
                />
              </div>
            </Field>
            <ErrorNote error={start.error()} />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="topup-submit"
              disabled={start.busy() || !amount()}
            >
              {t('topups.pay')}
            </button>
            <p class="muted pay-methods">{t('topups.methods')}</p>
          </form>
        </Card>
      </div>
      <Show when={receiptId()} keyed>
        {(tid) => (
          <ReceiptCard
            topupId={tid}
            onClose={() => {
              setReceiptFor(null);
              setDismissed(true);
            }}
          />
        )}
      </Show>
      <Card title={t('topups.history')}>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={page.data}
              testId="topups-table"
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.amount'), render: (r) => formatFen(r.amount), align: 'right' },
                { label: t('col.adPoints'), render: (r) => formatPoints(r.adPoints), align: 'right' },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={r.status !== 'pending'}>
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        onClick={() => setReceiptFor(r.id)}
                      >
                        {t('topups.receipt')}
                      </button>
                    </Show>
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

function ReceiptCard(props: { topupId: string; onClose: () => void }) {
  const { id } = useMerchant();
  const [receipt] = createResource(
    () => props.topupId,
    (tid) => api.receipt(id, tid),
  );
  return (
    <Card
      title={t('receipt.title')}
      class="receipt"
      extra={
        <span class="row">
          <button type="button" class="btn btn-ghost btn-small" onClick={() => window.print()}>
            {t('receipt.print')}
          </button>
          <button type="button" class="btn btn-ghost btn-small" onClick={props.onClose}>
            {t('common.close')}
          </button>
        </span>
      }
    >
      <Loaded resource={receipt}>{(r) => <ReceiptBody receipt={r} />}</Loaded>
    </Card>
  );
}

function ReceiptBody(props: { receipt: Receipt }) {
  const r = props.receipt;
  return (
    <div class="receipt-layout">
      <dl class="receipt-body" data-testid="receipt">
        <dt>{t('receipt.number')}</dt>
        <dd class="mono" data-testid="receipt-number">
          {r.receiptNumber}
        </dd>
        <dt>{t('receipt.issuedBy')}</dt>
        <dd>{r.issuedBy}</dd>
        <dt>{t('receipt.merchant')}</dt>
        <dd>{r.merchant.name}</dd>
        <dt>{t('receipt.description')}</dt>
        <dd>{t('receipt.service', { points: formatPoints(r.adPoints) })}</dd>
        <dt>{t('receipt.paidAt')}</dt>
        <dd>{formatDate(r.paidAt)}</dd>
        <dt>{t('receipt.method')}</dt>
        <dd>
          {r.paymentMethod && i18n.has(`method.${r.paymentMethod}`)
            ? t(`method.${r.paymentMethod}` as Key)
            : (r.paymentMethod ?? '—')}
        </dd>
        <Show when={r.refunded > 0}>
          <dt>{t('receipt.refunded')}</dt>
          <dd>{formatFen(r.refunded)}</dd>
        </Show>
      </dl>
      <div class="receipt-total">
        <span class="muted">{t('receipt.amount')}</span>
        <strong data-testid="receipt-amount">{formatFen(r.amount)}</strong>
        <span class="muted">{t('receipt.points')}</span>
        <strong>{formatPoints(r.adPoints)}</strong>
        <span class="muted">{t('receipt.price', { price: formatFen(r.adPointPriceFen) })}</span>
      </div>
    </div>
  );
}

/* ---------- Ad-point history ---------- */

function PointsHistory() {
  const { id, merchant } = useMerchant();
  const [rows, setRows] = createSignal<HistoryEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null | undefined>(undefined);
  const load = useAction(async () => {
    const page = await api.adPointsHistory(id, cursor() ?? undefined);
    setRows((r) => [...r, ...page.data]);
    setCursor(page.nextCursor ?? null);
  });
  load.run();
  const kindLabel = (kind: string) => (i18n.has(`kind.${kind}`) ? t(`kind.${kind}` as Key) : kind);
  return (
    <div class="page">
      <PageHeader title={t('points.title')} subtitle={t('points.subtitle')} />
      <div class="stats">
        <Stat label={t('merchant.adPoints')} value={formatPoints(merchant()!.adPoints)} tone="red" />
      </div>
      <Card title={t('points.entries')}>
        <ErrorNote error={load.error()} />
        <Table
          rows={rows()}
          testId="points-table"
          columns={[
            { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
            { label: t('col.kind'), render: (r) => kindLabel(r.kind) },
            {
              label: t('col.change'),
              align: 'right',
              render: (r) => (
                <span class={r.amount < 0 ? 'neg num' : 'pos num'}>
                  {formatPoints(r.amount, { sign: true })}
                </span>
              ),
            },
            {
              label: t('col.balanceAfter'),
              align: 'right',
              render: (r) => <span class="num">{formatPoints(r.balanceAfter)}</span>,
            },
          ]}
        />
        <Show when={cursor()}>
          <div class="center">
            <button type="button" class="btn btn-ghost" disabled={load.busy()} onClick={() => load.run()}>
              {t('common.more')}
            </button>
          </div>
        </Show>
      </Card>
    </div>
  );
}

/* ---------- Staff ---------- */

function Staff() {
  const { id } = useMerchant();
  const [staff, { refetch }] = createResource(() => id, api.staff);
  const isOwner = () => me()?.merchants.find((m) => m.id === id)?.role === 'owner';
  const [phone, setPhone] = createSignal('');
  const add = useAction(async (e: Event) => {
    e.preventDefault();
    const e164 = toE164(phone());
    if (!e164) throw new Error(t('signin.phoneInvalid'));
    await api.addStaff(id, e164);
    setPhone('');
    refetch();
  });
  const remove = useAction(async (userId: string) => {
    if (!window.confirm(t('staff.confirmRemove'))) return;
    await api.removeStaff(id, userId);
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('staff.title')} subtitle={t('staff.subtitle')} />
      <Show when={isOwner()}>
        <Card title={t('staff.add')}>
          <form class="inline-form" onSubmit={(e) => add.run(e)}>
            <input
              class="input"
              name="phone"
              type="tel"
              placeholder={t('signin.phonePlaceholder')}
              value={phone()}
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
            <button type="submit" class="btn btn-primary" disabled={add.busy() || !phone()}>
              {t('staff.addButton')}
            </button>
          </form>
          <ErrorNote error={add.error()} />
        </Card>
      </Show>
      <Card title={t('staff.members')}>
        <ErrorNote error={remove.error()} />
        <Loaded resource={staff}>
          {(page) => (
            <Table
              rows={page.data}
              columns={[
                { label: t('col.phone'), render: (r) => <span class="mono">{r.phone}</span> },
                {
                  label: t('col.role'),
                  render: (r) => (r.role === 'owner' ? t('staff.owner') : t('staff.staff')),
                },
                { label: t('col.added'), render: (r) => formatDate(r.addedAt) },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={isOwner() && r.role !== 'owner'}>
                      <button
                        type="button"
                        class="btn btn-danger btn-small"
                        onClick={() => remove.run(r.userId)}
                      >
                        {t('staff.remove')}
                      </button>
                    </Show>
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

/* ---------- In-store sales ---------- */

function SalesTable(props: { rows: Sale[]; onRefund?: (sale: Sale) => void }) {
  return (
    <Table
      rows={props.rows}
      testId="sales-table"
      columns={[
        { label: t('col.time'), render: (r) => formatDate(r.recordedAt) },
        {
          label: t('col.channel'),
          render: (r) => (r.channel === 'online' ? t('sales.online') : t('sales.inStore')),
        },
        {
          label: t('col.amount'),
          align: 'right',
          render: (r) => <span class="num">{formatFen(r.amount)}</span>,
        },
        {
          label: t('col.vouchers'),
          align: 'right',
          render: (r) => <span class="num">{formatPoints(r.vouchersIssued ?? 0)}</span>,
        },
        {
          label: t('col.adPointsCharged'),
          align: 'right',
          render: (r) => <span class="num">{formatPoints(r.adPointsCharged ?? 0)}</span>,
        },
        {
          label: t('col.status'),
          render: (r) => (
            <span class="row">
              <Badge status={r.status} />
              <Show when={r.reason}>
                <span class="muted">
                  {i18n.has(`reason.${r.reason}`) ? t(`reason.${r.reason}` as Key) : r.reason}
                </span>
              </Show>
            </span>
          ),
        },
        {
          label: t('col.refunded'),
          align: 'right',
          render: (r) => <span class="num">{r.refunded ? formatFen(r.refunded) : '—'}</span>,
        },
        ...(props.onRefund
          ? [
              {
                label: '',
                align: 'right' as const,
                render: (r: Sale) => (
                  <Show when={r.status === 'completed' && (r.refunded ?? 0) < r.amount}>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => props.onRefund!(r)}>
                      {t('sales.refund')}
                    </button>
                  </Show>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

function Sales() {
  const { id, merchant, refetch: refetchMerchant } = useMerchant();
  const [sales, { refetch }] = createResource(() => id, api.sales);
  const [memberCode, setMemberCode] = createSignal('');
  const [amount, setAmount] = createSignal('');
  const [recorded, setRecorded] = createSignal<Sale | null>(null);
  const [refunding, setRefunding] = createSignal<Sale | null>(null);
  const [refundAmount, setRefundAmount] = createSignal('');
  const [refundResult, setRefundResult] = createSignal<string | null>(null);

  const record = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(amount());
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    const sale = await api.recordSale(id, memberCode().trim().toUpperCase(), fen);
    setRecorded(sale);
    setMemberCode('');
    setAmount('');
    refetch();
  });

  // While a recorded sale waits for the consumer, re-read the list and pick up its new status.
  const current = () => {
    const r = recorded();
    if (!r) return null;
    return sales()?.data.find((s) => s.id === r.id) ?? r;
  };
  const timer = setInterval(() => {
    if (current()?.status === 'awaiting_confirmation') refetch();
  }, 2000);
  onCleanup(() => clearInterval(timer));
  let lastStatus = '';
  const watchStatus = () => {
    const s = current()?.status ?? '';
    if (s !== lastStatus && s === 'completed') queueMicrotask(refetchMerchant);
    lastStatus = s;
    return s;
  };

  const refund = useAction(async (e: Event) => {
    e.preventDefault();
    const sale = refunding()!;
    const fen = parseMinor(refundAmount());
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    const res = await api.refund(sale.id, fen);
    setRefundResult(
      t('sales.refunded', {
        amount: formatFen(res.refunded),
        vouchers: formatPoints(res.vouchersClawedBack),
        points: formatPoints(res.adPointsReturned),
      }),
    );
    setRefunding(null);
    setRefundAmount('');
    refetch();
    refetchMerchant();
  });

  return (
    <div class="page">
      <PageHeader title={t('sales.title')} subtitle={t('sales.subtitle')} />
      <div class="grid-2">
        <Card title={t('sales.record')}>
          <form class="form" onSubmit={(e) => record.run(e)}>
            <Field label={t('sales.memberCode')} hint={t('sales.memberCodeHint')}>
              <input
                class="input mono"
                name="memberCode"
                autocomplete="off"
                value={memberCode()}
                onInput={(e) => setMemberCode(e.currentTarget.value)}
              />
            </Field>
            <Field label={t('sales.amount')}>
              <div class="input-affix">
                <span>¥</span>
                <input
                  class="input"
                  name="amount"
                  inputmode="decimal"
                  placeholder="100.00"
                  value={amount()}
                  onInput={(e) => setAmount(e.currentTarget.value)}
                />
              </div>
            </Field>
            <ErrorNote error={record.error()} />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="record-sale"
              disabled={record.busy() || !memberCode().trim() || !amount()}
            >
              {t('sales.recordButton')}
            </button>
          </form>
        </Card>
        <Card title={t('sales.current')}>
          <Show when={current()} fallback={<p class="muted">{t('sales.noCurrent')}</p>}>
            {(s) => (
              <div class="sale-status" data-testid="sale-status" data-status={watchStatus()}>
                <div class="spread">
                  <span class="big-number">{formatFen(s().amount)}</span>
                  <Badge status={s().status} />
                </div>
                <Switch>
                  <Match when={s().status === 'awaiting_confirmation'}>
                    <p class="muted">{t('sales.awaiting')}</p>
                    <p>
                      {t('sales.expected', {
                        vouchers: formatPoints(s().vouchers ?? 0),
                        points: formatPoints(s().adPointsCharge ?? 0),
                      })}
                    </p>
                  </Match>
                  <Match when={s().status === 'completed'}>
                    <p>
                      {t('sales.done', {
                        vouchers: formatPoints(s().vouchersIssued ?? 0),
                        points: formatPoints(s().adPointsCharged ?? 0),
                      })}
                    </p>
                    <Show when={s().reason}>
                      <Alert tone="warn">
                        {i18n.has(`reason.${s().reason}`) ? t(`reason.${s().reason}` as Key) : s().reason!}
                      </Alert>
                    </Show>
                    <p class="muted">
                      {t('sales.balanceNow', { points: formatPoints(merchant()!.adPoints) })}
                    </p>
                  </Match>
                </Switch>
              </div>
            )}
          </Show>
        </Card>
      </div>
      <Show when={refundResult()}>
        <Alert tone="ok">{refundResult()}</Alert>
      </Show>
      <Show when={refunding()}>
        {(s) => (
          <Card title={t('sales.refundTitle', { amount: formatFen(s().amount) })}>
            <form class="inline-form" onSubmit={(e) => refund.run(e)}>
              <div class="input-affix">
                <span>¥</span>
                <input
                  class="input"
                  name="refundAmount"
                  inputmode="decimal"
                  value={refundAmount()}
                  onInput={(e) => setRefundAmount(e.currentTarget.value)}
                />
              </div>
              <button type="submit" class="btn btn-primary" disabled={refund.busy() || !refundAmount()}>
                {t('sales.refundButton')}
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setRefunding(null)}>
                {t('common.cancel')}
              </button>
            </form>
            <ErrorNote error={refund.error()} />
          </Card>
        )}
      </Show>
      <Card
        title={t('sales.list')}
        extra={
          <button
            type="button"
            class="btn btn-ghost btn-small"
            disabled={!sales()}
            onClick={() =>
              downloadCsv(
                `sales-${id}.csv`,
                [
                  t('col.time'),
                  t('col.channel'),
                  t('col.amountYuan'),
                  t('col.vouchers'),
                  t('col.adPointsCharged'),
                  t('col.status'),
                  t('col.refundedYuan'),
                ],
                (sales()?.data ?? []).map((r) => [
                  r.recordedAt ?? '',
                  r.channel ?? '',
                  formatMinor(r.amount, { group: false }),
                  formatMinor(r.vouchersIssued ?? 0, { group: false }),
                  formatMinor(r.adPointsCharged ?? 0, { group: false }),
                  r.status,
                  formatMinor(r.refunded ?? 0, { group: false }),
                ]),
              )
            }
          >
            {t('common.exportCsv')}
          </button>
        }
      >
        <Loaded resource={sales}>
          {(page) => (
            <SalesTable
              rows={page.data}
              onRefund={(s) => {
                setRefundResult(null);
                setRefunding(s);
                setRefundAmount(formatMinor(s.amount - (s.refunded ?? 0), { group: false }));
              }}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

/* ---------- Products, supply chain, orders ---------- */

function ListingsTable(props: { rows: Listing[] }) {
  return (
    <Table
      rows={props.rows}
      testId="listings-table"
      columns={[
        { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
        {
          label: t('col.source'),
          render: (r) =>
            r.supplierProductId ? (
              <span class="badge badge-brand">{t('products.supply')}</span>
            ) : (
              t('products.own')
            ),
        },
        {
          label: t('col.price'),
          align: 'right',
          render: (r) => <span class="num">{formatFen(r.price)}</span>,
        },
        { label: t('col.stock'), align: 'right', render: (r) => <span class="num">{r.stock ?? '—'}</span> },
      ]}
    />
  );
}

function Products() {
  const { id } = useMerchant();
  const [listings, { refetch }] = createResource(() => id, api.listings);
  const [title, setTitle] = createSignal('');
  const [price, setPrice] = createSignal('');
  const [stock, setStock] = createSignal('');
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(price());
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    if (units === null) throw new Error(t('form.stockInvalid'));
    await api.createListing(id, { title: title().trim(), price: fen, stock: units });
    setTitle('');
    setPrice('');
    setStock('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader
        title={t('products.title')}
        subtitle={t('products.subtitle')}
        actions={
          <Link to={`/merchants/${id}/supply`} class="btn btn-outline">
            {t('products.fromSupply')}
          </Link>
        }
      />
      <Card title={t('products.new')}>
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
            name="price"
            inputmode="decimal"
            placeholder={t('products.pricePlaceholder')}
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
      <Card title={t('products.list')}>
        <Loaded resource={listings}>{(page) => <ListingsTable rows={page.data} />}</Loaded>
      </Card>
    </div>
  );
}

function Supply() {
  const { id } = useMerchant();
  const [catalog] = createResource(api.supplyCatalog);
  const [listings, { refetch: refetchListings }] = createResource(() => id, api.listings);
  const [prices, setPrices] = createSignal<Record<string, string>>({});
  const listedPrice = (productId: string) =>
    listings()?.data.find((l) => l.supplierProductId === productId)?.price;
  const [errorFor, setErrorFor] = createSignal<{ id: string; error: unknown } | null>(null);
  const list = useAction(async (productId: string) => {
    setErrorFor(null);
    const fen = parseMinor(prices()[productId] ?? '');
    try {
      if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
      await api.createListing(id, { supplierProductId: productId, price: fen });
      refetchListings();
    } catch (error) {
      setErrorFor({ id: productId, error });
    }
  });
  return (
    <div class="page">
      <PageHeader title={t('supply.title')} subtitle={t('supply.subtitle')} />
      <Card title={t('supply.catalog')}>
        <Loaded resource={catalog}>
          {(page) => (
            <Table
              rows={page.data}
              testId="supply-table"
              columns={[
                { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
                { label: t('col.supplier'), render: (r) => r.supplierName ?? '—' },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.wholesalePrice)}</span>,
                },
                { label: t('col.stock'), align: 'right', render: (r) => <span class="num">{r.stock}</span> },
                {
                  label: t('supply.yourPrice'),
                  render: (r) => (
                    <Show
                      when={listedPrice(r.id) === undefined}
                      fallback={
                        <span class="row">
                          <span class="badge badge-ok">{t('supply.listed')}</span>
                          <span class="num">{formatFen(listedPrice(r.id)!)}</span>
                        </span>
                      }
                    >
                      <div class="cell-form">
                        <div class="input-affix small">
                          <span>¥</span>
                          <input
                            class="input"
                            inputmode="decimal"
                            data-testid={`price-${r.id}`}
                            placeholder={formatMinor(r.wholesalePrice, { group: false })}
                            value={prices()[r.id] ?? ''}
                            onInput={(e) => {
                              const v = e.currentTarget.value;
                              setPrices((p) => ({ ...p, [r.id]: v }));
                            }}
                          />
                        </div>
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          disabled={list.busy()}
                          onClick={() => list.run(r.id)}
                        >
                          {t('supply.list')}
                        </button>
                      </div>
                      <Show when={errorFor()?.id === r.id}>
                        <ErrorNote error={errorFor()!.error} />
                      </Show>
                    </Show>
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

function Orders() {
  const { id } = useMerchant();
  const [orders] = createResource(() => id, api.merchantOrders);
  const [fulfillments] = createResource(() => id, api.merchantFulfillments);
  return (
    <div class="page">
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <Card>
        <Loaded resource={orders}>
          {(page) => (
            <Table
              rows={page.data}
              testId="orders-table"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.id}</span> },
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.items'),
                  render: (r) =>
                    (r.items ?? []).map((i) => `${i.title ?? i.listingId} × ${i.quantity}`).join('，') || '—',
                },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
      <Card title={t('orders.dropShip')}>
        <Loaded resource={fulfillments}>
          {(page) => (
            <Table
              rows={page.data}
              testId="merchant-fulfillments"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.orderId}</span> },
                {
                  label: t('col.items'),
                  render: (r) => r.items.map((i) => `${i.title} × ${i.quantity}`).join('，'),
                },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => (
                    <span class="num">
                      {r.wholesaleCost === undefined ? '—' : formatFen(r.wholesaleCost)}
                    </span>
                  ),
                },
                {
                  label: t('col.tracking'),
                  render: (r) => (r.carrier ? `${r.carrier} ${r.trackingNumber ?? ''}` : '—'),
                },
                { label: t('col.status'), render: (r) => <Badge status={r.status ?? 'to_ship'} /> },
                {
                  label: t('col.settled'),
                  render: (r) =>
                    r.settled ? <span class="badge badge-ok">{t('orders.settled')}</span> : '—',
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

/* ---------- Statement ---------- */

function StatementPage() {
  const { id } = useMerchant();
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [range, setRange] = createSignal<{ from?: string; to?: string }>({});
  const [statement] = createResource(
    () => ({ id, ...range() }),
    (r) => api.statement(r.id, r.from, r.to),
  );
  return (
    <div class="page">
      <PageHeader
        title={t('statement.title')}
        subtitle={t('statement.subtitle')}
        actions={
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              setRange({ from: from() || undefined, to: to() || undefined });
            }}
          >
            <input
              class="input"
              type="date"
              value={from()}
              onInput={(e) => setFrom(e.currentTarget.value)}
              aria-label={t('statement.from')}
            />
            <span class="muted">—</span>
            <input
              class="input"
              type="date"
              value={to()}
              onInput={(e) => setTo(e.currentTarget.value)}
              aria-label={t('statement.to')}
            />
            <button type="submit" class="btn btn-outline">
              {t('statement.apply')}
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="statement-csv"
              disabled={!statement()}
              onClick={() => {
                const st = statement()!;
                // Money and points as decimal text from integer minor units, never through a float.
                downloadCsv(
                  `statement-${id}-${st.from ?? 'all'}-${st.to ?? 'now'}.csv`,
                  [t('statement.item'), t('statement.value')],
                  [
                    [t('statement.from'), st.from ?? ''],
                    [t('statement.to'), st.to ?? ''],
                    [t('statement.proceedsYuan'), formatMinor(st.proceeds, { group: false })],
                    [t('statement.wholesaleYuan'), formatMinor(st.wholesaleSettled, { group: false })],
                    [t('statement.netYuan'), formatMinor(st.net, { group: false })],
                    [t('statement.adPoints'), formatMinor(st.adPointsCharged, { group: false })],
                    [t('statement.vouchers'), formatMinor(st.vouchersIssued, { group: false })],
                    [t('statement.topupsYuan'), formatMinor(st.topups, { group: false })],
                  ],
                );
              }}
            >
              {t('common.exportCsv')}
            </button>
          </form>
        }
      />
      <Loaded resource={statement}>
        {(s) => (
          <>
            <div class="stats stats-3" data-testid="statement">
              <Stat label={t('statement.proceeds')} value={formatFen(s.proceeds)} testId="st-proceeds" />
              <Stat
                label={t('statement.wholesale')}
                value={formatFen(s.wholesaleSettled)}
                testId="st-wholesale"
              />
              <Stat label={t('statement.net')} value={formatFen(s.net)} tone="green" testId="st-net" />
              <Stat
                label={t('statement.adPoints')}
                value={formatPoints(s.adPointsCharged)}
                testId="st-adpoints"
              />
              <Stat
                label={t('statement.vouchers')}
                value={formatPoints(s.vouchersIssued)}
                testId="st-vouchers"
              />
              <Stat label={t('statement.topups')} value={formatFen(s.topups)} testId="st-topups" />
            </div>
            <Card title={t('statement.chart')}>
              <Bars
                points={[
                  { label: t('statement.proceeds'), value: s.proceeds },
                  { label: t('statement.wholesale'), value: s.wholesaleSettled },
                  { label: t('statement.net'), value: s.net },
                  { label: t('statement.topups'), value: s.topups },
                ]}
                format={formatFen}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}
