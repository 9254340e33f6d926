import { describe, expect, it } from 'vitest';
import { WrittenHere } from '../caches';

describe('WrittenHere', () => {
  it('gives a value once; past its size the oldest is dropped first', () => {
    const written = new WrittenHere<string, number>(2);
    written.put('a', 1);
    written.put('b', 2);
    written.put('a', 3);
    written.put('c', 4);
    expect(written.take('b')).toBeUndefined();
    expect(written.take('a')).toBe(3);
    expect(written.take('a')).toBeUndefined();
    expect(written.take('c')).toBe(4);
  });
});
