/** Builds the dashboard into web/dist, served by the Worker as static assets. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Self-hosts the API reference page's script (Scalar's prebuilt standalone bundle) at
 * /api-reference/standalone.js, the path workers/openapi/api-docs.ts loads: no CDN.
 */
function apiReferenceBundle(): Plugin {
  return {
    name: 'api-reference-bundle',
    generateBundle() {
      const file = createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js');
      this.emitFile({ type: 'asset', fileName: 'api-reference/standalone.js', source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), apiReferenceBundle()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787', '/.well-known': 'http://127.0.0.1:8787' } },
});
