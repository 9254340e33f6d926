import { createResource } from 'solid-js';
import { api } from '../../api';
import { Badge, Card, Loaded, PageHeader, Table } from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

export function LedgerVerify() {
  const [result, { refetch }] = createResource(api.ledgerVerify);
  return (
    <div class="page">
      <PageHeader
        title={t('ops.ledgerTitle')}
        subtitle={t('ops.ledgerSubtitle')}
        actions={
          <button type="button" class="btn btn-primary" disabled={result.loading} onClick={() => refetch()}>
            {t('ops.verifyAgain')}
          </button>
        }
      />
      <Loaded resource={result}>
        {(r) => (
          <>
            <div class={`verdict ${r.ok ? 'verdict-ok' : 'verdict-bad'}`} data-testid="ledger-verdict">
              <span class="verdict-icon">{r.ok ? '✓' : '✕'}</span>
              <div>
                <h2>{r.ok ? t('ops.ledgerOk') : t('ops.ledgerBad')}</h2>
                <p class="muted">{t('ops.ledgerChecks', { n: r.checks.length })}</p>
              </div>
            </div>
            <Card>
              <Table
                rows={r.checks}
                columns={[
                  {
                    label: t('col.check'),
                    render: (c) => (i18n.has(`check.${c.name}`) ? t(`check.${c.name}` as Key) : c.name),
                  },
                  { label: t('col.result'), render: (c) => <Badge status={c.ok ? 'passed' : 'failed'} /> },
                  {
                    label: t('col.detail'),
                    // The details are the ledger's own (English, account names): shown folded, for engineers.
                    render: (c) =>
                      c.ok ? (
                        <span class="muted">{t('ops.checkOk')}</span>
                      ) : (
                        <details>
                          <summary>{t('ops.checkFailed')}</summary>
                          <span class="mono muted small">
                            {typeof c.detail === 'string' ? c.detail : JSON.stringify(c.detail)}
                          </span>
                        </details>
                      ),
                  },
                ]}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}
