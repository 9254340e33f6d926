import { formatPoints, parseMinor, rows, toE164 } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api, type ConsumerFound } from '../../api';
import { Alert, Card, confirmDialog, ErrorNote, Field, PageHeader, useAction } from '../../components/ui';
import { t } from '../../i18n';

/**
 * Operators correct a merchant's ad points, or a consumer's vouchers or eco-points, by hand (a lost
 * dispute, a goodwill credit): an audited adjustment with a reason, after a second look. A consumer
 * is found by the full phone number (one at a time, masked, each lookup recorded; ADR 0017).
 */
export function Adjustments() {
  return (
    <div class="page">
      <PageHeader title={t('adjust.title')} subtitle={t('adjust.subtitle')} />
      <MerchantAdjustment />
      <ConsumerAdjustment />
    </div>
  );
}

function MerchantAdjustment() {
  const [merchants] = createResource(() => api.applications('merchants', 'active'));
  const [merchantId, setMerchantId] = createSignal('');
  const change = createChange();
  const { direction, amount, reason } = change;
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
    change.clear();
  });
  return (
    <>
      <Show when={done()}>
        <Alert tone="ok" testId="adjust-done">
          {done()}
        </Alert>
      </Show>
      <Card title={t('adjust.merchantTitle')}>
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
            <ChangeFields change={change} amountLabel={t('adjust.amount')} />
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
    </>
  );
}

type Change = ReturnType<typeof createChange>;

/** What both forms ask: add or remove, how many points, and why. */
function createChange() {
  const [direction, setDirection] = createSignal<'add' | 'remove'>('add');
  const [amount, setAmount] = createSignal('');
  const [reason, setReason] = createSignal('');
  const clear = () => {
    setAmount('');
    setReason('');
  };
  return { direction, setDirection, amount, setAmount, reason, setReason, clear };
}

/** The direction, amount and reason fields; `namePrefix` keeps the two forms' field names apart. */
function ChangeFields(props: { change: Change; amountLabel: string; namePrefix?: string }) {
  const named = (field: string) =>
    props.namePrefix ? `${props.namePrefix}${field[0]!.toUpperCase()}${field.slice(1)}` : field;
  return (
    <>
      <Field label={t('adjust.direction')}>
        <select
          class="input"
          name={named('direction')}
          value={props.change.direction()}
          onChange={(e) => props.change.setDirection(e.currentTarget.value as 'add' | 'remove')}
        >
          <option value="add">{t('adjust.add')}</option>
          <option value="remove">{t('adjust.remove')}</option>
        </select>
      </Field>
      <Field label={props.amountLabel}>
        <input
          class="input"
          name={named('amount')}
          inputmode="decimal"
          placeholder="100.00"
          value={props.change.amount()}
          onInput={(e) => props.change.setAmount(e.currentTarget.value)}
        />
      </Field>
      <Field label={t('col.reason')}>
        <input
          class="input"
          name={named('reason')}
          value={props.change.reason()}
          onInput={(e) => props.change.setReason(e.currentTarget.value)}
        />
      </Field>
    </>
  );
}

const unitLabel = (unit: 'vouchers' | 'eco_points') =>
  t(unit === 'vouchers' ? 'adjust.vouchers' : 'adjust.ecoPoints');

function ConsumerAdjustment() {
  const [phone, setPhone] = createSignal('');
  const [consumer, setConsumer] = createSignal<ConsumerFound | null>(null);
  const [unit, setUnit] = createSignal<'vouchers' | 'eco_points'>('vouchers');
  const change = createChange();
  const { direction, amount, reason } = change;
  const [done, setDone] = createSignal<string | null>(null);
  const find = useAction(async (e: Event) => {
    e.preventDefault();
    setConsumer(null);
    setDone(null);
    const e164 = toE164(phone());
    if (!e164) throw new Error(t('signin.phoneInvalid'));
    setConsumer(await api.findConsumer(e164));
  });
  const submit = useAction(async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const c = consumer()!;
    const hundredths = parseMinor(amount());
    if (hundredths === null || hundredths <= 0) throw new Error(t('form.amountInvalid'));
    const vars = { phone: c.phone, points: formatPoints(hundredths), unit: unitLabel(unit()) };
    const yes = await confirmDialog({
      title: t(direction() === 'add' ? 'adjust.confirmAddConsumer' : 'adjust.confirmRemoveConsumer', vars),
      body: t('adjust.confirmBody', { reason: reason().trim() }),
    });
    if (!yes) return;
    const res = await api.adjustPoints({
      ownerType: 'consumer',
      ownerId: c.id,
      unit: unit(),
      amount: direction() === 'add' ? hundredths : -hundredths,
      reason: reason().trim(),
    });
    setDone(
      t('adjust.consumerDone', {
        phone: c.phone,
        unit: unitLabel(unit()),
        balance: formatPoints(res.balance),
      }),
    );
    setConsumer({ ...c, [unit() === 'vouchers' ? 'vouchers' : 'ecoPoints']: res.balance });
    change.clear();
  });
  return (
    <>
      <Show when={done()}>
        <Alert tone="ok" testId="consumer-adjust-done">
          {done()}
        </Alert>
      </Show>
      <Card title={t('adjust.consumerTitle')}>
        <form class="inline-form" onSubmit={(e) => find.run(e)}>
          <Field label={t('adjust.consumerPhone')} hint={t('adjust.consumerHint')}>
            <input
              class="input"
              name="consumerPhone"
              inputmode="tel"
              placeholder={t('signin.phonePlaceholder')}
              value={phone()}
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
          </Field>
          <button
            type="submit"
            class="btn btn-outline"
            data-testid="consumer-find"
            disabled={find.busy() || !phone()}
          >
            {t('adjust.find')}
          </button>
        </form>
        <ErrorNote error={find.error()} />
        <Show when={consumer()}>
          {(c) => (
            <form class="form" onSubmit={(e) => submit.run(e)}>
              <p data-testid="consumer-found">
                {t('adjust.consumerFound', {
                  phone: c().phone,
                  vouchers: formatPoints(c().vouchers),
                  ecoPoints: formatPoints(c().ecoPoints),
                })}
              </p>
              <div class="form-grid">
                <Field label={t('adjust.unit')}>
                  <select
                    class="input"
                    name="unit"
                    value={unit()}
                    onChange={(e) => setUnit(e.currentTarget.value as 'vouchers' | 'eco_points')}
                  >
                    <option value="vouchers">{t('adjust.vouchers')}</option>
                    <option value="eco_points">{t('adjust.ecoPoints')}</option>
                  </select>
                </Field>
                <ChangeFields change={change} amountLabel={t('adjust.points')} namePrefix="consumer" />
              </div>
              <ErrorNote error={submit.error()} />
              <button
                type="submit"
                class="btn btn-primary"
                data-testid="consumer-adjust-submit"
                disabled={submit.busy() || !amount().trim() || !reason().trim()}
              >
                {t('adjust.submit')}
              </button>
            </form>
          )}
        </Show>
      </Card>
    </>
  );
}
