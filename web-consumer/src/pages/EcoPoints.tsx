import {
  type ApiData,
  formatFen,
  formatMinor,
  formatPoints,
  idempotent,
  parseMinor,
  rows,
} from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { Header, Loaded } from '../components';
import '../eco.css';
import { i18n, type Key, t } from '../i18n';
import { api, merchantDirectory } from '../session';

type Withdrawal = ApiData<'get', '/v1/withdrawals'>['data'][number];

const terms = (ecoPoints?: number) =>
  api.get('/v1/eco-points/terms', { params: { query: ecoPoints === undefined ? {} : { ecoPoints } } });

/** Basis points as a percentage: 150 → "1.50%". */
const percent = (bp: number) => `${formatMinor(bp)}%`;

/**
 * My eco-points: usable and held, where they can be spent (any member merchant), and, when the
 * platform has switched withdrawals on, a withdrawal form (fee and cash shown before confirming)
 * with my withdrawals.
 */
export function EcoPointsPage() {
  const [wallet, { refetch: refetchWallet }] = createResource(() => api.get('/v1/wallet'));
  const [rules] = createResource(() => terms());
  const [withdrawals, { refetch: refetchWithdrawals }] = createResource(() => api.get('/v1/withdrawals'));
  const [directory] = createResource(merchantDirectory);
  const shops = () => rows(directory()).slice(0, 4);
  const refresh = () => {
    void refetchWallet();
    void refetchWithdrawals();
  };

  return (
    <>
      <Header title={t('eco.title')} back="/" />
      <main class="page">
        <Loaded resource={wallet} retry={refetchWallet}>
          {(w) => (
            <section class="card" data-testid="eco-balance">
              <div class="eco-balance">
                <div>
                  <div class="muted">{t('eco.usable')}</div>
                  <div class="value num" data-testid="eco-usable">
                    {formatPoints(w.ecoPoints)}
                  </div>
                </div>
                <div>
                  <div class="muted">{t('eco.held')}</div>
                  <div class="held num" data-testid="eco-held">
                    {formatPoints(w.ecoPointsHeld)}
                  </div>
                </div>
              </div>
              <p class="hint">{t('eco.heldHint')}</p>
              <a href="/history?unit=eco_points" class="btn btn-ghost btn-small">
                {t('eco.history')}
              </a>
            </section>
          )}
        </Loaded>

        <section class="card" data-testid="eco-where">
          <div class="card-title">{t('eco.whereTitle')}</div>
          <p>
            {t('eco.whereBody', {
              price: rules() ? formatFen(rules()!.ecoPointUnitPriceFen) : '—',
            })}
          </p>
          <ul class="list">
            <For each={shops()}>
              {(m) => (
                <li>
                  <span class="grow">{m.name}</span>
                  <a href={`/shop/${m.id}`} class="btn btn-ghost btn-small">
                    {t('merchants.shop')}
                  </a>
                </li>
              )}
            </For>
          </ul>
          <a href="/merchants" class="btn btn-outline btn-block">
            {t('eco.allMerchants')}
          </a>
        </section>

        <Show when={rules()}>
          {(r) => (
            <Show
              when={r().withdrawalsEnabled}
              fallback={
                <section class="card">
                  <div class="card-title">{t('eco.withdrawTitle')}</div>
                  <p class="muted" data-testid="withdrawals-off">
                    {t('eco.withdrawOff')}
                  </p>
                </section>
              }
            >
              <WithdrawForm
                minimum={r().withdrawalMinimumEcoPoints}
                feeBp={r().withdrawalFeeBp}
                usable={wallet()?.ecoPoints ?? 0}
                onDone={refresh}
              />
            </Show>
          )}
        </Show>

        <Show when={rows(withdrawals()).length > 0}>
          <section class="card" data-testid="withdrawals">
            <div class="card-title">{t('eco.withdrawals')}</div>
            <ul class="list">
              <For each={rows(withdrawals())}>{(w) => <WithdrawalRow w={w} />}</For>
            </ul>
          </section>
        </Show>
      </main>
    </>
  );
}

function WithdrawalRow(props: { w: Withdrawal }) {
  const w = props.w;
  const statusKey = `withdraw.status.${w.status}`;
  return (
    <li data-testid="withdrawal">
      <div class="grow">
        <div>{t('eco.withdrawRow', { points: formatPoints(w.ecoPoints), amount: formatFen(w.amount) })}</div>
        <div class="muted">{i18n.dateTime(w.createdAt)}</div>
        <Show when={w.status === 'rejected' && w.rejectionReason}>
          <div class="muted">{t('eco.rejectedBecause', { reason: w.rejectionReason! })}</div>
        </Show>
        <Show when={w.status === 'paid' && w.payoutReference}>
          <div class="muted">{t('eco.payoutReference', { reference: w.payoutReference! })}</div>
        </Show>
      </div>
      <span
        class={`badge ${w.status === 'paid' ? 'badge-ok' : w.status === 'rejected' ? 'badge-danger' : 'badge-warn'}`}
      >
        {i18n.has(statusKey) ? t(statusKey as Key) : t('kind.other')}
      </span>
    </li>
  );
}

/** Amount, then the fee and the cash from the server's own rounding, then a confirmation step. */
function WithdrawForm(props: { minimum: number; feeBp: number; usable: number; onDone: () => void }) {
  const [text, setText] = createSignal('');
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const points = () => parseMinor(text());
  const [preview] = createResource(
    () => {
      const p = points();
      return p !== null && p > 0 ? p : false;
    },
    (p) => terms(p),
  );
  const check = (): string | null => {
    const p = points();
    if (p === null || p <= 0) return t('eco.withdrawInvalid');
    if (p < props.minimum) return t('eco.belowMinimum', { minimum: formatPoints(props.minimum) });
    if (p > props.usable) return t('error.insufficient_eco_points');
    return null;
  };
  const ask = (e: Event) => {
    e.preventDefault();
    setDone(null);
    const problem = check();
    setError(problem);
    if (!problem) setConfirming(true);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const w = await api.post('/v1/withdrawals', {
        body: { ecoPoints: points()! },
        params: { header: idempotent() },
      });
      setDone(t('eco.withdrawDone', { points: formatPoints(w.ecoPoints), amount: formatFen(w.amount) }));
      setText('');
      props.onDone();
    } catch (err) {
      setError(i18n.errorText(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const p = () => preview()?.preview;

  return (
    <form class="card" onSubmit={ask} data-testid="withdraw-form">
      <div class="card-title">{t('eco.withdrawTitle')}</div>
      <p class="hint">
        {t('eco.withdrawRules', {
          minimum: formatPoints(props.minimum),
          fee: percent(props.feeBp),
        })}
      </p>
      <label class="field">
        <span class="field-label">{t('eco.withdrawAmount')}</span>
        <input
          class="input num"
          name="withdrawPoints"
          inputmode="decimal"
          placeholder={formatMinor(props.minimum)}
          value={text()}
          disabled={confirming()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setError(null);
          }}
        />
      </label>
      <Show when={p()}>
        {(q) => (
          <dl class="eco-preview" data-testid="withdraw-preview">
            <div class="spread">
              <dt>{t('eco.fee')}</dt>
              <dd class="num" data-testid="withdraw-fee">
                {formatPoints(q().withdrawalFee)}
              </dd>
            </div>
            <div class="spread strong">
              <dt>{t('eco.cashOut')}</dt>
              <dd class="num" data-testid="withdraw-amount">
                {formatFen(q().withdrawalAmount)}
              </dd>
            </div>
          </dl>
        )}
      </Show>
      <Show when={error()}>
        <p class="error-text" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={done()}>
        <p class="notice notice-ok" data-testid="withdraw-done">
          {done()}
        </p>
      </Show>
      <Show
        when={confirming()}
        fallback={
          <button type="submit" class="btn btn-primary btn-block" data-testid="withdraw-submit">
            {t('eco.withdraw')}
          </button>
        }
      >
        <div class="notice eco-confirm" data-testid="withdraw-confirm">
          <p>
            {t('eco.withdrawConfirm', {
              points: formatPoints(points() ?? 0),
              fee: formatPoints(p()?.withdrawalFee ?? 0),
              amount: formatFen(p()?.withdrawalAmount ?? 0),
            })}
          </p>
          <div class="row">
            <button
              type="button"
              class="btn btn-primary btn-small"
              data-testid="withdraw-confirm-yes"
              disabled={busy() || !p()}
              onClick={confirm}
            >
              {t('eco.withdrawYes')}
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-small"
              disabled={busy()}
              onClick={() => setConfirming(false)}
            >
              {t('common.cancel')}
            </button>
          </div>
        </div>
      </Show>
    </form>
  );
}
