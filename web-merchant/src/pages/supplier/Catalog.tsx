import { formatFen, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal } from 'solid-js';
import { api } from '../../api';
import { useSupplier } from '../../components/SupplierArea';
import { Card, ErrorNote, Loaded, PageHeader, Table, useAction } from '../../components/ui';
import { t } from '../../i18n';

export function Catalog() {
  const { id } = useSupplier();
  const [products, { refetch }] = createResource(() => id, api.supplierProducts);
  const [title, setTitle] = createSignal('');
  const [price, setPrice] = createSignal('');
  const [stock, setStock] = createSignal('');
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(price());
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    if (units === null) throw new Error(t('form.stockInvalid'));
    await api.createSupplierProduct(id, { title: title().trim(), wholesalePrice: fen, stock: units });
    setTitle('');
    setPrice('');
    setStock('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('supplier.catalogTitle')} subtitle={t('supplier.catalogSubtitle')} />
      <Card title={t('supplier.newProduct')}>
        <form class="inline-form" onSubmit={(e) => create.run(e)}>
          <input
            class="input grow"
            name="title"
            placeholder={t('col.title')}
            value={title()}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          <input
            class="input w-s"
            name="wholesalePrice"
            inputmode="decimal"
            placeholder={t('supplier.wholesalePlaceholder')}
            value={price()}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
          <input
            class="input w-s"
            name="stock"
            inputmode="numeric"
            placeholder={t('col.stock')}
            value={stock()}
            onInput={(e) => setStock(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-primary" disabled={create.busy() || !title().trim()}>
            {t('products.add')}
          </button>
        </form>
        <ErrorNote error={create.error()} />
      </Card>
      <Card title={t('supplier.products')}>
        <Loaded resource={products}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="supplier-products"
              columns={[
                { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.wholesalePrice)}</span>,
                },
                {
                  label: t('col.stock'),
                  align: 'right',
                  render: (r) => <span class={`num ${r.stock === 0 ? 'neg' : ''}`}>{r.stock}</span>,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
