#!/usr/bin/env bash
# Static assets of the Worker (wrangler.toml [assets]): the consumer app at /, the back office at
# /biz/, with the security headers API.md asks of the apps' pages (files bypass the Worker's code).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build:web --silent
out=dist/public
rm -rf "$out"
mkdir -p "$out"
cp -R web-consumer/dist/. "$out/"
cp -R web-merchant/dist "$out/biz"
cat >"$out/_headers" <<'HEADERS'
/*
  X-Content-Type-Options: nosniff
  Content-Security-Policy: frame-ancestors 'none'
HEADERS
