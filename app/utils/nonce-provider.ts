import { createContext, useContext } from 'react';

/** Carries the per-request CSP nonce from entry.server to <Scripts>; empty in the browser. */
export const NonceContext = createContext<string>('');
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
