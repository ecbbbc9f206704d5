import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig, type Rollup } from 'vite';
import tsconfigPaths from 'vite-tsconfig-paths';

declare module '@remix-run/node' {
  // Single fetch: loaders' return types flow to useLoaderData without `json()`.
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * The build's two known, harmless warnings, silenced here one by one (README, "Build
 * warnings"); anything else still prints.
 * - zod's sources carry comments that explain where its `@__PURE__` marks sit; Rollup
 *   cannot read those comments as annotations and drops them. The marks still work.
 * - Resource routes (exports, the JSON API, /healthz) have no component, so their browser
 *   chunk is empty. Remix still lists them in its manifest; nothing is loaded for them.
 */
function quietKnownWarnings(warning: Rollup.RollupLog, warn: (w: Rollup.RollupLog) => void) {
  if (warning.code === 'INVALID_ANNOTATION' && /[\\/]node_modules[\\/]zod[\\/]/.test(warning.id ?? ''))
    return;
  if (warning.code === 'EMPTY_BUNDLE') return;
  warn(warning);
}

export default defineConfig(({ command, isSsrBuild }) => ({
  server: { host: '127.0.0.1' },
  // The browser build carries no message catalogue; the root loader sends the active one.
  define: command === 'build' && !isSsrBuild ? { __I18N_BROWSER_BUILD__: 'true' } : {},
  // Models and the db layer run only on the server; never pre-bundle them for the browser.
  ssr: { external: ['mongoose', 'mongodb', 'bson'] },
  build: { rollupOptions: { onwarn: quietKnownWarnings } },
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
  ],
}));
