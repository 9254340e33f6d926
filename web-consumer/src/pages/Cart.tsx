import { formatFen, formatPoints, idempotent, newIdempotencyKey, toE164 } from '@alliance/web-shared';
import { useNavigate } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { cart, cartShips, cartTotal, clearCart, setQuantity } from '../cart';
import { Header, VoucherQuote } from '../components';
import { createEcoPoints, EcoPointsApply } from '../eco';
import { i18n, t } from '../i18n';
import { api } from '../session';

export function CartPage() {
  return (
    <>
      <Header title={t('cart.title')} back={cart() ? `/shop/${cart()!.merchantId}` : '/merchants'} />
      <main class="page">
        <Show
          when={cart()}
          fallback={
            <div class="empty">
              <p>{t('cart.empty')}</p>
              <a href="/merchants" class="btn btn-outline">
                {t('orders.goShop')}
              </a>
            </div>
          }
        >
          {(c) => (
            <>
              <section class="card">
                <div class="card-title">
                  {c().merchantName}
                  <button type="button" class="btn btn-ghost btn-small" onClick={clearCart}>
                    {t('cart.clear')}
                  </button>
                </div>
                <ul class="list">
                  <For each={c().lines}>
                    {(line) => (
                      <li data-testid="cart-line">
                        <div class="grow">
                          <div>{line.title}</div>
                          <div class="price num">{formatFen(line.price)}</div>
                        </div>
                        <div class="stepper">
                          <button
                            type="button"
                            onClick={() => setQuantity(line.listingId, line.quantity - 1)}
                          >
                            −
                          </button>
                          <span class="num">{line.quantity}</span>
                          <button
                            type="button"
                            disabled={line.stock != null && line.quantity >= line.stock}
                            onClick={() => setQuantity(line.listingId, line.quantity + 1)}
                          >
                            +
                          </button>
                        </div>
                      </li>
                    )}
                  </For>
                </ul>
                <div class="spread total">
                  <span>{t('cart.total')}</span>
                  <span class="price num" data-testid="cart-total">
                    {formatFen(cartTotal())}
                  </span>
                </div>
                <VoucherQuote merchantId={c().merchantId} amountFen={cartTotal()} />
              </section>
              <Checkout />
            </>
          )}
        </Show>
      </main>
    </>
  );
}

const SHIP_KEY = 'alliance.consumer.shipTo';

/** Delivery address + POST /v1/orders, then off to the (real or fake) Stripe checkout page. */
function Checkout() {
  const saved = (() => {
    try {
      return JSON.parse(localStorage.getItem(SHIP_KEY) ?? 'null') as Record<string, string> | null;
    } catch {
      return null;
    }
  })();
  const [shipTo, setShipTo] = createSignal({
    name: saved?.name ?? '',
    phone: saved?.phone ?? '',
    region: saved?.region ?? '',
    address: saved?.address ?? '',
  });
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const navigate = useNavigate();
  const eco = createEcoPoints(() => {
    const c = cart();
    return c ? { merchantId: c.merchantId, amount: cartTotal() } : null;
  });
  // What is left to pay in money: the quote's cash part when eco-points are applied.
  const toPay = () => (eco.applied() ? (eco.split()?.cashAmount ?? cartTotal()) : cartTotal());
  // One key per checkout attempt, so a double tap cannot create two orders.
  let idempotencyKey = newIdempotencyKey();

  const field = (name: 'name' | 'phone' | 'region' | 'address') => ({
    value: shipTo()[name],
    onInput: (e: InputEvent & { currentTarget: HTMLInputElement }) => {
      setShipTo({ ...shipTo(), [name]: e.currentTarget.value });
      idempotencyKey = newIdempotencyKey();
    },
  });

  const pay = async (e: Event) => {
    e.preventDefault();
    const c = cart();
    if (!c) return;
    const s = shipTo();
    const ships = cartShips();
    if (ships && (!s.name.trim() || !s.phone.trim() || !s.region.trim() || !s.address.trim())) {
      return setError(t('checkout.missing'));
    }
    const phone = toE164(s.phone);
    if (ships && !phone) return setError(t('signin.phoneInvalid'));
    const ecoPoints = eco.applied();
    if (ecoPoints === null) return setError(t('eco.invalid', { max: formatPoints(eco.max()) }));
    setError(null);
    setBusy(true);
    try {
      localStorage.setItem(SHIP_KEY, JSON.stringify(s));
      const order = await api.post('/v1/orders', {
        body: {
          merchantId: c.merchantId,
          items: c.lines.map((l) => ({ listingId: l.listingId, quantity: l.quantity })),
          ...(ships && phone ? { shipTo: { ...s, phone } } : {}),
          ...(ecoPoints > 0 ? { ecoPoints } : {}),
        },
        params: { header: idempotent(idempotencyKey) },
      });
      // The cart stays until the payment succeeds (the order page clears it), so Cancel keeps it.
      // Covered whole by eco-points: paid at once, no checkout page.
      if (!order.checkoutUrl) return navigate(`/orders/${order.id}?checkout=success`);
      window.location.href = order.checkoutUrl;
    } catch (err) {
      setError(i18n.errorText(err));
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={pay} data-testid="checkout">
      <Show when={cartShips()} fallback={<p class="hint">{t('checkout.pickupOnly')}</p>}>
        <div class="card-title">{t('checkout.shipTo')}</div>
        <label class="field">
          <span class="field-label">{t('checkout.name')}</span>
          <input class="input" name="name" autocomplete="name" {...field('name')} />
        </label>
        <label class="field">
          <span class="field-label">{t('checkout.phone')}</span>
          <input class="input" name="phone" type="tel" autocomplete="tel" {...field('phone')} />
        </label>
        <label class="field">
          <span class="field-label">{t('checkout.region')}</span>
          <input
            class="input"
            name="region"
            placeholder={t('checkout.regionPlaceholder')}
            {...field('region')}
          />
        </label>
        <label class="field">
          <span class="field-label">{t('checkout.address')}</span>
          <input class="input" name="address" autocomplete="street-address" {...field('address')} />
        </label>
      </Show>
      <EcoPointsApply eco={eco} />
      <Show when={error()}>
        <p class="error-text" role="alert">
          {error()}
        </p>
      </Show>
      <button type="submit" class="btn btn-primary btn-block" data-testid="pay" disabled={busy()}>
        {busy()
          ? t('checkout.redirecting')
          : toPay() === 0
            ? t('eco.payAll')
            : t('checkout.pay', { amount: formatFen(toPay()) })}
      </button>
    </form>
  );
}
