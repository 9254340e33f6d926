import { formatFen, formatMinor, formatPoints, parseMinor, rows } from '@alliance/web-shared';
import { useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { api, type Receipt } from '../../api';
import { PausedWhileSuspended, useMerchant } from '../../components/MerchantArea';
import {
  Alert,
  Badge,
  Card,
  ErrorNote,
  Field,
  formatDate,
  Loaded,
  PageHeader,
  Table,
  useAction,
} from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

export function Topups() {
  const { id, merchant, refetch, suspended } = useMerchant();
  const [amount, setAmount] = createSignal('');
  // The hosted checkout sends the browser back to /merchants/<id>/topups/<topupId>?checkout=success|cancelled.
  const params = useParams<{ topupId?: string }>();
  const [search] = useSearchParams<{ checkout?: string }>();
  const returned = () => params.topupId ?? null;
  const cancelled = () => search.checkout === 'cancelled';
  const [list, { refetch: refetchList }] = createResource(() => id, api.topups);
  const [receiptFor, setReceiptFor] = createSignal<string | null>(null);
  const [dismissed, setDismissed] = createSignal(false);

  const start = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(amount());
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    const res = await api.topup(id, fen);
    // A new top-up always comes with its hosted checkout page.
    window.location.assign(res.checkoutUrl!);
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
            <PausedWhileSuspended />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="topup-submit"
              disabled={suspended() || start.busy() || !amount()}
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
              rows={rows(page)}
              testId="topups-table"
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.amount'), render: (r) => formatFen(r.amount), align: 'right' },
                { label: t('col.adPoints'), render: (r) => formatPoints(r.adPoints), align: 'right' },
                // An unpaid top-up waits for payment, not for a review.
                {
                  label: t('col.status'),
                  render: (r) => <Badge status={r.status === 'pending' ? 'pending_payment' : r.status} />,
                },
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

export function ReceiptCard(props: { topupId: string; onClose: () => void }) {
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

export function ReceiptBody(props: { receipt: Receipt }) {
  const r = props.receipt;
  return (
    <div class="receipt-layout">
      <dl class="receipt-body" data-testid="receipt">
        <dt>{t('receipt.number')}</dt>
        <dd class="mono" data-testid="receipt-number">
          {r.receiptNumber}
        </dd>
        <dt>{t('receipt.issuedBy')}</dt>
        {/* The platform's name in the reader's language, not the API's English label. */}
        <dd>{t('receipt.platformName')}</dd>
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
            : '—'}
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
