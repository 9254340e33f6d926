import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { maskPhone } from '../phone';

describe('phone masking: one rule for pages, lists and logs', () => {
  it('keeps the country code, at most three leading and the last four digits', () => {
    expect(maskPhone('+8613800000001')).toBe('+86 138****0001');
    expect(maskPhone('+14155550123')).toBe('+1 41****0123');
    expect(maskPhone('+447911123456')).toBe('+44 79****3456');
    expect(maskPhone('+85291234567')).toBe('+852 ****4567');
    expect(maskPhone('+79161234567')).toBe('+7 91****4567');
  });

  it('shows nothing of what is not a phone number', () => {
    for (const text of ['', '13800000001', '+0123456789', '+86 138 0000 0001', '+1234567', 'nonsense']) {
      expect(maskPhone(text)).toBe('****');
    }
  });

  it('logs never carry a full phone: in fields, nested values, lists and text', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line));
    const at = new Date('2026-11-30T02:00:00Z');
    log.info('code sent to +8613800000001', {
      phone: '+8613800000002',
      user: { phones: ['+8613800000003'], note: 'call +14155550123 first' },
      at,
      count: 3,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\+\d{8}/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'code sent to +86 138****0001',
      phone: '+86 138****0002',
      user: { phones: ['+86 138****0003'], note: 'call +1 41****0123 first' },
      at: '2026-11-30T02:00:00.000Z',
      count: 3,
    });
  });
});
