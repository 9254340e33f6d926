/** `npm run gen:api`: regenerate web-shared/api-schema.gen.ts from the routes' schemas. */
import { writeFile } from 'node:fs/promises';
import { openApiDocument, SCHEMA_FILE, schemaTypes } from './generate';

await writeFile(SCHEMA_FILE, await schemaTypes(await openApiDocument()));
console.log(`wrote ${SCHEMA_FILE.pathname}`);
