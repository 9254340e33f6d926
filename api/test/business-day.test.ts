import { describe, expect, it } from 'vitest';
import {
  addDays,
  businessDate,
  businessDay,
  formatBusinessDateTime,
  startOfBusinessDate,
} from '../services/business-day';

describe('business day', () => {
  it('starts at 00:00 Asia/Shanghai (16:00 UTC the day before)', () => {
    expect(businessDate(new Date('2026-11-30T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-11-30');
    expect(businessDate(new Date('2026-11-30T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-12-01');
    expect(businessDay(new Date('2026-11-30T02:00:00Z'), 'Asia/Shanghai')).toEqual({
      date: '2026-11-30',
      startsAt: new Date('2026-11-29T16:00:00Z'),
      resetsAt: new Date('2026-11-30T16:00:00Z'),
    });
  });

  it('crosses months and years', () => {
    expect(businessDay(new Date('2026-12-31T20:00:00Z'), 'Asia/Shanghai')).toEqual({
      date: '2027-01-01',
      startsAt: new Date('2026-12-31T16:00:00Z'),
      resetsAt: new Date('2027-01-01T16:00:00Z'),
    });
  });

  it('follows daylight saving time in zones that have it (23 h and 25 h days)', () => {
    // Los Angeles springs forward on 2026-03-08 and falls back on 2026-11-01.
    const spring = businessDay(new Date('2026-03-08T12:00:00Z'), 'America/Los_Angeles');
    expect(spring).toEqual({
      date: '2026-03-08',
      startsAt: new Date('2026-03-08T08:00:00Z'),
      resetsAt: new Date('2026-03-09T07:00:00Z'),
    });
    const fall = businessDay(new Date('2026-11-01T12:00:00Z'), 'America/Los_Angeles');
    expect(fall.resetsAt.getTime() - fall.startsAt.getTime()).toBe(25 * 3_600_000);
    expect(startOfBusinessDate('2026-07-01', 'Europe/London')).toEqual(new Date('2026-06-30T23:00:00Z'));
  });

  it('answers repeated calls (kept from the last call) exactly at both edges of the day and per zone', () => {
    const day = (iso: string, zone = 'Asia/Shanghai') => businessDay(new Date(iso), zone).date;
    expect(day('2026-11-30T02:00:00Z')).toBe('2026-11-30');
    expect(day('2026-11-29T16:00:00.000Z')).toBe('2026-11-30');
    expect(day('2026-11-29T15:59:59.999Z')).toBe('2026-11-29');
    expect(day('2026-11-30T15:59:59.999Z')).toBe('2026-11-30');
    expect(day('2026-11-30T16:00:00.000Z')).toBe('2026-12-01');
    expect(day('2026-11-30T16:00:00.000Z', 'UTC')).toBe('2026-11-30');
    expect(day('2026-11-30T16:00:00.000Z')).toBe('2026-12-01');
    const first = businessDay(new Date('2026-12-01T03:00:00Z'), 'Asia/Shanghai');
    first.startsAt.setTime(0);
    expect(businessDay(new Date('2026-12-01T04:00:00Z'), 'Asia/Shanghai').startsAt).toEqual(
      new Date('2026-11-30T16:00:00Z'),
    );
  });

  it('falls back to Asia/Shanghai for a zone name Intl does not know', () => {
    expect(businessDate(new Date('2026-11-30T16:00:00Z'), 'Not/AZone')).toBe('2026-12-01');
  });

  it('does not depend on the process time zone', () => {
    const original = process.env.TZ;
    const results = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
        process.env.TZ = zone;
        results.push(businessDay(new Date('2026-11-30T15:59:50Z'), 'Asia/Shanghai'));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]!.date).toBe('2026-11-30');
  });
});

describe('business dates for people and reports', () => {
  it('adds days across months and years; formats an instant on the zone wall clock', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(formatBusinessDateTime(new Date('2026-11-30T16:00:00Z'), 'Asia/Shanghai')).toBe(
      '2026-12-01 00:00:00',
    );
    expect(formatBusinessDateTime(new Date('2026-11-30T15:59:59Z'), 'Asia/Shanghai')).toBe(
      '2026-11-30 23:59:59',
    );
  });
});
