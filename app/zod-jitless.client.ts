/**
 * zod compiles object parsers with `new Function` when it can, and finds out by trying
 * once, when the first object schema is built. Under our CSP (no 'unsafe-eval') that try
 * is a script-src violation in the browser's console on every page. Its interpreted
 * parsers are fast enough for a form, so the browser turns compiling off.
 *
 * Imported first by root.tsx: Remix's page script imports the route modules (and so
 * builds their schemas) before entry.client runs, and root's first import is evaluated
 * before any of them. A `.client` module is empty on the server, which keeps compiling.
 */
import { config } from 'zod/v4/core';

config({ jitless: true });
