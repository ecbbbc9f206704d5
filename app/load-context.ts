/** What server.ts hands every loader and action (see getLoadContext there). */
declare module '@remix-run/node' {
  interface AppLoadContext {
    cspNonce: string;
    clientIp: string;
    dbKind: 'embedded' | 'external';
  }
}
export {};
