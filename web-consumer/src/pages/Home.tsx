import { formatFen, formatPoints, idempotent, maskPhone, rows } from '@alliance/web-shared';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { Header, Loaded, MemberQr, ProgressBar } from '../components';
import { createEcoPoints, EcoPointsApply } from '../eco';
import { i18n, t } from '../i18n';
import { api, type PendingSale } from '../session';

export function Home() {
  const [me, { refetch: refetchMe }] = createResource(() => api.get('/v1/me'));
  const [wallet, { refetch: refetchWallet }] = createResource(() => api.get('/v1/wallet'));
  // The code shown at the till rotates: 8 digits from the server, valid five minutes, renewed a
  // minute before it runs out, so a screenshot of it is soon useless. The fixed code is the fallback.
  const [rotating, { refetch: renewCode }] = createResource(() => api.post('/v1/me/member-code'));
  const renew = setInterval(() => {
    const r = rotating();
    if (!r || Date.parse(r.expiresAt) - Date.now() < 60_000) void renewCode();
  }, 15_000);
  onCleanup(() => clearInterval(renew));
  const refresh = () => {
    void refetchMe();
    void refetchWallet();
  };

  return (
    <>
      <Header title={t('app.name')} />
      <main class="page">
        {/* First: a sale waiting at the till is the one thing that needs the consumer now. */}
        <PendingSales onChange={refresh} />
        <Loaded resource={me} retry={refetchMe}>
          {(m) => (
            <section class="card member-card" data-testid="member-card">
              <div class="member-head">
                <div>
                  <div class="member-title">{t('home.memberCode')}</div>
                  <div class="muted" data-testid="home-phone">
                    {maskPhone(m.user.phone)}
                  </div>
                </div>
              </div>
              <div class="qr-wrap">
                <MemberQr code={rotating.latest?.code ?? m.memberCode} size={184} />
              </div>
              <div class="member-code num" data-testid="member-code">
                {(rotating.latest?.code ?? m.memberCode).replace(/(.{4})(?=.)/g, '$1 ')}
              </div>
              <p class="hint center">{t('home.memberCodeHint')}</p>
              <Show when={rotating.latest}>
                <p class="hint center" data-testid="member-code-rotates">
                  {t('home.memberCodeRotates')}
                </p>
              </Show>
            </section>
          )}
        </Loaded>

        <section class="card wallet-card">
          <div class="wallet-grid">
            <a href="/history?unit=vouchers" class="wallet-cell">
              <div class="wallet-label">{t('home.vouchers')}</div>
              <div class="wallet-value num" data-testid="wallet-vouchers">
                {wallet()
                  ? formatPoints(wallet()!.vouchers)
                  : (me() && formatPoints(me()!.wallet.vouchers)) || '—'}
              </div>
            </a>
            <a href="/eco-points" class="wallet-cell" data-testid="wallet-eco-link">
              <div class="wallet-label">{t('home.ecoPoints')}</div>
              <div class="wallet-value num" data-testid="wallet-eco">
                {wallet()
                  ? formatPoints(wallet()!.ecoPoints)
                  : (me() && formatPoints(me()!.wallet.ecoPoints)) || '—'}
              </div>
            </a>
          </div>
        </section>

        <Show when={wallet()}>
          {(w) => (
            <section class="card" data-testid="today-card">
              <div class="card-title">
                {t('home.todayTasks')}
                <a href="/tasks" class="btn btn-primary btn-small">
                  {t('home.goWatch')}
                </a>
              </div>
              <div class="spread">
                <span data-testid="today-progress">
                  {t('home.todayProgress', { completed: w().today.completed, required: w().today.required })}
                </span>
                <span class="muted">{t('home.conversionsLeft', { n: w().today.conversionsLeft })}</span>
              </div>
              <ProgressBar value={w().today.completed} max={w().today.required} />
              <p class="hint">{t('home.resets')}</p>
            </section>
          )}
        </Show>
        <Show when={wallet.error}>
          <div class="card">
            <p class="error-text">{i18n.errorText(wallet.error)}</p>
          </div>
        </Show>
      </main>
    </>
  );
}

/** In-store sales the merchant rang up against this member code, waiting for the consumer's yes or no. */
function PendingSales(props: { onChange: () => void }) {
  const [pending, { refetch }] = createResource(() => api.get('/v1/sales/pending'));
  const [message, setMessage] = createSignal<{ tone: 'ok' | 'danger'; text: string } | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  const act = async (sale: PendingSale, action: 'confirm' | 'decline', ecoPoints = 0) => {
    setBusy(sale.id);
    setMessage(null);
    try {
      const init = { params: { path: { id: sale.id }, header: idempotent() } };
      const res =
        action === 'confirm'
          ? await api.post('/v1/sales/{id}/confirm', {
              ...init,
              ...(ecoPoints > 0 ? { body: { ecoPoints } } : {}),
            })
          : await api.post('/v1/sales/{id}/decline', init);
      if (action === 'decline') setMessage({ tone: 'ok', text: t('pending.declined') });
      else if (res.ecoPoints)
        setMessage({
          tone: 'ok',
          text: t('pending.confirmedEco', {
            points: formatPoints(res.ecoPoints),
            cash: formatFen(res.cashDue ?? 0),
            vouchers: formatPoints(res.vouchersIssued),
          }),
        });
      else if (res.reason || !res.vouchersIssued)
        setMessage({ tone: 'danger', text: t('pending.confirmedNoVouchers') });
      else
        setMessage({
          tone: 'ok',
          text: t('pending.confirmed', { vouchers: formatPoints(res.vouchersIssued) }),
        });
      props.onChange();
    } catch (err) {
      setMessage({ tone: 'danger', text: i18n.errorText(err) });
    } finally {
      setBusy(null);
      void refetch();
    }
  };

  const list = () => rows(pending());
  const active = (s: PendingSale) => !s.vouchersPaused;

  return (
    <Show when={list().length > 0 || message()}>
      <section class="card pending-card" data-testid="pending-sales">
        <div class="card-title">{t('pending.title')}</div>
        <Show when={message()}>
          {(m) => (
            <p class={`notice notice-${m().tone}`} data-testid="pending-message">
              {m().text}
            </p>
          )}
        </Show>
        <ul class="list">
          <For each={list()}>
            {(sale) => {
              // The consumer may pay part of the sale with eco-points, quoted before confirming.
              const eco = createEcoPoints(() => ({ saleId: sale.id }));
              return (
                <li class="pending-sale" data-testid="pending-sale">
                  <div class="grow">
                    <div class="strong">{sale.merchantName ?? ''}</div>
                    <div class="muted">
                      {t('pending.amount')} <span class="num">{formatFen(sale.amount)}</span>
                      <Show when={sale.vouchers !== undefined && active(sale) && !eco.applied()}>
                        {' · '}
                        {t('pending.vouchers')} <span class="num">+{formatPoints(sale.vouchers!)}</span>
                      </Show>
                    </div>
                    <Show when={sale.recordedAt}>
                      <div class="muted">{i18n.dateTime(sale.recordedAt!)}</div>
                    </Show>
                    <Show when={!active(sale)}>
                      <p class="notice" data-testid="paused-warning">
                        {t('pending.paused')}
                      </p>
                    </Show>
                    <EcoPointsApply eco={eco} />
                  </div>
                  <div class="stack">
                    <button
                      type="button"
                      class="btn btn-primary btn-small"
                      data-testid="confirm-sale"
                      disabled={busy() !== null || eco.applied() === null}
                      onClick={() => act(sale, 'confirm', eco.applied() ?? 0)}
                    >
                      {t('pending.confirm')}
                    </button>
                    <button
                      type="button"
                      class="btn btn-ghost btn-small"
                      disabled={busy() !== null}
                      onClick={() => act(sale, 'decline')}
                    >
                      {t('pending.decline')}
                    </button>
                  </div>
                </li>
              );
            }}
          </For>
        </ul>
      </section>
    </Show>
  );
}
