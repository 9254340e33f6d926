/** Applies the committed migrations to DATABASE_URL (deploys; the Node server also does it on start). */
import { openDb } from './node';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const { close } = await openDb({ databaseUrl });
await close();
console.log('migrations applied');
