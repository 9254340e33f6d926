import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8787);
    expect(config.DATA_DIR).toBe('.data');
    expect(config.AUTH_PROVIDER).toBe('dev');
    expect(config.AUTH_OTP_PER_PHONE_HOUR).toBe(10);
    expect(config.AUTH_OTP_PER_IP_HOUR).toBe(60);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:8787');
    expect([...config.operatorPhones]).toEqual([]);
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'sms' })).toThrow(/AUTH_PROVIDER/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ AUTH_OTP_PER_PHONE_HOUR: '0' })).toThrow(/AUTH_OTP_PER_PHONE_HOUR/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'supabase' })).toThrow(/SUPABASE_URL/);
  });

  it('reads operator phones as a list', () => {
    const config = loadConfig({ OPERATOR_PHONES: '+8613900000000, +8613900000001' });
    expect([...config.operatorPhones]).toEqual(['+8613900000000', '+8613900000001']);
  });
});
