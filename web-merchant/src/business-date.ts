import { locale } from './i18n';

/** The business time zone (API.md): a business date is a calendar day on Beijing's wall clock. */
const ZONE = 'Asia/Shanghai';

/** Today's business date as `YYYY-MM-DD` (en-CA formats dates that way). */
export function businessToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(now);
}

/** A business date moved by whole days, as `YYYY-MM-DD` (calendar arithmetic in UTC, no zone shift). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The instant (ISO, UTC) of an hour on a business date's wall clock; Beijing keeps UTC+8 all year. */
export const businessInstant = (date: string, hour: string) =>
  new Date(`${date}T${hour.padStart(2, '0')}:00:00+08:00`).toISOString();

/** Seconds since the epoch of a business date's midnight in UTC: the charts' x axis, read back in UTC. */
export const dateSeconds = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/** A business date in the reader's language and format; `short` drops the year (chart axes). */
export function formatBusinessDate(date: string | number, short = false): string {
  const d = typeof date === 'number' ? new Date(date * 1000) : new Date(`${date}T00:00:00Z`);
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'UTC',
    ...(short ? {} : { year: 'numeric' }),
    month: short ? 'numeric' : 'long',
    day: 'numeric',
  }).format(d);
}
