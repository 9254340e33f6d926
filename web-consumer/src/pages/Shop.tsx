import { formatFen, rows } from '@alliance/web-shared';
import { createResource, For, Show } from 'solid-js';
import { addToCart, cart, cartCount, cartTotal, clearCart } from '../cart';
import { Header, Loaded, VoucherQuote } from '../components';
import { t } from '../i18n';
import { api, type Listing, merchantDirectory, ownStock } from '../session';

export function Shop(props: { merchantId: string }) {
  const [listings, { refetch }] = createResource(
    () => props.merchantId,
    (id) => api.get('/v1/merchants/{id}/listings', { params: { path: { id } } }),
  );
  // Whether vouchers are on comes from the public directory (GET /v1/merchants/{id} is for staff only).
  const [directory] = createResource(merchantDirectory);
  const merchant = () => rows(directory()).find((m) => m.id === props.merchantId);
  const name = () => listings()?.merchant.name ?? merchant()?.name ?? '';

  const add = (listing: Listing) => {
    const m = { id: props.merchantId, name: name() };
    if (addToCart(m, listing)) return;
    if (window.confirm(t('shop.cartOther'))) {
      clearCart();
      addToCart(m, listing);
    }
  };

  return (
    <>
      <Header title={name() || t('shop.title')} back="/merchants" />
      <main class="page with-cartbar">
        <Show when={merchant()}>
          {(m) => (
            <div class="card shop-banner">
              <div class="merchant-avatar big">{m().name.slice(0, 1)}</div>
              <div>
                <div class="strong">{m().name}</div>
                <Show when={m().address}>
                  <div class="muted">{m().address}</div>
                </Show>
                <span class={`badge ${m().vouchersActive ? 'badge-brand' : 'badge-warn'}`}>
                  {m().vouchersActive ? t('merchants.active') : t('merchants.paused')}
                </span>
              </div>
            </div>
          )}
        </Show>
        <Loaded resource={listings} retry={refetch}>
          {(data) => (
            <Show
              when={data.merchant.acceptingOrders}
              fallback={
                <div class="empty" data-testid="shop-closed">
                  {t('shop.closed')}
                </div>
              }
            >
              <Show when={rows(data).length > 0} fallback={<div class="empty">{t('shop.empty')}</div>}>
                <div class="product-grid">
                  <For each={rows(data)}>
                    {(item) => {
                      const stock = ownStock(item);
                      const soldOut = stock !== null && stock <= 0;
                      return (
                        <div class="card product" data-testid="listing">
                          <div class="product-img">
                            <Show when={item.imageUrl} fallback={<span>{item.title.slice(0, 1)}</span>}>
                              <img src={item.imageUrl!} alt="" loading="lazy" />
                            </Show>
                          </div>
                          <div class="product-title">{item.title}</div>
                          <div class="muted">
                            {soldOut
                              ? t('shop.soldOut')
                              : stock !== null
                                ? t('shop.stock', { n: stock })
                                : ''}
                            {item.ships === false ? ` ${t('shop.pickup')}` : ''}
                          </div>
                          <div class="spread product-foot">
                            <span class="price num">{formatFen(item.price)}</span>
                            <button
                              type="button"
                              class="btn btn-primary btn-small add"
                              aria-label={t('shop.add')}
                              data-testid="add-to-cart"
                              disabled={soldOut}
                              onClick={() => add(item)}
                            >
                              +
                            </button>
                          </div>
                        </div>
                      );
                    }}
                  </For>
                </div>
              </Show>
            </Show>
          )}
        </Loaded>
      </main>
      <Show
        when={
          cartCount() > 0 && cart()?.merchantId === props.merchantId && listings()?.merchant.acceptingOrders
        }
      >
        <div class="cartbar-quote">
          <VoucherQuote merchantId={props.merchantId} amountFen={cartTotal()} />
        </div>
        <div class="cartbar">
          <a href="/cart" class="cartbar-icon" data-testid="cart-link">
            {t('shop.cart')}
            <span class="cart-count">{cartCount()}</span>
          </a>
          <span class="price num grow">{formatFen(cartTotal())}</span>
          <a href="/cart" class="btn btn-primary">
            {t('shop.checkout')}
          </a>
        </div>
      </Show>
    </>
  );
}
