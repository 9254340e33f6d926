import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createApp } from '../../api/app';
import type { Deps } from '../../api/context';

/** The committed output, which both apps import through `web-shared/client.ts`. */
export const SCHEMA_FILE = new URL('../api-schema.gen.ts', import.meta.url);

/**
 * Stands in for the app's dependencies. Building the app registers routes and their zod
 * schemas, and may wire collaborators from deps (reading properties, which yields more
 * stand-ins); serving /openapi.json calls nothing. A call means a database or network
 * would be needed, so it fails loudly with the path that was called.
 */
function hollow(path: string): unknown {
  return new Proxy(() => {}, {
    get: (_target, name) => (name === 'then' ? undefined : hollow(`${path}.${String(name)}`)),
    apply: () => {
      throw new Error(`generating the OpenAPI document must not call ${path}()`);
    },
  });
}
const noDeps = hollow('deps') as Deps;

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
