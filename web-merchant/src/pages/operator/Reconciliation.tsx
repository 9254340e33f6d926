import { ApiFailure, formatFen, formatPoints } from '@alliance/web-shared';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { api, type ReconciliationReport } from '../../api';
import { addDays, businessToday, formatBusinessDate } from '../../business-date';
import { AnomalyResolution } from '../../components/AnomalyResolution';
import { DateField } from '../../components/DateField';
import { ReconciliationTrends } from '../../components/ReconciliationTrends';
import {
  Alert,
  Badge,
  Card,
  ErrorNote,
  formatDate,
  Link,
  Loaded,
  PageHeader,
  Segmented,
  Stat,
  Table,
  useAction,
} from '../../components/ui';
import { saveFile } from '../../csv';
import { i18n, type Key, locale, t } from '../../i18n';
import './reconciliation.css';

type Difference = ReconciliationReport['differences'][number];

/** Payment anomalies of the day that an operator has handled since the report was made. */
const handledCount = (report: ReconciliationReport) => report.differences.filter((d) => d.handled).length;

/**
 * The operator's first page: one business day's stored report (default yesterday, Beijing time),
 * whether the books agree, every difference with what lies behind it, the merchant and supplier
 * tables, the server's CSV, and 30/90-day trends read from the stored reports.
 */
export function Reconciliation() {
  const [date, setDate] = createSignal(addDays(businessToday(), -1));
  // Wrapped, so that "no report for that day yet" (a 404, a state of the page) is a value.
  const [stored, { mutate }] = createResource(date, async (d) => {
    try {
      return { report: await api.reconciliation(d) };
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) return { report: null };
      throw e;
    }
  });
  const report = () => stored()?.report;
  const [days, setDays] = createSignal<'30' | '90'>('30');
  const [trends, { refetch: refetchTrends }] = createResource(days, api.reconciliationTrends);
  const [confirming, setConfirming] = createSignal(false);
  // The date just reconciled, for the notice (kept as a date so the notice follows the language).
  const [ranFor, setRanFor] = createSignal<string | null>(null);

  const run = useAction(async () => {
    const d = date();
    const fresh = await api.runReconciliation(d);
    mutate({ report: fresh });
    setConfirming(false);
    setRanFor(d);
    refetchTrends();
  });
  const csv = useAction(async (r: ReconciliationReport) => {
    saveFile(`reconciliation-${r.businessDate}.csv`, await api.reconciliationCsv(r.businessDate, locale()));
  });

  return (
    <div class="page" data-testid="reconciliation">
      <PageHeader
        title={t('recon.title')}
        subtitle={t('recon.subtitle')}
        actions={
          <div class="inline-form">
            <DateField
              value={date()}
              label={t('recon.date')}
              testId="recon-date"
              onChange={(picked) => {
                setRanFor(null);
                setConfirming(false);
                setDate(picked);
              }}
            />
            <button
              type="button"
              class="btn btn-primary"
              data-testid="recon-run"
              onClick={() => {
                setRanFor(null);
                setConfirming(true);
              }}
            >
              {t('recon.runNow')}
            </button>
            <button
              type="button"
              class="btn btn-outline"
              data-testid="recon-csv"
              disabled={!report() || csv.busy()}
              onClick={() => {
                const r = report();
                if (r) csv.run(r);
              }}
            >
              {t('recon.csv')}
            </button>
          </div>
        }
      />
      <Show when={confirming()}>
        <Card title={t('recon.runTitle')}>
          <p data-testid="recon-confirm-text">
            {t('recon.runConfirm', { date: formatBusinessDate(date()) })}
          </p>
          <ErrorNote error={run.error()} />
          <div class="row">
            <button
              type="button"
              class="btn btn-primary"
              data-testid="recon-confirm"
              disabled={run.busy()}
              onClick={() => run.run()}
            >
              {run.busy() ? t('recon.running') : t('recon.runYes')}
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </Card>
      </Show>
      <Show when={ranFor()}>
        {(d) => (
          <Alert tone="ok" testId="recon-notice">
            {t('recon.ran', { date: formatBusinessDate(d()) })}
          </Alert>
        )}
      </Show>
      <ErrorNote error={csv.error()} />
      <Loaded resource={stored}>
        {(s) => (
          <Show
            when={s.report}
            fallback={
              <Alert tone="info" testId="recon-none">
                {t('recon.none', { date: formatBusinessDate(date()) })}
              </Alert>
            }
          >
            {(r) => <ReportView report={r()} />}
          </Show>
        )}
      </Loaded>
      <Card
        title={t('recon.trends')}
        extra={
          <Segmented
            options={['30', '90'] as const}
            value={days()}
            label={(d) => t(d === '30' ? 'recon.days30' : 'recon.days90')}
            onChange={setDays}
            testId={(d) => `recon-days-${d}`}
          />
        }
      >
        <p class="muted small">{t('recon.trendsHint')}</p>
        <Loaded resource={trends}>{(tr) => <ReconciliationTrends days={tr.data} />}</Loaded>
      </Card>
    </div>
  );
}

function ReportView(props: { report: ReconciliationReport }) {
  const r = () => props.report;
  const tot = () => props.report.totals;
  return (
    <>
      <div class={`verdict ${r().ok ? 'verdict-ok' : 'verdict-bad'}`} data-testid="recon-verdict">
        <span class="verdict-icon">{r().ok ? '✓' : '✕'}</span>
        <div>
          <h2>{r().ok ? t('recon.ok') : t('recon.bad', { n: r().differences.length })}</h2>
          <p class="muted">
            {formatBusinessDate(r().businessDate)} ·{' '}
            {t('recon.generatedAt', { time: formatDate(r().generatedAt) })}
            {r().ok ? ` · ${t('recon.okHint')}` : ''}
            <Show
              when={handledCount(r()) > 0}
            >{` · ${t('recon.handledSince', { n: handledCount(r()) })}`}</Show>
          </p>
        </div>
      </div>
      <div class="stats recon-stats" data-testid="recon-figures">
        <Stat label={t('recon.gmvOnline')} value={formatFen(tot().gmvOnline)} testId="recon-gmv-online" />
        <Stat label={t('recon.gmvInStore')} value={formatFen(tot().gmvInStore)} testId="recon-gmv-instore" />
        <Stat label={t('recon.topups')} value={formatFen(tot().topups)} testId="recon-topups" />
        <Stat
          label={t('recon.adPointsBought')}
          value={formatPoints(tot().adPointsBought)}
          hint={t('recon.adPointsConsumedHint', { points: formatPoints(tot().adPointsConsumed) })}
          testId="recon-ad-bought"
        />
        <Stat
          label={t('recon.vouchersIssued')}
          value={formatPoints(tot().vouchersIssued)}
          hint={t('recon.vouchersConvertedHint', { points: formatPoints(tot().vouchersConverted) })}
          testId="recon-vouchers"
        />
        <Stat label={t('recon.completions')} value={String(tot().completions)} testId="recon-completions" />
        <Stat
          label={t('recon.vouchersOutstanding')}
          value={formatPoints(r().vouchers.outstanding)}
          testId="recon-vouchers-outstanding"
        />
        <Stat
          label={t('recon.ecoLiability')}
          value={formatFen(r().ecoPoints.liability)}
          hint={t('recon.ecoLiabilityHint', {
            points: formatPoints(r().ecoPoints.outstanding),
            price: formatFen(r().ecoPoints.unitPriceFen),
          })}
          tone="amber"
          testId="recon-eco-liability"
        />
        <Stat
          label={t('recon.supplierPayable')}
          value={formatFen(tot().supplierPayable)}
          hint={t('recon.supplierHint', {
            settled: formatFen(tot().supplierSettled),
            paid: formatFen(tot().supplierPaidOut),
          })}
          testId="recon-supplier-payable"
        />
      </div>

      <Card title={t('recon.differences')}>
        <Differences report={r()} />
      </Card>

      <div class="grid-2">
        <Card title={t('recon.stripe')}>
          <dl class="recon-facts" data-testid="recon-stripe">
            <dt>{t('recon.stripeCollected')}</dt>
            <dd>{formatFen(r().stripe.collected)}</dd>
            <dt>{t('recon.stripeRefunded')}</dt>
            <dd>{formatFen(r().stripe.refunded)}</dd>
            <Show when={r().stripe.disputed !== undefined}>
              <dt>{t('recon.stripeDisputed')}</dt>
              <dd>{formatFen(r().stripe.disputed ?? 0)}</dd>
            </Show>
            <dt>{t('recon.stripeLedger')}</dt>
            <dd>{formatFen(r().stripe.ledger)}</dd>
            <dt>{t('recon.stripeDifference')}</dt>
            <dd class={r().stripe.difference === 0 ? 'ok-text' : 'bad-text'}>
              {formatFen(r().stripe.difference)}
            </dd>
          </dl>
        </Card>
        <Card title={t('recon.checks')} extra={<Link to="/platform/ledger">{t('recon.openLedger')}</Link>}>
          <ul class="recon-checks" data-testid="recon-checks">
            <For each={r().checks}>
              {(c) => (
                <li>
                  <span>{checkName(c.name)}</span>
                  <Badge status={c.ok ? 'passed' : 'failed'} />
                </li>
              )}
            </For>
          </ul>
        </Card>
      </div>

      <Card title={t('recon.merchants')}>
        <Table
          rows={r().merchants}
          testId="recon-merchants"
          empty={t('recon.noMerchants')}
          columns={[
            {
              label: t('recon.col.merchant'),
              render: (m) => (
                <Link to={`/merchants/${m.merchantId}/statement`} class="nowrap">
                  {m.name}
                </Link>
              ),
            },
            { label: t('recon.col.inStore'), align: 'right', render: (m) => formatFen(m.inStoreSales) },
            { label: t('recon.col.online'), align: 'right', render: (m) => formatFen(m.onlineSales) },
            { label: t('recon.col.vouchers'), align: 'right', render: (m) => formatPoints(m.vouchersIssued) },
            {
              label: t('recon.col.adCharged'),
              align: 'right',
              render: (m) => (
                <span class={m.adPointsCharged === m.expectedAdPointsCharged ? '' : 'bad-text'}>
                  {formatPoints(m.adPointsCharged)}
                </span>
              ),
            },
            {
              label: t('recon.col.adExpected'),
              align: 'right',
              render: (m) => formatPoints(m.expectedAdPointsCharged),
            },
            { label: t('recon.col.topups'), align: 'right', render: (m) => formatFen(m.topups) },
            { label: t('recon.col.adPointsEnd'), align: 'right', render: (m) => formatPoints(m.adPoints) },
            { label: t('recon.col.ecoPointsEnd'), align: 'right', render: (m) => formatPoints(m.ecoPoints) },
          ]}
        />
      </Card>
      <Card title={t('recon.suppliers')}>
        <Table
          rows={r().suppliers}
          testId="recon-suppliers"
          empty={t('recon.noSuppliers')}
          columns={[
            { label: t('recon.col.supplier'), render: (s) => <span class="nowrap">{s.name}</span> },
            { label: t('recon.col.settled'), align: 'right', render: (s) => formatFen(s.settled) },
            { label: t('recon.col.paidOut'), align: 'right', render: (s) => formatFen(s.paidOut) },
            { label: t('recon.col.payable'), align: 'right', render: (s) => formatFen(s.payable) },
          ]}
        />
      </Card>
    </>
  );
}

const checkName = (name: string) =>
  i18n.has(`check.${name}`) ? t(`check.${name}` as Key) : t('recon.checkOther');

/** Which amounts a difference compares: fen for Stripe, hundredths of ad points for charges. */
const amountOf = (d: Difference, v: number | null) =>
  v === null ? '—' : d.kind === 'ad_points_charge_mismatch' ? formatPoints(v) : formatFen(v);

/** What kind of object a subject is, from its id's prefix (ids are never shown). */
function objectWords(subject: string): string {
  if (subject.startsWith('top_')) return t('recon.obj.topup');
  if (subject.startsWith('ord_')) return t('recon.obj.order');
  if (subject.startsWith('sal_')) return t('recon.obj.sale');
  if (subject.startsWith('ch_') || subject.startsWith('py_')) return t('recon.obj.charge');
  if (subject.startsWith('re_')) return t('recon.obj.refund');
  if (subject.startsWith('dp_') || subject.startsWith('du_')) return t('recon.obj.dispute');
  if (subject.startsWith('evt_')) return t('recon.obj.event');
  return t('recon.obj.entry');
}

/** Every difference, never hidden; each opens to the facts and the pages behind it. */
function Differences(props: { report: ReconciliationReport }) {
  const [open, setOpen] = createSignal<number | null>(null);
  const merchantName = (id: string) => props.report.merchants.find((m) => m.merchantId === id)?.name ?? '';
  const headline = (d: Difference) => {
    const key = `recon.diff.${d.kind}`;
    const params = {
      merchant: merchantName(d.subject),
      check: checkName(d.subject),
      expected: amountOf(d, d.expected),
      actual: amountOf(d, d.actual),
    };
    return i18n.has(key) ? t(key as Key, params) : t('recon.diff.other');
  };
  return (
    <Show
      when={props.report.differences.length > 0}
      fallback={<p class="muted">{t('recon.noDifferences')}</p>}
    >
      <ol class="recon-diffs" data-testid="recon-differences">
        <For each={props.report.differences}>
          {(d, i) => (
            <li classList={{ open: open() === i(), handled: Boolean(d.handled) }}>
              <button
                type="button"
                class="recon-diff-head"
                data-testid="recon-diff"
                aria-expanded={open() === i()}
                onClick={() => setOpen(open() === i() ? null : i())}
              >
                <Show
                  when={d.handled}
                  fallback={<span class="badge badge-danger">{t('recon.difference')}</span>}
                >
                  <span class="badge badge-ok">{t('recon.handled')}</span>
                </Show>
                <span>{headline(d)}</span>
                <span class="muted">{open() === i() ? '▴' : '▾'}</span>
              </button>
              <Show when={open() === i()}>
                <div class="recon-diff-body" data-testid="recon-diff-detail">
                  <dl class="recon-facts">
                    <Show when={d.expected !== null}>
                      <dt>{t('recon.expected')}</dt>
                      <dd>{amountOf(d, d.expected)}</dd>
                    </Show>
                    <Show when={d.actual !== null}>
                      <dt>{t('recon.actual')}</dt>
                      <dd>{amountOf(d, d.actual)}</dd>
                    </Show>
                  </dl>
                  <DrillDown difference={d} merchantName={merchantName(d.subject)} />
                </div>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}

/** The objects behind one difference: a back-office page where there is one, else the facts in words. */
function DrillDown(props: { difference: Difference; merchantName: string }): JSX.Element {
  const d = () => props.difference;
  const [copied, setCopied] = createSignal(false);
  // Stripe's and the ledger's own references are for searching elsewhere (the Stripe dashboard):
  // copied, not shown.
  const copy = () =>
    navigator.clipboard?.writeText(d().subject).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  const copyButton = (
    <button type="button" class="btn btn-ghost btn-small" data-testid="recon-copy-ref" onClick={copy}>
      {copied() ? t('recon.copied') : t('recon.copyRef')}
    </button>
  );
  switch (d().kind) {
    case 'ad_points_charge_mismatch':
      return (
        <p>
          {t('recon.drill.adPoints', { merchant: props.merchantName })}{' '}
          <Link to={`/merchants/${d().subject}/statement`}>{t('recon.openStatement')}</Link>{' '}
          <Link to={`/merchants/${d().subject}/points`}>{t('recon.openPoints')}</Link>
        </p>
      );
    case 'ledger_check_failed':
      return (
        <p>
          {t('recon.drill.check')} <Link to="/platform/ledger">{t('recon.openLedger')}</Link>
        </p>
      );
    case 'stripe_event_unmatched':
      return (
        <>
          <p>
            {t('recon.drill.event')} <Link to="/platform/stripe">{t('recon.openStripe')}</Link> {copyButton}
          </p>
          <Show when={d().handled}>
            {(handling) => <AnomalyResolution handling={handling()} testid="recon-diff-handled" />}
          </Show>
        </>
      );
    case 'stripe_dispute_not_in_ledger':
      return (
        <p>
          {t('recon.drill.dispute')} {copyButton}
        </p>
      );
    case 'stripe_charge_not_in_ledger':
    case 'stripe_amount_mismatch':
    case 'ledger_entry_without_stripe_charge':
      return (
        <p>
          {t('recon.drill.payment', { object: objectWords(d().subject) })}{' '}
          <Link to="/platform/stripe">{t('recon.openStripe')}</Link> {copyButton}
        </p>
      );
    default:
      return <p>{t('recon.drill.stripeTotals')}</p>;
  }
}
