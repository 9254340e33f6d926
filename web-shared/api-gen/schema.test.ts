import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument, SCHEMA_FILE, schemaTypes } from './generate';

describe('generated API client types', () => {
  it('match what the server generates now (run `npm run gen:api` when this fails)', async () => {
    const generated = await schemaTypes(await openApiDocument());
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(generated);
  });
});
