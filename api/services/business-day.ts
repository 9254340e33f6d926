/**
 * The business day (营业日): it starts at 00:00 in the configured business time zone. Computed here
 * with Intl from an instant, never from the process's or the database's time zone.
 */

const fallbackZone = 'Asia/Shanghai';
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      // An unknown zone name in the parameters must not take the video flow down.
      return formatter(fallbackZone);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(at: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** `YYYY-MM-DD` of the business day that contains `at`. */
export function businessDate(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** Offset of the zone from UTC at `atMs`, in ms (Asia/Shanghai: +8 h). */
function zoneOffsetMs(atMs: number, timeZone: string): number {
  const w = wallClock(new Date(atMs), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (atMs - (((atMs % 1000) + 1000) % 1000));
}

/** The instant 00:00 of `date` (YYYY-MM-DD) begins in the zone. Two passes settle DST changes. */
export function startOfBusinessDate(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone));
}

/**
 * The last day businessDay worked out: the wallet asks for it on every request, and working it out
 * takes five Intl calls (a few percent of a wallet read's CPU, issue 14). Pure, so always correct.
 */
let lastDay: { timeZone: string; date: string; startsAtMs: number; resetsAtMs: number } | null = null;

/** The business day of `at`, and when the next one starts (when the daily video count resets). */
export function businessDay(at: Date, timeZone: string): { date: string; startsAt: Date; resetsAt: Date } {
  const atMs = at.getTime();
  if (!(lastDay?.timeZone === timeZone && atMs >= lastDay.startsAtMs && atMs < lastDay.resetsAtMs)) {
    const date = businessDate(at, timeZone);
    lastDay = {
      timeZone,
      date,
      startsAtMs: startOfBusinessDate(date, timeZone).getTime(),
      resetsAtMs: startOfBusinessDate(addDays(date, 1), timeZone).getTime(),
    };
  }
  return {
    date: lastDay.date,
    startsAt: new Date(lastDay.startsAtMs),
    resetsAt: new Date(lastDay.resetsAtMs),
  };
}

/** `YYYY-MM-DD HH:mm:ss` on the zone's wall clock: how people read an instant (CSV exports). */
export function formatBusinessDateTime(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}

/** The business date `days` after `date` (YYYY-MM-DD; negative goes back): calendar arithmetic only. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
