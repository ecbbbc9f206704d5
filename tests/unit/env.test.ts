import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseEnv, seedDemoDecision } from '../../app/utils/env.server.ts';

describe('environment', () => {
  it('seeds the demo province by default on loopback, and never with SEED_DEMO=0', () => {
    expect(parseEnv({ NODE_ENV: 'test' }).SEED_DEMO).toBe(true);
    expect(parseEnv({ NODE_ENV: 'test', SEED_DEMO: '' }).SEED_DEMO).toBe(true);
    expect(parseEnv({ NODE_ENV: 'test', SEED_DEMO: '0' }).SEED_DEMO).toBe(false);
    expect(parseEnv({ NODE_ENV: 'test', HOST: 'localhost' }).SEED_DEMO).toBe(true);
  });

  it('never seeds the demo accounts on a reachable HOST unless SEED_DEMO=1 is set', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.20', '203.0.113.5', 'app.example.vn']) {
      expect(parseEnv({ NODE_ENV: 'test', HOST }).SEED_DEMO, HOST).toBe(false);
      expect(parseEnv({ NODE_ENV: 'test', HOST, SEED_DEMO: '' }).SEED_DEMO, HOST).toBe(false);
      expect(parseEnv({ NODE_ENV: 'test', HOST, SEED_DEMO: '0' }).SEED_DEMO, HOST).toBe(false);
      expect(parseEnv({ NODE_ENV: 'test', HOST, SEED_DEMO: '1' }).SEED_DEMO, HOST).toBe(true);
    }
  });

  it('decides from HOST and an explicit SEED_DEMO alone (seedDemoDecision)', () => {
    expect(seedDemoDecision('127.0.0.1', undefined)).toEqual({ seed: true, reason: 'loopback' });
    expect(seedDemoDecision('127.0.0.1', false)).toEqual({ seed: false, reason: 'explicit' });
    expect(seedDemoDecision('0.0.0.0', undefined)).toEqual({ seed: false, reason: 'reachable' });
    expect(seedDemoDecision('0.0.0.0', true)).toEqual({ seed: true, reason: 'explicit' });
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      '127.0.0.1.example.vn',
      'localhost.example',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
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
