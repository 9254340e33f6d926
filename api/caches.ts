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
 * evicted when this process records a change. Generic in the user type so this module imports
 * nothing from context.ts.
 */
export function createCaches<SessionUser>() {
  return {
    sessions: new TtlCache<string, SessionUser>(cacheTtlMs, 10_000),
    platformParameters: new TtlCache<'platform', PlatformParameterRow[]>(cacheTtlMs, 1),
  };
}
