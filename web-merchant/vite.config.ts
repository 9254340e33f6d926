import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// Served by api/node.ts under /biz/, so every asset URL carries that prefix.
export default defineConfig({
  base: '/biz/',
  plugins: [solid()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
