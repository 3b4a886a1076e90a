/** Builds the dashboard into web/dist, served by the Worker as static assets. */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787', '/.well-known': 'http://127.0.0.1:8787' } },
});
