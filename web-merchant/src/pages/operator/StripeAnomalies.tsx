import { formatFen, formatPoints, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api, type StripeAnomaly } from '../../api';
import { AnomalyResolution } from '../../components/AnomalyResolution';
import {
  Alert,
  Card,
  ErrorNote,
  Field,
  formatDate,
  Loaded,
  PageHeader,
  Segmented,
  Table,
  useAction,
} from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

type Status = 'open' | 'resolved';
type Acting = { kind: 'apply' | 'resolve'; a: StripeAnomaly };

/** The figures an event carried, each with its words: money in yuan, points in points. */
const figures: Array<[field: string, key: Key, format: (n: number) => string]> = [
  ['amountTotal', 'anomaly.fig.paid', formatFen],
  ['chargeAmount', 'anomaly.fig.charge', formatFen],
  ['amount', 'anomaly.fig.amount', formatFen],
  ['expectedAmount', 'anomaly.fig.expected', formatFen],
  ['amountRefunded', 'anomaly.fig.refundedTotal', formatFen],
  ['refundedTotalFen', 'anomaly.fig.refundedTotal', formatFen],
  ['unrecordedFen', 'anomaly.fig.unrecorded', formatFen],
  ['orderRefundedFen', 'anomaly.fig.orderRefunded', formatFen],
  ['disputeAmount', 'anomaly.fig.dispute', formatFen],
  ['returnedFen', 'anomaly.fig.returned', formatFen],
  ['adPointsDue', 'anomaly.fig.pointsDue', formatPoints],
  ['adPointsTaken', 'anomaly.fig.pointsTaken', formatPoints],
  ['adPointsUnrecovered', 'anomaly.fig.pointsUnrecovered', formatPoints],
];

/** What happened, in words: the figures the event carried (ids and field names are never shown). */
function describe(a: StripeAnomaly): string {
  const detail = a.detail as Record<string, unknown>;
  const parts = figures.flatMap(([field, key, format]) => {
    const value = detail[field];
    return typeof value === 'number' ? [t(key, { value: format(value) })] : [];
  });
  if (typeof detail.currency === 'string' && detail.currency !== 'cny') parts.push(t('anomaly.fig.currency'));
  return parts.join(t('anomaly.fig.separator')) || t('anomaly.fig.none');
}

/** What the event is about: a top-up, an order, or a payment that matched nothing here. */
const subjectOf = (a: StripeAnomaly) =>
  a.topupId
    ? t('anomaly.subject.topup')
    : typeof (a.detail as { orderId?: unknown }).orderId === 'string'
      ? t('anomaly.subject.order')
      : t('anomaly.subject.payment');

const kindOf = (a: StripeAnomaly) =>
  i18n.has(`anomaly.${a.kind}`) ? t(`anomaly.${a.kind}` as Key) : t('anomaly.other');

/**
 * Payment anomalies (verified Stripe events the platform could not apply on its own), in words.
 * An operator marks one handled with a note (once; who and when are kept), or, for money Stripe
 * returned on an order paid partly with eco-points, applies it as a refund of the matching part of
 * the order after a second look. The Stripe reference can be copied, never shown.
 */
export function StripeAnomalies() {
  const [status, setStatus] = createSignal<Status>('open');
  const [list, { refetch }] = createResource(status, api.stripeAnomalies);
  const [acting, setActing] = createSignal<Acting | null>(null);
  const [note, setNote] = createSignal('');
  const [notice, setNotice] = createSignal<string | null>(null);
  const [copied, setCopied] = createSignal<string | null>(null);
  const act = useAction(async (e: Event) => {
    e.preventDefault();
    const { kind, a } = acting()!;
    if (kind === 'apply') {
      const res = await api.applyAnomalyRefund(a.id, note().trim());
      setNotice(
        t('anomaly.appliedNotice', {
          part: formatFen(res.refund.refunded),
          money: formatFen(res.refund.cashRefunded),
          points: formatPoints(res.refund.ecoPointsReturned),
        }),
      );
    } else {
      await api.resolveAnomaly(a.id, note().trim());
      setNotice(t('anomaly.resolvedNotice'));
    }
    setActing(null);
    setNote('');
    refetch();
  });
  const open = (next: Acting) => {
    setNotice(null);
    act.setError(null);
    setNote('');
    setActing(next);
  };
  const copy = (a: StripeAnomaly) =>
    navigator.clipboard?.writeText(a.eventId).then(
      () => setCopied(a.id),
      () => setCopied(null),
    );

  return (
    <div class="page">
      <PageHeader title={t('ops.stripeTitle')} subtitle={t('ops.stripeSubtitle')} />
      <div class="toolbar">
        <Segmented
          options={['open', 'resolved'] as const}
          value={status()}
          label={(s) => t(`anomaly.tab.${s}` as Key)}
          onChange={(s) => {
            setActing(null);
            setNotice(null);
            setStatus(s);
          }}
          testId={(s) => `anomaly-tab-${s}`}
        />
      </div>
      <Show when={notice()}>
        <Alert tone="ok" testId="anomaly-notice">
          {notice()}
        </Alert>
      </Show>
      <Show when={acting()}>
        {(x) => (
          <Card title={x().kind === 'apply' ? t('anomaly.applyTitle') : t('anomaly.resolveTitle')}>
            <form class="form" onSubmit={(e) => act.run(e)} data-testid="anomaly-action">
              <p>
                {kindOf(x().a)}
                {t('anomaly.fig.separator')}
                {x().a.merchantName ?? '—'}
                {t('anomaly.fig.separator')}
                {describe(x().a)}
              </p>
              <Show when={x().kind === 'apply'}>
                <p data-testid="anomaly-apply-explain">{t('anomaly.applyExplain')}</p>
              </Show>
              <Field label={x().kind === 'apply' ? t('anomaly.noteOptional') : t('anomaly.note')}>
                <textarea
                  class="input"
                  name="note"
                  rows={2}
                  maxLength={500}
                  value={note()}
                  onInput={(e) => setNote(e.currentTarget.value)}
                />
              </Field>
              <ErrorNote error={act.error()} />
              <div class="row">
                <button
                  type="submit"
                  class="btn btn-primary"
                  data-testid="anomaly-confirm"
                  disabled={act.busy() || (x().kind === 'resolve' && !note().trim())}
                >
                  {x().kind === 'apply' ? t('anomaly.applyYes') : t('anomaly.resolveYes')}
                </button>
                <button type="button" class="btn btn-ghost" onClick={() => setActing(null)}>
                  {t('common.cancel')}
                </button>
              </div>
            </form>
          </Card>
        )}
      </Show>
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="anomaly-table"
              empty={status() === 'open' ? t('ops.noAnomalies') : t('anomaly.noneResolved')}
              columns={[
                { label: t('col.time'), render: (a) => formatDate(a.createdAt) },
                { label: t('col.type'), render: (a) => kindOf(a) },
                { label: t('col.merchant'), render: (a) => a.merchantName ?? '—' },
                { label: t('col.object'), render: (a) => subjectOf(a) },
                {
                  label: t('col.detail'),
                  render: (a) => <span data-testid={`anomaly-detail-${a.id}`}>{describe(a)}</span>,
                },
                {
                  label: '',
                  align: 'right',
                  render: (a) => (
                    <span class="row">
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid={`anomaly-copy-${a.id}`}
                        onClick={() => copy(a)}
                      >
                        {copied() === a.id ? t('recon.copied') : t('recon.copyRef')}
                      </button>
                      <Show
                        when={!a.resolvedAt}
                        fallback={<AnomalyResolution handling={a} testid={`anomaly-resolution-${a.id}`} />}
                      >
                        <Show when={a.refundable}>
                          <button
                            type="button"
                            class="btn btn-primary btn-small"
                            data-testid={`anomaly-apply-${a.id}`}
                            onClick={() => open({ kind: 'apply', a })}
                          >
                            {t('anomaly.apply')}
                          </button>
                        </Show>
                        <button
                          type="button"
                          class="btn btn-ghost btn-small"
                          data-testid={`anomaly-resolve-${a.id}`}
                          onClick={() => open({ kind: 'resolve', a })}
                        >
                          {t('anomaly.resolve')}
                        </button>
                      </Show>
                    </span>
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
