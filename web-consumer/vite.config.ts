import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// Served by api/node.ts at /; @alliance/web-shared is plain TS/TSX source, which Vite compiles with the app.
export default defineConfig({
  base: '/',
  plugins: [solid()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
