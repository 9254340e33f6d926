import { formatFen, formatMinor, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { PausedWhileSuspended, useMerchant } from '../../components/MerchantArea';
import { Card, ErrorNote, Loaded, PageHeader, Table, useAction } from '../../components/ui';
import { t } from '../../i18n';

export function Supply() {
  const { id, suspended } = useMerchant();
  const [catalog] = createResource(api.supplyCatalog);
  const [listings, { refetch: refetchListings }] = createResource(() => id, api.listings);
  const [prices, setPrices] = createSignal<Record<string, string>>({});
  const listedPrice = (productId: string) =>
    rows(listings()).find((l) => l.supplierProductId === productId)?.price;
  const [errorFor, setErrorFor] = createSignal<{ id: string; error: unknown } | null>(null);
  const list = useAction(async (productId: string) => {
    setErrorFor(null);
    const fen = parseMinor(prices()[productId] ?? '');
    try {
      if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
      await api.createListing(id, { supplierProductId: productId, price: fen });
      refetchListings();
    } catch (error) {
      setErrorFor({ id: productId, error });
    }
  });
  return (
    <div class="page">
      <PageHeader title={t('supply.title')} subtitle={t('supply.subtitle')} />
      <Card title={t('supply.catalog')}>
        <PausedWhileSuspended />
        <Loaded resource={catalog}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="supply-table"
              columns={[
                { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
                { label: t('col.supplier'), render: (r) => r.supplierName ?? '—' },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.wholesalePrice)}</span>,
                },
                { label: t('col.stock'), align: 'right', render: (r) => <span class="num">{r.stock}</span> },
                {
                  label: t('supply.yourPrice'),
                  render: (r) => (
                    <Show
                      when={listedPrice(r.id) === undefined}
                      fallback={
                        <span class="row">
                          <span class="badge badge-ok">{t('supply.listed')}</span>
                          <span class="num">{formatFen(listedPrice(r.id)!)}</span>
                        </span>
                      }
                    >
                      <div class="cell-form">
                        <div class="input-affix small">
                          <span>¥</span>
                          <input
                            class="input"
                            inputmode="decimal"
                            data-testid={`price-${r.id}`}
                            placeholder={formatMinor(r.wholesalePrice, { group: false })}
                            value={prices()[r.id] ?? ''}
                            onInput={(e) => {
                              const v = e.currentTarget.value;
                              setPrices((p) => ({ ...p, [r.id]: v }));
                            }}
                          />
                        </div>
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          disabled={suspended() || list.busy()}
                          onClick={() => list.run(r.id)}
                        >
                          {t('supply.list')}
                        </button>
                      </div>
                      <Show when={errorFor()?.id === r.id}>
                        <ErrorNote error={errorFor()!.error} />
                      </Show>
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
