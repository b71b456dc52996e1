import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The agent console and the live calls board (one bundle, routed by pathname),
 * served by the backend under /console/. Run from the repository root:
 *   npx vite build --config web/vite.config.ts
 *   npx vitest run --config web/vite.config.ts
 */
const webRoot = fileURLToPath(new URL('.', import.meta.url));
/** `npx vite --config web/vite.config.ts` serves /console/ and forwards the API and /ws to a running backend */
const backend = process.env.CTI_BACKEND_URL ?? 'http://localhost:3000';
const apiPaths = ['/session', '/dial', '/disposition', '/hangup', '/skip', '/api'];

export default defineConfig({
  root: webRoot,
  base: '/console/',
  // keep Vite's and Vitest's caches out of web/
  cacheDir: '../node_modules/.vite/web',
  // @vitejs/plugin-react is not used: Vite's own (oxc) transform compiles JSX with the automatic runtime
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      ...Object.fromEntries(apiPaths.map((p) => [p, { target: backend, changeOrigin: false }])),
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    root: webRoot,
    include: ['src/**/*.test.{ts,tsx}'],
    // store and machine tests run in node; component tests opt in with `// @vitest-environment jsdom`
    environment: 'node',
    restoreMocks: true,
  },
});
