import { formatFen, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal } from 'solid-js';
import { api, type Listing } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import { Card, ErrorNote, Link, Loaded, PageHeader, Table, useAction } from '../../components/ui';
import { t } from '../../i18n';

export function ListingsTable(props: { rows: Listing[] }) {
  return (
    <Table
      rows={props.rows}
      testId="listings-table"
      columns={[
        { label: t('col.title'), render: (r) => <strong>{r.title}</strong> },
        {
          label: t('col.source'),
          render: (r) =>
            r.supplierProductId ? (
              <span class="badge badge-brand">{t('products.supply')}</span>
            ) : (
              t('products.own')
            ),
        },
        {
          label: t('col.price'),
          align: 'right',
          render: (r) => <span class="num">{formatFen(r.price)}</span>,
        },
        { label: t('col.stock'), align: 'right', render: (r) => <span class="num">{r.stock ?? '—'}</span> },
      ]}
    />
  );
}

export function Products() {
  const { id } = useMerchant();
  const [listings, { refetch }] = createResource(() => id, api.listings);
  const [title, setTitle] = createSignal('');
  const [price, setPrice] = createSignal('');
  const [stock, setStock] = createSignal('');
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const fen = parseMinor(price());
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (fen === null || fen <= 0) throw new Error(t('form.amountInvalid'));
    if (units === null) throw new Error(t('form.stockInvalid'));
    await api.createListing(id, { title: title().trim(), price: fen, stock: units });
    setTitle('');
    setPrice('');
    setStock('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader
        title={t('products.title')}
        subtitle={t('products.subtitle')}
        actions={
          <Link to={`/merchants/${id}/supply`} class="btn btn-outline">
            {t('products.fromSupply')}
          </Link>
        }
      />
      <Card title={t('products.new')}>
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
            name="price"
            inputmode="decimal"
            placeholder={t('products.pricePlaceholder')}
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
      <Card title={t('products.list')}>
        <Loaded resource={listings}>{(page) => <ListingsTable rows={rows(page)} />}</Loaded>
      </Card>
    </div>
  );
}
