import { formatFen, formatMinor, formatPoints, parseMinor } from '@alliance/web-shared';
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { api } from '../../api';
import { businessInstant } from '../../business-date';
import { DateField } from '../../components/DateField';
import {
  Alert,
  Card,
  confirmDialog,
  ErrorNote,
  Field,
  formatDate,
  PageHeader,
  Table,
  useAction,
} from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

type Unit = 'fen' | 'bp' | 'points' | 'count' | 'text';
/** The unit a parameter is kept in follows its name (amountFen, adRateBp, ...AdPoints). */
export function unitOf(name: string, value: unknown): Unit {
  if (typeof value === 'string') return 'text';
  if (/Fen$/.test(name)) return 'fen';
  if (/Bp$/.test(name)) return 'bp';
  if (/(AdPoints|EcoPoints|Vouchers|PerYuan)$/.test(name)) return 'points';
  return 'count';
}
const WEEKDAYS = ['0', '1', '2', '3', '4', '5', '6'] as const;

/** A schedule in words for the cron forms the picker writes ("M H * * D" or "M H * * *"). */
export function scheduleWords(cron: string): string {
  const m = /^(\d{1,2}) (\d{1,2}) \* \* (\*|[0-6])$/.exec(cron.trim());
  if (!m) return t('schedule.custom');
  const time = `${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')}`;
  return m[3] === '*'
    ? t('schedule.daily', { time })
    : t('schedule.weekly', { day: t(`weekday.${m[3]}` as Key), time });
}

export function showValue(name: string, value: number | string): string {
  const unit = unitOf(name, value);
  if (name === 'withdrawalsEnabled') return value ? t('ops.on') : t('ops.off');
  if (name === 'supplierSettlementTrigger') return t(`trigger.${value}` as Key);
  if (name === 'supplierPayoutCron') return scheduleWords(String(value));
  if (name === 'businessTimeZone') return value === 'Asia/Shanghai' ? t('ops.beijingTime') : String(value);
  if (unit === 'text' || typeof value === 'string') return String(value);
  if (unit === 'fen') return formatFen(value);
  if (unit === 'bp') return `${formatMinor(value)}%`;
  if (unit === 'points') return formatPoints(value);
  return String(value);
}
/** What the operator typed, in the unit shown, back to the stored integer (or text). */
export function parseValue(unit: Unit, text: string, name = ''): number | string | null {
  if (name === 'withdrawalsEnabled') return text === '1' ? 1 : text === '0' ? 0 : null;
  if (unit === 'text') return text.trim() || null;
  if (unit === 'count') return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
  return parseMinor(text.replace(/[¥%\s]/g, ''));
}
const paramLabel = (name: string) =>
  i18n.has(`param.${name}`) ? t(`param.${name}` as Key) : t('ops.otherParameter');

export function Parameters() {
  const [overview, { refetch }] = createResource(api.parameters);
  const rows = () =>
    Object.entries(overview()?.values ?? {}).map(([name, value]) => ({
      name,
      value,
      changed: overview()!.defaults[name] !== value,
    }));
  const [name, setName] = createSignal('');
  const [value, setValue] = createSignal('');
  // A scheduled change: a business date and an hour of Beijing time (a native datetime input would
  // follow the browser's language and zone).
  const [effective, setEffective] = createSignal('');
  const [effectiveHour, setEffectiveHour] = createSignal('0');
  const [saved, setSaved] = createSignal(false);
  const selected = () => rows().find((p) => p.name === name());
  const change = useAction(async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const p = selected();
    if (!p) return;
    const parsed = parseValue(unitOf(p.name, p.value), value(), p.name);
    if (parsed === null) throw new Error(t('form.valueInvalid'));
    const yes = await confirmDialog({
      title: t('confirm.parameter', {
        name: paramLabel(p.name),
        value: special.has(p.name) ? showValue(p.name, parsed) : value().trim(),
      }),
      body: effective() ? t('confirm.parameterLater') : t('confirm.parameterNow'),
    });
    if (!yes) return;
    // Empty means "now": the server takes its own clock rather than the browser's.
    await api.changeParameter(
      p.name,
      parsed,
      effective() ? businessInstant(effective(), effectiveHour()) : undefined,
    );
    setSaved(true);
    setValue('');
    setEffective('');
    setEffectiveHour('0');
    refetch();
  });
  const unitHint = () => {
    const p = selected();
    if (!p || special.has(p.name)) return '';
    return t(`unit.${unitOf(p.name, p.value)}` as Key);
  };
  return (
    <div class="page">
      <PageHeader title={t('ops.parametersTitle')} subtitle={t('ops.parametersSubtitle')} />
      <Show when={!overview.error} fallback={<ErrorNote error={overview.error} />}>
        <div class="grid-2 grid-wide-left">
          <Card title={t('ops.current')}>
            <Table
              rows={rows()}
              testId="parameters"
              columns={[
                {
                  label: t('col.parameter'),
                  render: (r) => <span>{paramLabel(r.name)}</span>,
                },
                {
                  label: t('col.value'),
                  align: 'right',
                  render: (r) => (
                    <span>
                      <strong class="num">{showValue(r.name, r.value)}</strong>
                      <Show when={r.changed}>
                        <br />
                        <span class="muted small">
                          {t('ops.default')} {showValue(r.name, overview()!.defaults[r.name]!)}
                        </span>
                      </Show>
                    </span>
                  ),
                },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => setName(r.name)}>
                      {t('ops.change')}
                    </button>
                  ),
                },
              ]}
            />
          </Card>
          <div class="sticky-col">
            <Card title={t('ops.changeTitle')}>
              <form class="form" onSubmit={(e) => change.run(e)}>
                <Field label={t('col.parameter')}>
                  <select
                    class="input"
                    name="name"
                    value={name()}
                    onChange={(e) => setName(e.currentTarget.value)}
                  >
                    <option value="">{t('ops.pickParameter')}</option>
                    <For each={rows()}>{(p) => <option value={p.name}>{paramLabel(p.name)}</option>}</For>
                  </select>
                </Field>
                <Show when={selected()}>
                  {(p) => (
                    <p class="muted">
                      {t('ops.currentValue')} <strong>{showValue(p().name, p().value)}</strong>
                    </p>
                  )}
                </Show>
                <Field label={t('ops.newValue')} hint={unitHint()}>
                  <ValueControl name={name()} value={value()} onChange={setValue} />
                </Field>
                <Field label={t('ops.effectiveFrom')} hint={t('ops.effectiveHint')}>
                  <span class="inline-form">
                    <DateField
                      value={effective()}
                      onChange={setEffective}
                      label={t('ops.effectiveFrom')}
                      optional
                      future
                      testId="effective-date"
                    />
                    <select
                      class="input"
                      name="effectiveHour"
                      aria-label={t('ops.effectiveHour')}
                      value={effectiveHour()}
                      onChange={(e) => setEffectiveHour(e.currentTarget.value)}
                    >
                      <For each={Array.from({ length: 24 }, (_, h) => String(h))}>
                        {(h) => (
                          <option value={h}>{t('ops.hourOption', { hour: h.padStart(2, '0') })}</option>
                        )}
                      </For>
                    </select>
                  </span>
                </Field>
                <ErrorNote error={change.error()} />
                <Show when={saved()}>
                  <Alert tone="ok">{t('ops.saved')}</Alert>
                </Show>
                <button
                  type="submit"
                  class="btn btn-primary"
                  disabled={change.busy() || !selected() || !value().trim()}
                >
                  {t('ops.save')}
                </button>
              </form>
            </Card>
          </div>
        </div>
        <Card title={t('ops.history')}>
          <Table
            rows={overview()?.history}
            testId="parameter-history"
            columns={[
              {
                label: t('col.parameter'),
                render: (r) => (
                  <span>
                    {paramLabel(r.name)}
                    <Show when={r.scope !== 'platform'}>
                      <span class="muted small"> · {t('ops.scopeMerchant')}</span>
                    </Show>
                  </span>
                ),
              },
              {
                label: t('col.value'),
                align: 'right',
                render: (r) => <span class="num">{r.value === null ? '—' : showValue(r.name, r.value)}</span>,
              },
              { label: t('ops.effectiveFrom'), render: (r) => formatDate(r.effectiveFrom) },
              { label: t('col.changedAt'), render: (r) => formatDate(r.changedAt) },
              { label: t('col.changedBy'), render: () => t('ops.byOperator') },
              { label: t('col.reason'), render: (r) => r.reason ?? '—' },
            ]}
          />
        </Card>
      </Show>
    </div>
  );
}

/** Parameters with their own control instead of a typed number. */
const special = new Set([
  'withdrawalsEnabled',
  'supplierSettlementTrigger',
  'supplierPayoutCron',
  'businessTimeZone',
]);

/**
 * The control for a new value: a switch for on/off, a select for the settlement trigger, a
 * weekday + hour picker that writes the payout schedule's cron, else a text field in the unit shown.
 */
function ValueControl(props: { name: string; value: string; onChange: (v: string) => void }) {
  const cronParts = () => {
    const m = /^(\d{1,2}) (\d{1,2}) \* \* (\*|[0-6])$/.exec(props.value);
    return { hour: m?.[2] ?? '2', day: m?.[3] ?? '1' };
  };
  const setCron = (day: string, hour: string) => props.onChange(`0 ${hour} * * ${day}`);
  return (
    <Switch
      fallback={
        <input
          class="input"
          name="value"
          value={props.value}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      }
    >
      <Match when={props.name === 'withdrawalsEnabled'}>
        <label class="switch">
          <input
            type="checkbox"
            name="value"
            role="switch"
            aria-checked={props.value === '1'}
            checked={props.value === '1'}
            ref={() => props.value === '' && queueMicrotask(() => props.onChange('0'))}
            onChange={(e) => props.onChange(e.currentTarget.checked ? '1' : '0')}
          />
          <span>{props.value === '1' ? t('ops.on') : t('ops.off')}</span>
        </label>
      </Match>
      <Match when={props.name === 'supplierSettlementTrigger'}>
        <select
          class="input"
          name="value"
          value={props.value}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        >
          <option value="">{t('ops.pick')}</option>
          <option value="on_shipment">{t('trigger.on_shipment')}</option>
          <option value="on_delivery">{t('trigger.on_delivery')}</option>
        </select>
      </Match>
      <Match when={props.name === 'supplierPayoutCron'}>
        <span class="inline-form">
          <select
            class="input"
            name="weekday"
            value={cronParts().day}
            onChange={(e) => setCron(e.currentTarget.value, cronParts().hour)}
          >
            <option value="*">{t('schedule.everyDay')}</option>
            <For each={WEEKDAYS}>{(d) => <option value={d}>{t(`weekday.${d}` as Key)}</option>}</For>
          </select>
          <select
            class="input"
            name="hour"
            value={cronParts().hour}
            onChange={(e) => setCron(cronParts().day, e.currentTarget.value)}
          >
            <For each={Array.from({ length: 24 }, (_, h) => String(h))}>
              {(h) => <option value={h}>{`${h.padStart(2, '0')}:00`}</option>}
            </For>
          </select>
        </span>
      </Match>
    </Switch>
  );
}
