import { formatFen, formatMinor, formatPoints, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, Match, onCleanup, Show, Switch } from 'solid-js';
import { api, type Sale } from '../../api';
import { MemberScanner } from '../../components/MemberScanner';
import { PausedWhileSuspended, useMerchant } from '../../components/MerchantArea';
import { SalesTable } from '../../components/SalesTable';
import {
  Alert,
  Badge,
  Card,
  confirmDialog,
  ErrorNote,
  Field,
  formatDate,
  Loaded,
  PageHeader,
  useAction,
} from '../../components/ui';
import { downloadCsv } from '../../csv';
import { i18n, type Key, t } from '../../i18n';

export function Sales() {
  const { id, merchant, refetch: refetchMerchant, suspended } = useMerchant();
  const [sales, { refetch }] = createResource(() => id, api.sales);
  const [memberCode, setMemberCode] = createSignal('');
  const [amount, setAmount] = createSignal('');
  const [recorded, setRecorded] = createSignal<(Sale & { vouchersPaused?: boolean }) | null>(null);
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
    return rows(sales()).find((s) => s.id === r.id) ?? r;
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
    const yes = await confirmDialog({
      title: t('confirm.saleRefund', { amount: formatFen(fen) }),
      body: t('orders.refundBody'),
      confirm: t('orders.refundConfirm'),
    });
    if (!yes) return;
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
              <span class="inline-form">
                <input
                  class="input mono grow"
                  name="memberCode"
                  autocomplete="off"
                  inputmode="numeric"
                  value={memberCode()}
                  onInput={(e) => setMemberCode(e.currentTarget.value)}
                />
                <MemberScanner onCode={setMemberCode} />
              </span>
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
            <PausedWhileSuspended />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="record-sale"
              disabled={suspended() || record.busy() || !memberCode().trim() || !amount()}
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
                    <Show
                      when={!recorded()?.vouchersPaused}
                      fallback={
                        <Alert tone="warn">
                          <span data-testid="sale-paused">{t('sales.expectedPaused')}</span>
                        </Alert>
                      }
                    >
                      <p>
                        {t('sales.expected', {
                          vouchers: formatPoints(s().vouchers ?? 0),
                          points: formatPoints(s().adPointsCharge ?? 0),
                        })}
                      </p>
                    </Show>
                  </Match>
                  <Match when={s().status === 'completed'}>
                    <Show when={s().ecoPoints > 0}>
                      <Alert tone="info" testId="cash-due">
                        {t('sales.cashDue', {
                          points: formatPoints(s().ecoPoints),
                          cash: formatFen(s().cashDue),
                        })}
                      </Alert>
                    </Show>
                    <p>
                      {t('sales.done', {
                        vouchers: formatPoints(s().vouchersIssued ?? 0),
                        points: formatPoints(s().adPointsCharged ?? 0),
                      })}
                    </p>
                    <Show when={s().reason}>
                      <Alert tone="warn">
                        {i18n.has(`reason.${s().reason}`)
                          ? t(`reason.${s().reason}` as Key)
                          : t('reason.other')}
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
                `${t('sales.csvName')}.csv`,
                [
                  t('col.time'),
                  t('col.channel'),
                  t('col.amountYuan'),
                  t('col.vouchers'),
                  t('col.adPointsCharged'),
                  t('col.status'),
                  t('col.refundedYuan'),
                ],
                // Words and Beijing time, as on the page: the file is read by people (Excel), not machines.
                rows(sales()).map((r) => [
                  r.recordedAt ? formatDate(r.recordedAt) : '',
                  r.channel === 'online' ? t('sales.online') : t('sales.inStore'),
                  formatMinor(r.amount, { group: false }),
                  formatMinor(r.vouchersIssued ?? 0, { group: false }),
                  formatMinor(r.adPointsCharged ?? 0, { group: false }),
                  i18n.has(`status.${r.status}`) ? t(`status.${r.status}` as Key) : t('status.other'),
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
              rows={rows(page)}
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
