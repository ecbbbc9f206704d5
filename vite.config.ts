import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';
import tsconfigPaths from 'vite-tsconfig-paths';

declare module '@remix-run/node' {
  // Single fetch: loaders' return types flow to useLoaderData without `json()`.
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ command, isSsrBuild }) => ({
  server: { host: '127.0.0.1' },
  // The browser build carries no message catalogue; the root loader sends the active one.
  define: command === 'build' && !isSsrBuild ? { __I18N_BROWSER_BUILD__: 'true' } : {},
  // Models and the db layer run only on the server; never pre-bundle them for the browser.
  ssr: { external: ['mongoose', 'mongodb', 'bson'] },
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
