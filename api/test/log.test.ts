import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';

describe('the log', () => {
  it('never prints a failed query parameter list or a full phone number', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line));
    const error = new DrizzleQueryError(
      'insert into "fulfillments" ("ship_to") values ($1)',
      ['{"name":"Wang Fang","phone":"+8613800000001","address":"Room 5, 88 Nanjing Road"}'],
      new Error('invalid byte sequence'),
    );
    log.error('unhandled error', { error: String(error.stack), phone: '+8613800000001' });
    const line = lines.join('\n');
    expect(line).toContain('insert into');
    expect(line).toContain('params: [not logged]');
    expect(line).not.toContain('Nanjing Road');
    expect(line).not.toContain('Wang Fang');
    expect(line).not.toContain('13800000001');
    expect(line).toContain('+86 138****0001');
  });
});
