import { rows } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { type Application, api } from '../../api';
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
  Segmented,
  Table,
  useAction,
} from '../../components/ui';
import { type Key, t } from '../../i18n';

type Kind = 'merchants' | 'suppliers';

/**
 * Operators suspend an approved merchant or supplier (a reason its staff see, after a second
 * look) and reinstate it; each change is kept with who made it and why (ADR 0017).
 */
export function Organisations() {
  const [kind, setKind] = createSignal<Kind>('merchants');
  const [status, setStatus] = createSignal<'active' | 'suspended'>('active');
  const [list, { refetch }] = createResource(
    () => ({ kind: kind(), status: status() }),
    (q) => api.applications(q.kind, q.status),
  );
  const [notice, setNotice] = createSignal<string | null>(null);
  const [historyOf, setHistoryOf] = createSignal<Application | null>(null);
  const [history, { refetch: refetchHistory }] = createResource(
    () => historyOf() && { kind: kind(), id: historyOf()!.id },
    (q) => api.statusChanges(q.kind, q.id),
  );
  const show = (k: Kind, s: 'active' | 'suspended') => {
    setKind(k);
    setStatus(s);
    setHistoryOf(null);
    setNotice(null);
  };

  const suspend = useAction(async (a: Application) => {
    const reason = await reasonDialog({
      title: t('orgs.suspendTitle', { name: a.name }),
      body: t(kind() === 'merchants' ? 'orgs.suspendMerchantBody' : 'orgs.suspendSupplierBody'),
      input: t('orgs.suspendReason'),
      confirm: t('orgs.suspend'),
    });
    if (reason === null) return;
    await api.suspend(kind(), a.id, reason);
    setNotice(t('orgs.suspendedOk', { name: a.name }));
    refetch();
    refetchHistory();
  });
  const reinstate = useAction(async (a: Application) => {
    const yes = await confirmDialog({
      title: t('orgs.reinstateTitle', { name: a.name }),
      body: t('orgs.reinstateBody'),
      confirm: t('orgs.reinstate'),
    });
    if (!yes) return;
    await api.reinstate(kind(), a.id);
    setNotice(t('orgs.reinstatedOk', { name: a.name }));
    refetch();
    refetchHistory();
  });

  return (
    <div class="page">
      <PageHeader title={t('orgs.title')} subtitle={t('orgs.subtitle')} />
      <div class="toolbar">
        <div class="tabs">
          <For each={['merchants', 'suppliers'] as const}>
            {(k) => (
              <button
                type="button"
                class={kind() === k ? 'tab active' : 'tab'}
                data-testid={`orgs-${k}`}
                onClick={() => show(k, status())}
              >
                {t(k === 'merchants' ? 'orgs.merchants' : 'orgs.suppliers')}
              </button>
            )}
          </For>
        </div>
        <Segmented
          options={['active', 'suspended'] as const}
          value={status()}
          label={(s) => t(`status.${s}` as Key)}
          onChange={(s) => show(kind(), s)}
          testId={(s) => `orgs-status-${s}`}
        />
      </div>
      <Show when={notice()}>
        <Alert tone="ok" testId="orgs-notice">
          {notice()}
        </Alert>
      </Show>
      <ErrorNote error={suspend.error() ?? reinstate.error()} />
      <Show when={historyOf()}>
        {(a) => (
          <Card title={t('orgs.historyTitle', { name: a().name })}>
            <Loaded resource={history}>
              {(page) => (
                <Table
                  rows={rows(page)}
                  testId="orgs-history"
                  empty={t('orgs.noHistory')}
                  columns={[
                    { label: t('col.time'), render: (c) => formatDate(c.changedAt) },
                    {
                      label: t('col.change'),
                      render: (c) =>
                        t('orgs.change', {
                          from: t(`status.${c.fromStatus}` as Key),
                          to: t(`status.${c.toStatus}` as Key),
                        }),
                    },
                    { label: t('col.reason'), render: (c) => c.reason ?? '—' },
                    { label: t('col.changedBy'), render: (c) => c.changedByPhone },
                  ]}
                />
              )}
            </Loaded>
          </Card>
        )}
      </Show>
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="orgs"
              empty={t('orgs.none')}
              columns={[
                { label: t('col.name'), render: (r) => <strong>{r.name}</strong> },
                {
                  label: t('col.status'),
                  render: (r) => (
                    <span>
                      <Badge status={r.status} />
                      <Show when={r.suspensionReason}>
                        <span class="muted"> {r.suspensionReason}</span>
                      </Show>
                    </span>
                  ),
                },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <span class="row end">
                      <Show
                        when={r.status === 'suspended'}
                        fallback={
                          <button
                            type="button"
                            class="btn btn-danger btn-small"
                            data-testid={`suspend-${r.id}`}
                            disabled={suspend.busy()}
                            onClick={() => suspend.run(r)}
                          >
                            {t('orgs.suspend')}
                          </button>
                        }
                      >
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          data-testid={`reinstate-${r.id}`}
                          disabled={reinstate.busy()}
                          onClick={() => reinstate.run(r)}
                        >
                          {t('orgs.reinstate')}
                        </button>
                      </Show>
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid={`history-${r.id}`}
                        onClick={() => setHistoryOf(historyOf()?.id === r.id ? null : r)}
                      >
                        {t(historyOf()?.id === r.id ? 'orgs.hideHistory' : 'orgs.history')}
                      </button>
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
