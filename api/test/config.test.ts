import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { stripeEndpoint } from '../services/stripe';
import worker from '../worker';

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
    expect(config.STRIPE_API_BASE).toBeUndefined();
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'sms' })).toThrow(/AUTH_PROVIDER/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ AUTH_OTP_PER_PHONE_HOUR: '0' })).toThrow(/AUTH_OTP_PER_PHONE_HOUR/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'supabase' })).toThrow(/SUPABASE_URL/);
    expect(() => loadConfig({ STRIPE_API_BASE: '127.0.0.1:12111' })).toThrow(/STRIPE_API_BASE/);
  });

  it('turns STRIPE_API_BASE into the Stripe SDK endpoint', () => {
    expect(stripeEndpoint('http://127.0.0.1:12111')).toEqual({
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    });
    expect(stripeEndpoint('https://api.stripe.com')).toEqual({
      host: 'api.stripe.com',
      port: 443,
      protocol: 'https',
    });
  });

  it('reads operator phones as a list', () => {
    const config = loadConfig({ OPERATOR_PHONES: '+8613900000000, +8613900000001' });
    expect([...config.operatorPhones]).toEqual(['+8613900000000', '+8613900000001']);
  });

  it('the Worker fails closed: Stripe with its own webhook secret, and Supabase Auth', async () => {
    const production = {
      HYPERDRIVE: { connectionString: 'postgres://u:p@127.0.0.1:1/none' },
      ASSETS: { fetch: async () => new Response('') },
      AUTH_PROVIDER: 'supabase',
      SUPABASE_URL: 'https://project.supabase.co',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };
    const ctx = { waitUntil: () => {} };
    const health = () => new Request('http://worker/health');
    const without = (name: string) =>
      Object.fromEntries(Object.entries(production).filter(([k]) => k !== name));
    await expect(worker.fetch(health(), without('STRIPE_SECRET_KEY') as never, ctx)).rejects.toThrow(
      /STRIPE_SECRET_KEY/,
    );
    await expect(worker.fetch(health(), without('STRIPE_WEBHOOK_SECRET') as never, ctx)).rejects.toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
    const dev = { ...production, AUTH_PROVIDER: 'dev' };
    await expect(worker.fetch(health(), dev, ctx)).rejects.toThrow(/AUTH_PROVIDER must be supabase/);
  });
});
