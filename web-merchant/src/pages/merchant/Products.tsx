import { formatFen, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api, type Listing } from '../../api';
import { PausedWhileSuspended, useMerchant } from '../../components/MerchantArea';
import {
  Badge,
  Card,
  confirmDialog,
  ErrorNote,
  Link,
  Loaded,
  PageHeader,
  Table,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';

/** One row's edit form: title, price, stock (own products), photo URL. */
function EditListing(props: { merchantId: string; listing: Listing; onDone: () => void }) {
  const l = props.listing;
  const [title, setTitle] = createSignal(l.title);
  const [price, setPrice] = createSignal((l.price / 100).toFixed(2));
  const [stock, setStock] = createSignal(String(l.stock));
  const [imageUrl, setImageUrl] = createSignal(l.imageUrl ?? '');
  const save = useAction(async (e: Event) => {
    e.preventDefault();
    const priceFen = parseMinor(price());
    if (priceFen === null || priceFen <= 0) throw new Error(t('form.amountInvalid'));
    const own = !l.supplierProductId;
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (own && units === null) throw new Error(t('form.stockInvalid'));
    if (priceFen !== l.price) {
      const yes = await confirmDialog({
        title: t('products.repriceTitle', {
          title: l.title,
          from: formatFen(l.price),
          to: formatFen(priceFen),
        }),
        confirm: t('products.save'),
      });
      if (!yes) return;
    }
    await api.updateListing(props.merchantId, l.id, {
      price: priceFen,
      ...(own ? { title: title().trim(), stock: units!, imageUrl: imageUrl().trim() || null } : {}),
    });
    props.onDone();
  });
  return (
    <form class="inline-form" onSubmit={(e) => save.run(e)} data-testid="edit-listing">
      <Show when={!l.supplierProductId}>
        <input
          class="input grow"
          name="title"
          value={title()}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </Show>
      <input
        class="input w-s"
        name="price"
        inputmode="decimal"
        aria-label={t('products.pricePlaceholder')}
        value={price()}
        onInput={(e) => setPrice(e.currentTarget.value)}
      />
      <Show when={!l.supplierProductId}>
        <input
          class="input w-s"
          name="stock"
          inputmode="numeric"
          aria-label={t('col.stock')}
          value={stock()}
          onInput={(e) => setStock(e.currentTarget.value)}
        />
        <input
          class="input grow"
          name="imageUrl"
          inputmode="url"
          placeholder={t('products.photoPlaceholder')}
          value={imageUrl()}
          onInput={(e) => setImageUrl(e.currentTarget.value)}
        />
      </Show>
      <button
        type="submit"
        class="btn btn-primary btn-small"
        data-testid="save-listing"
        disabled={save.busy()}
      >
        {t('products.save')}
      </button>
      <button type="button" class="btn btn-ghost btn-small" onClick={props.onDone}>
        {t('common.cancel')}
      </button>
      <ErrorNote error={save.error()} />
    </form>
  );
}

export function ListingsTable(props: { merchantId: string; rows: Listing[]; onChange: () => void }) {
  const [editing, setEditing] = createSignal<string | null>(null);
  const toggle = useAction(async (l: Listing) => {
    if (l.active) {
      const yes = await confirmDialog({
        title: t('products.delistTitle', { title: l.title }),
        body: t('products.delistBody'),
        confirm: t('products.delist'),
      });
      if (!yes) return;
    }
    await api.updateListing(props.merchantId, l.id, { active: !l.active });
    props.onChange();
  });
  return (
    <>
      <ErrorNote error={toggle.error()} />
      <Table
        rows={props.rows}
        testId="listings-table"
        columns={[
          {
            label: t('col.title'),
            render: (r) => (
              <Show
                when={editing() === r.id}
                fallback={
                  <span class="listing-cell">
                    <Show when={r.imageUrl}>
                      <img class="listing-thumb" src={r.imageUrl!} alt="" loading="lazy" />
                    </Show>
                    <strong>{r.title}</strong>
                  </span>
                }
              >
                <EditListing
                  merchantId={props.merchantId}
                  listing={r}
                  onDone={() => {
                    setEditing(null);
                    props.onChange();
                  }}
                />
              </Show>
            ),
          },
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
          {
            label: t('col.stock'),
            align: 'right',
            render: (r) => <span class="num">{r.supplierProductId ? '—' : r.stock}</span>,
          },
          { label: t('col.status'), render: (r) => <Badge status={r.active ? 'active' : 'inactive'} /> },
          {
            label: '',
            align: 'right',
            render: (r) => (
              <span class="row-actions">
                <button
                  type="button"
                  class="btn btn-ghost btn-small"
                  data-testid="edit-listing-button"
                  onClick={() => setEditing(r.id)}
                >
                  {t('products.edit')}
                </button>
                <button
                  type="button"
                  class="btn btn-outline btn-small"
                  data-testid="toggle-listing"
                  disabled={toggle.busy()}
                  onClick={() => toggle.run(r)}
                >
                  {r.active ? t('products.delist') : t('products.relist')}
                </button>
              </span>
            ),
          },
        ]}
      />
    </>
  );
}

export function Products() {
  const { id, suspended } = useMerchant();
  const [listings, { refetch }] = createResource(() => id, api.listings);
  const [title, setTitle] = createSignal('');
  const [price, setPrice] = createSignal('');
  const [stock, setStock] = createSignal('');
  const [photo, setPhoto] = createSignal('');
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const priceFen = parseMinor(price());
    const units = /^\d{1,7}$/.test(stock().trim()) ? Number(stock().trim()) : null;
    if (priceFen === null || priceFen <= 0) throw new Error(t('form.amountInvalid'));
    if (units === null) throw new Error(t('form.stockInvalid'));
    await api.createListing(id, {
      title: title().trim(),
      price: priceFen,
      stock: units,
      ...(photo().trim() ? { imageUrl: photo().trim() } : {}),
    });
    setPhoto('');
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
          <input
            class="input grow"
            name="imageUrl"
            inputmode="url"
            placeholder={t('products.photoPlaceholder')}
            value={photo()}
            onInput={(e) => setPhoto(e.currentTarget.value)}
          />
          <button
            type="submit"
            class="btn btn-primary"
            data-testid="product-add"
            disabled={suspended() || create.busy() || !title().trim()}
          >
            {t('products.add')}
          </button>
        </form>
        <ErrorNote error={create.error()} />
        <PausedWhileSuspended />
      </Card>
      <Card title={t('products.list')}>
        <Loaded resource={listings}>
          {(page) => <ListingsTable merchantId={id} rows={rows(page)} onChange={refetch} />}
        </Loaded>
      </Card>
    </div>
  );
}
