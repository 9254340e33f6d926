import { createResource } from 'solid-js';
import { api } from '../../api';
import { Bars, Card, formatDate, Loaded, PageHeader, Table } from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

const reasonLabel = (r: string) =>
  i18n.has(`error.${r}`)
    ? t(`error.${r}` as Key)
    : i18n.has(`reason.${r}`)
      ? t(`reason.${r}` as Key)
      : t('ops.otherReason');
/** Bar labels are short: the start of the words. */
const shortLabel = (r: string) => {
  const words = reasonLabel(r);
  return words.length > 8 ? `${words.slice(0, 7)}…` : words;
};

export function Refusals() {
  const [data] = createResource(api.refusals);
  return (
    <div class="page">
      <PageHeader title={t('ops.refusalsTitle')} subtitle={t('ops.refusalsSubtitle')} />
      <Loaded resource={data}>
        {(r) => (
          <>
            <div class="grid-2">
              <Card title={t('ops.refusalsChart')}>
                <Bars points={r.counts.map((c) => ({ label: shortLabel(c.reason), value: c.count }))} />
              </Card>
              <Card title={t('ops.refusalsByReason')}>
                <Table
                  rows={r.counts}
                  testId="refusals"
                  columns={[
                    {
                      label: t('col.reason'),
                      render: (c) => reasonLabel(c.reason),
                    },
                    {
                      label: t('col.count'),
                      align: 'right',
                      render: (c) => <strong class="num">{c.count}</strong>,
                    },
                  ]}
                />
              </Card>
            </div>
            <Card title={t('ops.refusalsRecent')}>
              <Table
                rows={r.recent}
                columns={[
                  { label: t('col.time'), render: (c) => formatDate(c.createdAt) },
                  {
                    label: t('col.stage'),
                    render: (c) => (i18n.has(`stage.${c.stage}`) ? t(`stage.${c.stage}` as Key) : '—'),
                  },
                  { label: t('col.reason'), render: (c) => reasonLabel(c.reason) },
                ]}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}
