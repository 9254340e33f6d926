import { useSearchParams } from '@solidjs/router';
import { createResource, onMount, Show } from 'solid-js';
import { api, type PayoutAccount } from '../api';
import { t } from '../i18n';
import { Alert, Card, ErrorNote, formatDate, Loaded, useAction } from './ui';

type Kind = 'merchants' | 'suppliers';

const statusWord = {
  none: 'payouts.accountNone',
  incomplete: 'payouts.accountIncomplete',
  enabled: 'payouts.accountEnabled',
} as const;
const statusTone = { none: 'plain', incomplete: 'warn', enabled: 'ok' } as const;

/** The account's status in words (未设置 / 资料待完善 / 可收款), as a badge. */
export function PayoutAccountBadge(props: { status: PayoutAccount['status']; testId?: string }) {
  return (
    <span class={`badge badge-${statusTone[props.status]}`} data-testid={props.testId}>
      {t(statusWord[props.status])}
    </span>
  );
}

/** What happens next, in words, for the account as Stripe last described it. */
function nextStep(a: PayoutAccount) {
  if (a.status === 'enabled') return t('payouts.nextEnabled');
  if (a.status === 'none') return t('payouts.nextNone');
  return a.detailsSubmitted ? t('payouts.nextReview') : t('payouts.nextIncomplete');
}

/**
 * The payout account (ADR 0016): its status in words, what happens next, and for the owner the
 * button to Stripe's hosted onboarding. Stripe sends the owner back with ?onboarding=return (the
 * status is then asked of Stripe) or, for a used or expired link, ?onboarding=refresh (a new link).
 */
export function PayoutAccountCard(props: { kind: Kind; id: string }) {
  const [search, setSearch] = useSearchParams<{ onboarding?: string }>();
  const returned = search.onboarding === 'return';
  const refresh = useAction(async () => {
    mutate(await api.refreshPayoutAccount(props.kind, props.id));
  });
  // Back from Stripe, the first load asks Stripe itself: a separate read racing the refresh could
  // land last and show the status from before onboarding. If Stripe cannot be asked, the stored
  // status shows with the error beside it.
  const load = async (id: string) => {
    if (!returned) return api.payoutAccount(props.kind, id);
    try {
      return await api.refreshPayoutAccount(props.kind, id);
    } catch (e) {
      refresh.setError(e);
      return api.payoutAccount(props.kind, id);
    } finally {
      setSearch({ onboarding: undefined }, { replace: true });
    }
  };
  const [account, { mutate }] = createResource(() => props.id, load);
  const start = useAction(async () => {
    const { url } = await api.startOnboarding(props.kind, props.id);
    window.location.assign(url);
    // Keep the button busy until the browser leaves.
    await new Promise(() => {});
  });
  onMount(() => {
    if (search.onboarding === 'refresh') start.run();
  });
  return (
    <Card title={t('payouts.account')}>
      <Loaded resource={account}>
        {(a) => (
          <div class="payout-account" data-testid="payout-account">
            <p>
              <PayoutAccountBadge status={a.status} testId="payout-account-status" />
              <Show when={a.statusAt && a.status !== 'none'}>
                {' '}
                <span class="muted">{t('payouts.statusAt', { time: formatDate(a.statusAt) })}</span>
              </Show>
            </p>
            <p class="muted" data-testid="payout-account-next">
              {nextStep(a)}
            </p>
            <Show when={returned && !refresh.error()}>
              <Alert tone="ok" testId="onboarding-returned">
                {t('payouts.returned')}
              </Alert>
            </Show>
            <Show when={start.busy()}>
              <Alert tone="info">{t('payouts.opening')}</Alert>
            </Show>
            <Show
              when={a.mayOnboard}
              fallback={
                <Show when={a.status !== 'enabled'}>
                  <p class="muted">{t('payouts.ownerOnly')}</p>
                </Show>
              }
            >
              <div class="row">
                <button
                  type="button"
                  class={a.status === 'enabled' ? 'btn' : 'btn btn-primary'}
                  data-testid="onboarding-start"
                  disabled={start.busy()}
                  onClick={() => start.run()}
                >
                  {a.status === 'none'
                    ? t('payouts.setUp')
                    : a.status === 'enabled'
                      ? t('payouts.update')
                      : t('payouts.continue')}
                </button>
                <Show when={a.status === 'incomplete'}>
                  <button
                    type="button"
                    class="btn"
                    data-testid="payout-account-refresh"
                    disabled={refresh.busy()}
                    onClick={() => refresh.run()}
                  >
                    {t('payouts.refresh')}
                  </button>
                </Show>
              </div>
            </Show>
          </div>
        )}
      </Loaded>
      <ErrorNote error={start.error() ?? refresh.error()} />
    </Card>
  );
}
