import { formatFen, formatPoints, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api, type QueuedWithdrawal } from '../../api';
import {
  Alert,
  Badge,
  Card,
  ErrorNote,
  Field,
  formatDate,
  Link,
  Loaded,
  PageHeader,
  Segmented,
  Table,
  useAction,
} from '../../components/ui';
import { type Key, t } from '../../i18n';

type Status = 'pending' | 'paid' | 'rejected';
type Decision = { kind: 'approve' | 'reject'; w: QueuedWithdrawal };

/** Who asked: the merchant by name, or a consumer by masked phone. */
const holderOf = (w: QueuedWithdrawal) =>
  w.merchantName
    ? t('wd.merchantHolder', { name: w.merchantName, phone: w.requestedBy })
    : t('wd.consumerHolder', { phone: w.requestedBy });

/**
 * The operators' withdrawal queue (SPEC flow 4 and section 7): approve once paid by bank, with the
 * payout reference, or reject with a reason; each behind a confirmation step. The page says
 * whether the switch is on and that running withdrawals for real needs a licensed payout partner.
 */
export function Withdrawals() {
  const [status, setStatus] = createSignal<Status>('pending');
  const [list, { refetch }] = createResource(status, api.platformWithdrawals);
  const [terms] = createResource(() => api.ecoTerms());
  const [deciding, setDeciding] = createSignal<Decision | null>(null);
  const [text, setText] = createSignal('');
  const [notice, setNotice] = createSignal<string | null>(null);
  const decide = useAction(async (e: Event) => {
    e.preventDefault();
    const d = deciding()!;
    const value = text().trim();
    if (d.kind === 'approve') {
      await api.approveWithdrawal(d.w.id, value);
      setNotice(t('wd.approved', { holder: holderOf(d.w), amount: formatFen(d.w.amount) }));
    } else {
      await api.rejectWithdrawal(d.w.id, value);
      setNotice(t('wd.rejected', { holder: holderOf(d.w), points: formatPoints(d.w.ecoPoints) }));
    }
    setDeciding(null);
    setText('');
    refetch();
  });
  const open = (d: Decision) => {
    setNotice(null);
    decide.setError(null);
    setText('');
    setDeciding(d);
  };

  return (
    <div class="page">
      <PageHeader title={t('wd.title')} subtitle={t('wd.subtitle')} />
      <Alert tone="warn" testId="payout-partner">
        <strong>{t('wd.partnerTitle')}</strong> {t('wd.partnerBody')}
      </Alert>
      <Show when={terms()}>
        {(r) => (
          <Alert tone={r().withdrawalsEnabled ? 'ok' : 'info'} testId="withdrawal-switch">
            {r().withdrawalsEnabled ? t('wd.switchOn') : t('wd.switchOff')}{' '}
            {t('wd.terms', {
              minimum: formatPoints(r().withdrawalMinimumEcoPoints),
              fee: `${formatPoints(r().withdrawalFeeBp)}%`,
              price: formatFen(r().ecoPointUnitPriceFen),
            })}{' '}
            <Link to="/platform/parameters">{t('wd.toParameters')}</Link>
          </Alert>
        )}
      </Show>
      <div class="toolbar">
        <Segmented
          options={['pending', 'paid', 'rejected'] as const}
          value={status()}
          label={(s) => t(`status.withdrawal_${s}` as Key)}
          onChange={(s) => {
            setDeciding(null);
            setNotice(null);
            setStatus(s);
          }}
          testId={(s) => `wd-tab-${s}`}
        />
      </div>
      <Show when={notice()}>
        <Alert tone="ok" testId="wd-notice">
          {notice()}
        </Alert>
      </Show>
      <Show when={deciding()}>
        {(d) => (
          <Card title={d().kind === 'approve' ? t('wd.approveTitle') : t('wd.rejectTitle')}>
            <form class="form" onSubmit={(e) => decide.run(e)} data-testid="wd-decision">
              <p data-testid="wd-confirm-text">
                {d().kind === 'approve'
                  ? t('wd.approveConfirm', { holder: holderOf(d().w), amount: formatFen(d().w.amount) })
                  : t('wd.rejectConfirm', { holder: holderOf(d().w), points: formatPoints(d().w.ecoPoints) })}
              </p>
              <Field label={d().kind === 'approve' ? t('wd.reference') : t('wd.reason')}>
                <input
                  class="input"
                  name={d().kind === 'approve' ? 'payoutReference' : 'reason'}
                  value={text()}
                  onInput={(e) => setText(e.currentTarget.value)}
                />
              </Field>
              <ErrorNote error={decide.error()} />
              <div class="row">
                <button
                  type="submit"
                  class="btn btn-primary"
                  data-testid="wd-confirm"
                  disabled={decide.busy() || !text().trim()}
                >
                  {d().kind === 'approve' ? t('wd.approveYes') : t('wd.rejectYes')}
                </button>
                <button type="button" class="btn btn-ghost" onClick={() => setDeciding(null)}>
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
              testId="wd-table"
              empty={t('wd.empty')}
              columns={[
                { label: t('col.time'), render: (w) => formatDate(w.createdAt) },
                { label: t('col.holder'), render: (w) => holderOf(w) },
                {
                  label: t('col.ecoPoints'),
                  align: 'right',
                  render: (w) => <span class="num">{formatPoints(w.ecoPoints)}</span>,
                },
                {
                  label: t('col.fee'),
                  align: 'right',
                  render: (w) => <span class="num">{formatPoints(w.fee)}</span>,
                },
                {
                  label: t('col.payout'),
                  align: 'right',
                  render: (w) => <strong class="num">{formatFen(w.amount)}</strong>,
                },
                { label: t('col.status'), render: (w) => <Badge status={`withdrawal_${w.status}`} /> },
                {
                  label: t('col.note'),
                  render: (w) =>
                    w.status === 'paid'
                      ? t('eco.paidRef', { reference: w.payoutReference ?? '—' })
                      : w.status === 'rejected'
                        ? t('eco.rejectedBecause', { reason: w.rejectionReason ?? '—' })
                        : '',
                },
                {
                  label: '',
                  align: 'right',
                  render: (w) => (
                    <Show when={w.status === 'pending'}>
                      <span class="row">
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          data-testid={`wd-approve-${w.id}`}
                          onClick={() => open({ kind: 'approve', w })}
                        >
                          {t('wd.approve')}
                        </button>
                        <button
                          type="button"
                          class="btn btn-ghost btn-small"
                          data-testid={`wd-reject-${w.id}`}
                          onClick={() => open({ kind: 'reject', w })}
                        >
                          {t('wd.reject')}
                        </button>
                      </span>
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
