import { createEffect, createSignal, For, on } from 'solid-js';
import { addDays, businessToday } from '../business-date';
import { locale, t } from '../i18n';

/**
 * A business date (`YYYY-MM-DD`, Asia/Shanghai) picked as year, month and day in the page's
 * language. A native `<input type="date">` follows the browser's locale instead, so an English
 * Chromium shows mm/dd/yyyy on a Chinese page. Three selects are labelled, keyboard-operable
 * (arrow keys, type-ahead) and fit 390 px. `optional` adds an empty choice to each part; emptying
 * any part clears the value. Business records span the last ten years up to today (Beijing time):
 * dates outside are disabled, and a pick past them (the 20th of this month on the 2nd) is held at the bound.
 * `future` turns the range round, today to a year ahead: when a scheduled change takes effect.
 */
export function DateField(props: {
  value: string;
  onChange: (date: string) => void;
  label: string;
  optional?: boolean;
  future?: boolean;
  testId?: string;
}) {
  const max = () => (props.future ? addDays(businessToday(), 366) : businessToday());
  const min = () => (props.future ? businessToday() : addDays(businessToday(), -3653));
  const [year, setYear] = createSignal('');
  const [month, setMonth] = createSignal('');
  const [day, setDay] = createSignal('');
  createEffect(
    on(
      () => props.value,
      (value) => {
        const [y = '', m = '', d = ''] = value ? value.split('-') : [];
        setYear(y);
        setMonth(m);
        setDay(d);
      },
    ),
  );

  const pad = (n: number) => String(n).padStart(2, '0');
  const years = () => {
    const out: string[] = [];
    for (let y = Number(max().slice(0, 4)); y >= Number(min().slice(0, 4)); y--) out.push(String(y));
    return out;
  };
  const months = Array.from({ length: 12 }, (_, i) => pad(i + 1));
  const daysIn = (y: string, m: string) =>
    y && m ? new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate() : 31;
  const days = () => Array.from({ length: daysIn(year(), month()) }, (_, i) => pad(i + 1));
  // A part is out of range when every date it could make is.
  const outside = (from: string, to: string) => to < min() || from > max();

  const pick = (part: 'year' | 'month' | 'day', value: string) => {
    if (part === 'year') setYear(value);
    if (part === 'month') setMonth(value);
    if (part === 'day') setDay(value);
    const [y, m, d] = [year(), month(), day()];
    if (!y || !m || !d) {
      if (props.optional && !value) props.onChange('');
      return;
    }
    // Held within the month (31 → 30 April) and within the bounds.
    let date = `${y}-${m}-${pad(Math.min(Number(d), daysIn(y, m)))}`;
    if (date > max()) date = max();
    if (date < min()) date = min();
    const [heldY, heldM, heldD] = date.split('-') as [string, string, string];
    setYear(heldY);
    setMonth(heldM);
    setDay(heldD);
    props.onChange(date);
  };

  const name = (opts: Intl.DateTimeFormatOptions, date: string) =>
    new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', ...opts }).format(new Date(`${date}T00:00:00Z`));
  const parts = {
    year: {
      label: () => t('date.year'),
      value: year,
      options: () => years().map((y) => ({ value: y, text: name({ year: 'numeric' }, `${y}-01-01`) })),
      // The years listed are the range's own.
      disabled: () => false,
    },
    month: {
      label: () => t('date.month'),
      value: month,
      options: () =>
        months.map((m) => ({
          value: m,
          text:
            locale() === 'en'
              ? name({ month: 'short' }, `2000-${m}-01`)
              : name({ month: 'numeric' }, `2000-${m}-01`),
        })),
      disabled: (m: string) =>
        !!year() && outside(`${year()}-${m}-01`, `${year()}-${m}-${pad(daysIn(year(), m))}`),
    },
    day: {
      label: () => t('date.day'),
      value: day,
      options: () => days().map((d) => ({ value: d, text: name({ day: 'numeric' }, `2000-01-${d}`) })),
      disabled: (d: string) =>
        !!year() && !!month() && outside(`${year()}-${month()}-${d}`, `${year()}-${month()}-${d}`),
    },
  };
  // Chinese reads year, month, day; English day, month, year ("2 Dec 2026").
  const order = () =>
    locale() === 'en' ? (['day', 'month', 'year'] as const) : (['year', 'month', 'day'] as const);

  return (
    <fieldset class="date-field" aria-label={props.label} data-testid={props.testId}>
      <For each={order()}>
        {(part) => (
          <select
            class="input"
            aria-label={t('date.part', { field: props.label, part: parts[part].label() })}
            data-part={part}
            value={parts[part].value()}
            onChange={(e) => pick(part, e.currentTarget.value)}
          >
            <option value="" disabled={!props.optional} hidden={!props.optional && !!parts[part].value()}>
              {parts[part].label()}
            </option>
            <For each={parts[part].options()}>
              {(o) => (
                <option
                  value={o.value}
                  disabled={parts[part].disabled(o.value)}
                  selected={o.value === parts[part].value()}
                >
                  {o.text}
                </option>
              )}
            </For>
          </select>
        )}
      </For>
    </fieldset>
  );
}
