import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createApp } from '../../api/app';
import type { Deps } from '../../api/context';

/** The committed output, which both apps import through `web-shared/client.ts`. */
export const SCHEMA_FILE = new URL('../api-schema.gen.ts', import.meta.url);

/**
 * Building the app only registers routes and their zod schemas; serving /openapi.json reads
 * no dependency. Any use of one is a bug in this generator, so it fails loudly.
 */
const noDeps = new Proxy({} as Deps, {
  get(_target, name) {
    throw new Error(`generating the OpenAPI document must not use deps.${String(name)}`);
  },
});

/** Exactly what GET /openapi.json serves, built in-process: no server, no database. */
export async function openApiDocument(): Promise<OpenAPI3> {
  const response = await createApp(noDeps).request('/openapi.json');
  if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`);
  return (await response.json()) as OpenAPI3;
}

const HEADER =
  "// Generated from the server's /openapi.json by `npm run gen:api` (web-shared/api-gen). Do not edit:\n" +
  "// change the routes' zod schemas in api/routes/ and regenerate. `npm test` fails while this is stale.\n\n";

/** The TypeScript types openapi-fetch reads: `paths`, `components`, `operations`. */
export async function schemaTypes(document: OpenAPI3): Promise<string> {
  return HEADER + astToString(await openapiTS(document));
}
