import { formatFen, formatMinor, formatPoints, parseMinor } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { i18n, t } from './i18n';
import { api } from './session';
import './eco.css';

/** What the eco-points pay for: an amount at a merchant (the cart) or an in-store sale waiting for me. */
export type EcoTarget = { merchantId: string; amount: number } | { saleId: string };

const quote = (target: EcoTarget, ecoPoints: number) =>
  api.get('/v1/eco-points/quote', { params: { query: { ...target, ecoPoints } } });

/**
 * The eco-points a consumer applies to one payment, and the server's quote for them: the money
 * part and the vouchers it earns, by the payment's own rules (the app never rounds on its own).
 * `applied()` is the hundredths to send, 0 when none, null while the typed amount is not usable.
 */
export function createEcoPoints(target: () => EcoTarget | null) {
  const [on, setOn] = createSignal(false);
  const [text, setText] = createSignal('');
  // With 0 applied: what the caller may use here (usable now, and worth no more than the amount).
  const [limits] = createResource(
    () => target() ?? false,
    (t) => quote(t, 0),
  );
  const max = () => limits()?.ecoPointsMax ?? 0;
  const applied = (): number | null => {
    if (!on()) return 0;
    const p = parseMinor(text());
    return p === null || p > max() ? null : p;
  };
  const [split] = createResource(
    () => {
      const t = target();
      const p = applied();
      return t && p !== null && p > 0 ? { t, p } : false;
    },
    ({ t, p }) => quote(t, p),
  );
  const toggle = (next: boolean) => {
    setOn(next);
    if (next && !text()) setText(formatMinor(max(), { group: false }));
  };
  return { on, toggle, text, setText, limits, max, applied, split };
}

export type EcoPoints = ReturnType<typeof createEcoPoints>;

/** The "pay with eco-points" box: hidden for a consumer who has none to use here. */
export function EcoPointsApply(props: { eco: EcoPoints; testId?: string }) {
  const eco = props.eco;
  const invalid = () => eco.on() && eco.applied() === null;
  const s = () => (eco.applied() ? eco.split() : undefined);
  return (
    <Show when={(eco.limits()?.ecoPointsUsable ?? 0) > 0}>
      <div class="eco-apply" data-testid={props.testId ?? 'eco-apply'}>
        <label class="check-row">
          <input
            type="checkbox"
            data-testid="eco-toggle"
            checked={eco.on()}
            onChange={(e) => eco.toggle(e.currentTarget.checked)}
          />
          <span class="grow">
            {t('eco.apply')}
            <span class="muted">
              {' '}
              {t('eco.usableHere', {
                usable: formatPoints(eco.limits()!.ecoPointsUsable),
                max: formatPoints(eco.max()),
              })}
            </span>
          </span>
        </label>
        <Show when={eco.on()}>
          <div class="eco-input">
            <input
              class="input num"
              name="ecoPoints"
              inputmode="decimal"
              aria-label={t('eco.amountLabel')}
              value={eco.text()}
              onInput={(e) => eco.setText(e.currentTarget.value)}
            />
            <button
              type="button"
              class="btn btn-ghost btn-small"
              onClick={() => eco.setText(formatMinor(eco.max(), { group: false }))}
            >
              {t('eco.useMax')}
            </button>
          </div>
          <Show when={invalid()}>
            <p class="error-text" role="alert">
              {t('eco.invalid', { max: formatPoints(eco.max()) })}
            </p>
          </Show>
          <Show when={eco.split.error}>
            <p class="error-text" role="alert">
              {i18n.errorText(eco.split.error)}
            </p>
          </Show>
          <Show when={s()}>
            {(q) => (
              <dl class="eco-split" data-testid="eco-split">
                <div class="spread">
                  <dt>{t('eco.pointsPart', { points: formatPoints(q().ecoPoints) })}</dt>
                  <dd class="num">-{formatFen(q().ecoPointsValue)}</dd>
                </div>
                <div class="spread strong">
                  <dt>{t('eco.cashPart')}</dt>
                  <dd class="num" data-testid="eco-cash">
                    {formatFen(q().cashAmount)}
                  </dd>
                </div>
                <div class="spread muted">
                  <dt>{t('eco.vouchersEarned')}</dt>
                  <dd class="num" data-testid="eco-vouchers">
                    +{formatPoints(q().vouchers)}
                  </dd>
                </div>
              </dl>
            )}
          </Show>
          <p class="hint">{t('eco.rule')}</p>
        </Show>
      </div>
    </Show>
  );
}
