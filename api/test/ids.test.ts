import { describe, expect, it } from 'vitest';
import { newId, randomBase32 } from '../ids';

describe('random ids', () => {
  it('are base32 of the asked length and never repeat across many refills of the random pool', () => {
    const seen = new Set<string>();
    // 20,000 ids of 20 characters draw 400,000 bytes: about a hundred refills of the 4096-byte pool.
    for (let i = 0; i < 20_000; i++) {
      const id = newId('sal');
      expect(id).toMatch(/^sal_[0-9a-hjkmnp-tv-z]{20}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
    expect(randomBase32(4096)).toHaveLength(4096);
    expect(() => randomBase32(4097)).toThrow(RangeError);
  });

  it('use every character of the alphabet about equally often', () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase32(4096) + randomBase32(4096) + randomBase32(4096))
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 12,288 draws, 384 expected per character: 250..520 is beyond six standard deviations.
    for (const n of counts.values()) expect(n).toBeGreaterThan(250);
    for (const n of counts.values()) expect(n).toBeLessThan(520);
  });
});
