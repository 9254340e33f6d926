#!/usr/bin/env bash
# Fails when db/schema has changes that no committed migration holds (run `npm run db:generate`).
# drizzle-kit generates into a scratch copy of the migrations; any new file there is a pending change.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.migrations-check
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
cp -r db/migrations "$scratch"
npx drizzle-kit generate --dialect=postgresql --schema=./db/schema/index.ts --out="./$scratch" >/dev/null
if ! diff -rq db/migrations "$scratch" >/dev/null; then
  echo "db/schema differs from the committed migrations: run 'npm run db:generate -- --name <change>'" >&2
  diff -rq db/migrations "$scratch" >&2 || true
  exit 1
fi
echo "migrations: no pending schema change"
