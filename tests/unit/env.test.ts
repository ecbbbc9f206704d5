import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../app/utils/env.server.ts';

describe('environment', () => {
  it('seeds the demo province by default, and never with SEED_DEMO=0', () => {
    expect(parseEnv({ NODE_ENV: 'test' }).SEED_DEMO).toBe(true);
    expect(parseEnv({ NODE_ENV: 'test', SEED_DEMO: '' }).SEED_DEMO).toBe(true);
    expect(parseEnv({ NODE_ENV: 'test', SEED_DEMO: '0' }).SEED_DEMO).toBe(false);
  });

  it('refuses a value it does not know, naming the variable', () => {
    expect(() => parseEnv({ NODE_ENV: 'test', SEED_DEMO: 'no' })).toThrow(/SEED_DEMO/);
    expect(() => parseEnv({ NODE_ENV: 'test', PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('requires a session secret in production', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: 's3cret' }).SESSION_SECRET).toBe('s3cret');
  });
});
