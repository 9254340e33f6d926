import { formatFen, rows } from '@alliance/web-shared';
import { createResource, For, Show } from 'solid-js';
import { Header, Loaded, StatusBadge } from '../components';
import { i18n, t } from '../i18n';
import { api, type Order, useMerchantNames } from '../session';

const itemsText = (o: Order) => o.items.map((i) => `${i.title} ×${i.quantity}`).join(t('orders.itemSep'));

export function Orders() {
  const [orders, { refetch }] = createResource(() => api.get('/v1/orders'));
  const merchantName = useMerchantNames();
  return (
    <>
      <Header title={t('orders.title')} />
      <main class="page">
        <Loaded resource={orders} retry={refetch}>
          {(data) => (
            <Show
              when={rows(data).length > 0}
              fallback={
                <div class="empty">
                  <p>{t('orders.empty')}</p>
                  <a href="/merchants" class="btn btn-outline">
                    {t('orders.goShop')}
                  </a>
                </div>
              }
            >
              <For each={rows(data)}>
                {(o) => (
                  <a href={`/orders/${o.id}`} class="card order" data-testid="order">
                    <div class="spread">
                      <span class="strong">{merchantName(o)}</span>
                      <StatusBadge status={o.status} />
                    </div>
                    <div class="muted ellipsis">{itemsText(o)}</div>
                    <div class="spread">
                      <span class="muted">{o.createdAt ? i18n.dateTime(o.createdAt) : ''}</span>
                      <span class="price num">{formatFen(o.amount)}</span>
                    </div>
                  </a>
                )}
              </For>
            </Show>
          )}
        </Loaded>
      </main>
    </>
  );
}
