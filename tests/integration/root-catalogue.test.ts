/**
 * The message catalogue reaches the browser with the page, once: the root loader sends it on a
 * page load and leaves it out of the app's own data requests (the root revalidates after every
 * action and filter change, and the catalogue is most of its payload).
 */
import { describe, expect, it } from 'vitest';
import { catalogue, usableLocale } from '~/i18n';
import { loader as rootLoader } from '~/root';
import { localeCookie } from '~/utils/locale.server';
import { call, get } from '../fixtures/remix.ts';

interface RootData {
  locale: string;
  messages: string | null;
}

function request(fetchDest: string | null, cookie?: string) {
  const req = get('/members?stage=candidate', cookie);
  if (fetchDest) req.headers.set('Sec-Fetch-Dest', fetchDest);
  return req;
}

describe('the root loader and the catalogue', () => {
  it('sends the active language’s catalogue with a page load', async () => {
    const { data } = await call<RootData>(rootLoader, request('document'));
    expect(data.locale).toBe('vi');
    expect(JSON.parse(data.messages ?? 'null')).toEqual(catalogue('vi'));
  });

  it('sends it to a client that says nothing about the request (an old browser, a script)', async () => {
    const cookie = (await localeCookie.serialize('en')).split(';')[0];
    const { data } = await call<RootData>(rootLoader, request(null, cookie));
    expect(data.locale).toBe('en');
    expect(JSON.parse(data.messages ?? 'null')).toEqual(catalogue('en'));
  });

  it('leaves it out of the app’s own data requests, which come from a page that holds it', async () => {
    const { data } = await call<RootData>(rootLoader, request('empty'));
    expect(data.locale).toBe('vi');
    expect(data.messages).toBeNull();
  });
});

describe('usableLocale', () => {
  it('keeps the asked language where its catalogue is at hand (always on the server)', () => {
    expect(usableLocale('vi')).toBe('vi');
    expect(usableLocale('en')).toBe('en');
  });
});
