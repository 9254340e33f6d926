import { formatMinor, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { type Application, api, type Merchant } from '../../api';
import {
  Alert,
  Badge,
  Card,
  confirmDialog,
  ErrorNote,
  formatDate,
  Loaded,
  PageHeader,
  Segmented,
  Table,
  useAction,
} from '../../components/ui';
import { type Key, t } from '../../i18n';

export function Applications() {
  const [kind, setKind] = createSignal<'merchants' | 'suppliers'>('merchants');
  const [status, setStatus] = createSignal<Merchant['status']>('pending');
  const [list, { refetch }] = createResource(
    () => ({ kind: kind(), status: status() }),
    (q) => api.applications(q.kind, q.status),
  );
  const [rejecting, setRejecting] = createSignal<Application | null>(null);
  const [rating, setRating] = createSignal<Application | null>(null);
  const [rate, setRate] = createSignal('');
  const saveRate = useAction(async (e: Event) => {
    e.preventDefault();
    const a = rating()!;
    // Percent with two decimals is exactly basis points: "12.50" → 1250.
    const typed = rate().replace('%', '').trim();
    const bp = typed === '' ? null : parseMinor(typed);
    if (typed !== '' && bp === null) throw new Error(t('form.valueInvalid'));
    const yes = await confirmDialog({
      title:
        bp === null
          ? t('confirm.adRateClear', { name: a.name })
          : t('confirm.adRate', { name: a.name, rate: `${typed}%` }),
      body: t('confirm.adRateBody'),
    });
    if (!yes) return;
    await api.setAdRate(a.id, bp);
    setNotice(t('ops.adRateSaved', { name: a.name }));
    setRating(null);
    setRate('');
    refetch();
  });
  const [reason, setReason] = createSignal('');
  const [notice, setNotice] = createSignal<string | null>(null);
  const approve = useAction(async (a: Application) => {
    if (
      !(await confirmDialog({
        title: t('confirm.approve', { name: a.name }),
        body: t('confirm.approveBody'),
      }))
    )
      return;
    await api.approve(kind(), a.id);
    setNotice(t('ops.approvedOk', { name: a.name }));
    refetch();
  });
  const reject = useAction(async (e: Event) => {
    e.preventDefault();
    const a = rejecting()!;
    await api.reject(kind(), a.id, reason().trim());
    setNotice(t('ops.rejectedOk', { name: a.name }));
    setRejecting(null);
    setReason('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('ops.applicationsTitle')} subtitle={t('ops.applicationsSubtitle')} />
      <div class="toolbar">
        <div class="tabs">
          <button
            type="button"
            class={kind() === 'merchants' ? 'tab active' : 'tab'}
            data-testid="tab-merchants"
            onClick={() => setKind('merchants')}
          >
            {t('ops.merchantApps')}
          </button>
          <button
            type="button"
            class={kind() === 'suppliers' ? 'tab active' : 'tab'}
            data-testid="tab-suppliers"
            onClick={() => setKind('suppliers')}
          >
            {t('ops.supplierApps')}
          </button>
        </div>
        <Segmented
          options={['pending', 'active', 'rejected'] as const}
          value={status()}
          label={(s) => t(`status.${s}` as Key)}
          onChange={setStatus}
        />
      </div>
      <Show when={notice()}>
        <Alert tone="ok" testId="ops-notice">
          {notice()}
        </Alert>
      </Show>
      <ErrorNote error={approve.error()} />
      <Show when={rejecting()}>
        {(a) => (
          <Card title={t('ops.rejectTitle', { name: a().name })}>
            <form class="inline-form" onSubmit={(e) => reject.run(e)}>
              <input
                class="input grow"
                name="reason"
                placeholder={t('ops.reasonPlaceholder')}
                value={reason()}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
              <button type="submit" class="btn btn-primary" disabled={reject.busy() || !reason().trim()}>
                {t('ops.confirmReject')}
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setRejecting(null)}>
                {t('common.cancel')}
              </button>
            </form>
            <ErrorNote error={reject.error()} />
          </Card>
        )}
      </Show>
      <Show when={rating()}>
        {(a) => (
          <Card title={t('ops.adRateTitle', { name: a().name })}>
            <form class="inline-form" onSubmit={(e) => saveRate.run(e)}>
              <div class="input-affix">
                <input
                  class="input"
                  name="adRate"
                  inputmode="decimal"
                  placeholder="15.00"
                  value={rate()}
                  onInput={(e) => setRate(e.currentTarget.value)}
                />
                <span class="affix-end">%</span>
              </div>
              <button type="submit" class="btn btn-primary" disabled={saveRate.busy()}>
                {t('ops.save')}
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setRating(null)}>
                {t('common.cancel')}
              </button>
            </form>
            <p class="muted">{t('ops.adRateHint')}</p>
            <ErrorNote error={saveRate.error()} />
          </Card>
        )}
      </Show>
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="applications"
              empty={t('ops.noApplications')}
              columns={[
                {
                  label: t('col.name'),
                  render: (r) => <strong>{r.name}</strong>,
                },
                ...(kind() === 'merchants'
                  ? [
                      {
                        label: t('apply.category'),
                        render: (r: Application) => ('category' in r ? r.category : null) ?? '—',
                      },
                    ]
                  : []),
                { label: t('apply.address'), render: (r) => r.address ?? '—' },
                { label: t('apply.contact'), render: (r) => r.contact ?? '—' },
                { label: t('col.applied'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.status'),
                  render: (r) => (
                    <span>
                      <Badge status={r.status} />
                      <Show when={r.rejectionReason}>
                        <span class="muted"> {r.rejectionReason}</span>
                      </Show>
                    </span>
                  ),
                },
                ...(kind() === 'merchants' && status() === 'active'
                  ? [
                      {
                        label: t('ops.adRate'),
                        align: 'right' as const,
                        render: (r: Application) => {
                          const bp = 'adRateBp' in r ? r.adRateBp : undefined;
                          return (
                            <span class="row end">
                              <span class="num">{bp === undefined ? '—' : `${formatMinor(bp)}%`}</span>
                              <button
                                type="button"
                                class="btn btn-ghost btn-small"
                                onClick={() => {
                                  setRating(r);
                                  setRate(bp === undefined ? '' : formatMinor(bp, { group: false }));
                                }}
                              >
                                {t('ops.setAdRate')}
                              </button>
                            </span>
                          );
                        },
                      },
                    ]
                  : []),
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={r.status === 'pending'}>
                      <span class="row end">
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          data-testid={`approve-${r.id}`}
                          disabled={approve.busy()}
                          onClick={() => approve.run(r)}
                        >
                          {t('ops.approve')}
                        </button>
                        <button
                          type="button"
                          class="btn btn-ghost btn-small"
                          data-testid={`reject-${r.id}`}
                          onClick={() => setRejecting(r)}
                        >
                          {t('ops.reject')}
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
