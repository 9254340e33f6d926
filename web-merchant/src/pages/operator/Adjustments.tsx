import { formatPoints, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api';
import { Alert, Card, confirmDialog, ErrorNote, Field, PageHeader, useAction } from '../../components/ui';
import { t } from '../../i18n';

/**
 * Operators correct a merchant's ad points by hand (a lost dispute, a goodwill credit): an audited
 * adjustment with a reason, after a second look. Consumers' balances are corrected the same way
 * through the API, which needs the consumer's account, not shown here.
 */
export function Adjustments() {
  const [merchants] = createResource(() => api.applications('merchants', 'active'));
  const [merchantId, setMerchantId] = createSignal('');
  const [direction, setDirection] = createSignal<'add' | 'remove'>('add');
  const [amount, setAmount] = createSignal('');
  const [reason, setReason] = createSignal('');
  const [done, setDone] = createSignal<string | null>(null);
  const name = () => rows(merchants()).find((m) => m.id === merchantId())?.name ?? '';
  const submit = useAction(async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const hundredths = parseMinor(amount());
    if (hundredths === null || hundredths <= 0) throw new Error(t('form.amountInvalid'));
    const signed = direction() === 'add' ? hundredths : -hundredths;
    const yes = await confirmDialog({
      title: t(direction() === 'add' ? 'adjust.confirmAdd' : 'adjust.confirmRemove', {
        name: name(),
        points: formatPoints(hundredths),
      }),
      body: t('adjust.confirmBody', { reason: reason().trim() }),
    });
    if (!yes) return;
    const res = await api.adjustPoints({
      ownerType: 'merchant',
      ownerId: merchantId(),
      unit: 'ad_points',
      amount: signed,
      reason: reason().trim(),
    });
    setDone(t('adjust.done', { name: name(), balance: formatPoints(res.balance) }));
    setAmount('');
    setReason('');
  });
  return (
    <div class="page">
      <PageHeader title={t('adjust.title')} subtitle={t('adjust.subtitle')} />
      <Show when={done()}>
        <Alert tone="ok" testId="adjust-done">
          {done()}
        </Alert>
      </Show>
      <Card>
        <form class="form" onSubmit={(e) => submit.run(e)}>
          <div class="form-grid">
            <Field label={t('adjust.merchant')}>
              <select
                class="input"
                name="merchant"
                value={merchantId()}
                onChange={(e) => setMerchantId(e.currentTarget.value)}
              >
                <option value="">{t('adjust.pick')}</option>
                <For each={rows(merchants())}>{(m) => <option value={m.id}>{m.name}</option>}</For>
              </select>
            </Field>
            <Field label={t('adjust.direction')}>
              <select
                class="input"
                name="direction"
                value={direction()}
                onChange={(e) => setDirection(e.currentTarget.value as 'add' | 'remove')}
              >
                <option value="add">{t('adjust.add')}</option>
                <option value="remove">{t('adjust.remove')}</option>
              </select>
            </Field>
            <Field label={t('adjust.amount')}>
              <input
                class="input"
                name="amount"
                inputmode="decimal"
                placeholder="100.00"
                value={amount()}
                onInput={(e) => setAmount(e.currentTarget.value)}
              />
            </Field>
            <Field label={t('col.reason')}>
              <input
                class="input"
                name="reason"
                value={reason()}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </Field>
          </div>
          <ErrorNote error={submit.error()} />
          <button
            type="submit"
            class="btn btn-primary"
            data-testid="adjust-submit"
            disabled={submit.busy() || !merchantId() || !amount().trim() || !reason().trim()}
          >
            {t('adjust.submit')}
          </button>
        </form>
      </Card>
    </div>
  );
}
