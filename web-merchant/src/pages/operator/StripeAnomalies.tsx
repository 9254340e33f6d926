import { rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { Card, formatDate, Loaded, PageHeader, Table } from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

export function StripeAnomalies() {
  const [list] = createResource(api.stripeAnomalies);
  return (
    <div class="page">
      <PageHeader title={t('ops.stripeTitle')} subtitle={t('ops.stripeSubtitle')} />
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              empty={t('ops.noAnomalies')}
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.event'), render: (r) => <span class="mono">{r.eventId ?? r.id}</span> },
                {
                  label: t('col.type'),
                  render: (r) =>
                    i18n.has(`anomaly.${r.kind}`) ? t(`anomaly.${r.kind}` as Key) : t('anomaly.other'),
                },
                {
                  label: t('col.object'),
                  render: (r) => <span class="mono small">{r.topupId ?? r.merchantId ?? '—'}</span>,
                },
                {
                  label: t('col.detail'),
                  render: (r) => <span class="mono muted small">{JSON.stringify(r.detail)}</span>,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
