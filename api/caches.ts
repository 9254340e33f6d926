/**
 * A small per-process cache of reads every request would otherwise repeat (ADR 0003). Entries live
 * `ttlMs` of wall-clock time: a change made by ANOTHER process is seen at the latest that much
 * later; a change made by this process evicts at once. A load that began before an eviction is not
 * stored, so it cannot bring the old value back.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > performance.now()) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      this.entries.delete(key);
      // Maps iterate in insertion order: the first key is the oldest entry.
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
      this.entries.set(key, { value, until: performance.now() + this.ttlMs });
    }
    return value;
  }

  /** Drops every entry `matches` accepts (all of them without it). */
  evict(matches?: (value: V, key: K) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (!matches || matches(entry.value, key)) this.entries.delete(key);
    }
  }
}

/**
 * Values this process wrote and will soon act on again, kept until taken; past `maxEntries` the
 * oldest is dropped. Never a source of truth: whoever takes a value re-checks it in the statement
 * that acts on it, so a value dropped, taken by a second request or made stale by another process
 * only costs the read it would have saved (ADR 0003).
 */
export class WrittenHere<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {}

  put(key: K, value: V): void {
    this.entries.delete(key);
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  /** The value, which is forgotten: a second take of the same key finds nothing. */
  take(key: K): V | undefined {
    const value = this.entries.get(key);
    this.entries.delete(key);
    return value;
  }
}

/** An in-store sale as this process recorded it: what confirming it moves and answers. */
export interface RecordedSale {
  id: string;
  merchantId: string;
  consumerUserId: string;
  amountFen: number;
  vouchers: number;
  adPointsCharge: number;
  ecoPoints: number;
  ecoPointsValueFen: number;
  expiresAt: Date;
}

/** How long another process may act on an old session or parameter (ADR 0003). */
export const cacheTtlMs = 5_000;

export interface PlatformParameterRow {
  name: string;
  intValue: number | null;
  textValue: string | null;
  effectiveFrom: Date;
  seq: number;
}

/**
 * A process's caches (Deps.caches, built by composeDeps): bearer token → its user, evicted when this
 * process deletes the account; the platform's parameter history (rows of scope `platform`),
 * evicted when this process records a change; the in-store sales this process recorded, taken
 * by their confirmation (50,000 of them, about 16 MB, are a ten-minute confirmation window's worth
 * at 83 sales a second). Generic in the user type so this module imports nothing from context.ts.
 */
export function createCaches<SessionUser>() {
  return {
    sessions: new TtlCache<string, SessionUser>(cacheTtlMs, 10_000),
    platformParameters: new TtlCache<'platform', PlatformParameterRow[]>(cacheTtlMs, 1),
    recordedSales: new WrittenHere<string, RecordedSale>(50_000),
  };
}
