import { formatFen, formatMinor, formatPoints, parseMinor } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api';
import { Alert, Card, ErrorNote, Field, formatDate, PageHeader, Table, useAction } from '../../components/ui';
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
export function showValue(name: string, value: number | string): string {
  const unit = unitOf(name, value);
  if (unit === 'text' || typeof value === 'string') return String(value);
  if (unit === 'fen') return formatFen(value);
  if (unit === 'bp') return `${formatMinor(value)}%`;
  if (unit === 'points') return formatPoints(value);
  return String(value);
}
/** What the operator typed, in the unit shown, back to the stored integer (or text). */
export function parseValue(unit: Unit, text: string): number | string | null {
  if (unit === 'text') return text.trim() || null;
  if (unit === 'count') return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
  return parseMinor(text.replace(/[¥%\s]/g, ''));
}
const paramLabel = (name: string) => (i18n.has(`param.${name}`) ? t(`param.${name}` as Key) : name);

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
  const [effective, setEffective] = createSignal('');
  const [saved, setSaved] = createSignal(false);
  const selected = () => rows().find((p) => p.name === name());
  const change = useAction(async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const p = selected();
    if (!p) return;
    const parsed = parseValue(unitOf(p.name, p.value), value());
    if (parsed === null) throw new Error(t('form.valueInvalid'));
    // Empty means "now": the server takes its own clock rather than the browser's.
    await api.changeParameter(p.name, parsed, effective() ? new Date(effective()).toISOString() : undefined);
    setSaved(true);
    setValue('');
    setEffective('');
    refetch();
  });
  const unitHint = () => {
    const p = selected();
    return p ? t(`unit.${unitOf(p.name, p.value)}` as Key) : '';
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
                  render: (r) => (
                    <span>
                      {paramLabel(r.name)}
                      <br />
                      <span class="muted mono small">{r.name}</span>
                    </span>
                  ),
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
                  <input
                    class="input"
                    name="value"
                    value={value()}
                    onInput={(e) => setValue(e.currentTarget.value)}
                  />
                </Field>
                <Field label={t('ops.effectiveFrom')} hint={t('ops.effectiveHint')}>
                  <input
                    class="input"
                    type="datetime-local"
                    name="effectiveFrom"
                    value={effective()}
                    onInput={(e) => setEffective(e.currentTarget.value)}
                  />
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
                      <span class="muted mono small"> · {r.scope}</span>
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
              { label: t('col.changedBy'), render: (r) => <span class="mono small">{r.changedBy}</span> },
              { label: t('col.reason'), render: (r) => r.reason ?? '—' },
            ]}
          />
        </Card>
      </Show>
    </div>
  );
}
