import Stripe from 'stripe';
import type { Ctx } from '../context';
import { ApiError } from '../errors';

/** Stripe's recommended tolerance for the Stripe-Signature timestamp. */
export const webhookToleranceSeconds = 300;

export interface StripeEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/**
 * The one Stripe client. With a real key it talks to api.stripe.com; the embedded default passes
 * the fake's loopback endpoint, and everything else (requests, webhooks) is the same code.
 */
export function createStripeClient(secretKey: string, endpoint?: StripeEndpoint): Stripe {
  return new Stripe(secretKey, {
    ...(endpoint ?? {}),
    // Webhooks settle what Stripe retries; a request a caller waits for should fail fast.
    maxNetworkRetries: 1,
    timeout: 20_000,
    httpClient: Stripe.createFetchHttpClient(),
  });
}

/** `STRIPE_API_BASE` (an origin such as http://127.0.0.1:12111) as the SDK's endpoint settings. */
export function stripeEndpoint(apiBase: string): StripeEndpoint {
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port) || (protocol === 'http' ? 80 : 443), protocol };
}

export function stripeFor(ctx: Ctx): Stripe {
  if (!ctx.stripe) throw new Error('Stripe is not configured in this context');
  return ctx.stripe;
}

const subtleCrypto = Stripe.createSubtleCryptoProvider();

/**
 * A verified event, or 400 `invalid_signature`: the signature must be over these exact bytes
 * (re-serialised JSON fails) and no older than the tolerance on the server's clock.
 */
export async function verifyStripeEvent(
  ctx: Ctx,
  rawBody: string,
  signature: string | undefined,
): Promise<Stripe.Event> {
  if (!signature) throw new ApiError(400, 'invalid_signature', 'Stripe-Signature header is missing');
  // Stripe's check bounds only the age; a timestamp from the future would stay replayable for as long.
  const signedAtSeconds = Number(/(?:^|,)t=(\d{1,12})(?:,|$)/.exec(signature)?.[1]);
  if (signedAtSeconds > ctx.now().getTime() / 1000 + webhookToleranceSeconds) {
    throw new ApiError(400, 'invalid_signature', 'The Stripe-Signature timestamp is in the future');
  }
  // The platform's endpoint and the Connect endpoint (events of connected accounts) each have a secret.
  const secrets = [ctx.config.STRIPE_WEBHOOK_SECRET, ctx.config.STRIPE_CONNECT_WEBHOOK_SECRET];
  for (const secret of secrets) {
    if (!secret) continue;
    try {
      return await stripeFor(ctx).webhooks.constructEventAsync(
        rawBody,
        signature,
        secret,
        webhookToleranceSeconds,
        subtleCrypto,
        ctx.now().getTime(),
      );
    } catch {
      // Not signed with this secret: try the next one.
    }
  }
  throw new ApiError(400, 'invalid_signature', 'The Stripe-Signature does not verify this body');
}

/** A provider failure is not the caller's fault and not ours to hide: 502, nothing written. */
export function paymentProviderError(error: unknown): ApiError {
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(502, 'payment_provider_error', `Stripe refused or did not answer: ${message}`);
}
