/**
 * The environment, parsed once with zod at start-up. Nothing else reads process.env,
 * so a typo or a missing production secret fails fast instead of mid-request.
 */
import { z } from 'zod';
import { parseTrustProxy } from './client-ip.server';
import { DEFAULT_ESCALATE_AFTER_WORKING_DAYS } from '~/domain/notifications/triggers';

const DEV_SESSION_SECRET = 'dev-only-session-secret-change-me';

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  MONGODB_URI: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SESSION_SECRET: z.string().min(1).optional(),
  // Mail (docs/decisions/033-mail-and-outbox.md): the SMTP server, e.g. smtp://user:pass@host:587;
  // unset, mail goes to the outbox in the database (/admin/outbox).
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  // The address mail is sent from.
  MAIL_FROM: z.string().min(3).default('Đoàn viên ưu tú <no-reply@doanvien.local>'),
  // The app's public address, for the links in mail; unset: http://127.0.0.1:<PORT>.
  APP_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Immediate mails per person per day; the rest wait for the next daily digest.
  MAIL_DAILY_CAP: z.coerce.number().int().min(1).max(1000).default(20),
  SEED_MEMBERS: z.coerce.number().int().min(0).max(1_000_000).default(5000),
  // Whether the demo province (and its published demo accounts) may be seeded into an empty
  // database; unset: decided by HOST (seedDemoDecision).
  SEED_DEMO: z
    .enum(['0', '1'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === '1')),
  // Working days a step may stay overdue before the province hears (issue 21; the daily
  // scan's summary on /admin/jobs shows the value in force).
  NOTIFY_ESCALATE_AFTER_WORKING_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(250)
    .default(DEFAULT_ESCALATE_AFTER_WORKING_DAYS),
  // Which proxies' X-Forwarded-For to believe (app/utils/client-ip.server.ts); unset: none.
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export type Env = Omit<z.infer<typeof EnvSchema>, 'SEED_DEMO'> & {
  SESSION_SECRET: string;
  /** Resolved: true only when the demo province may be seeded into an empty database. */
  SEED_DEMO: boolean;
};

/** Addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export type SeedDemoDecision =
  { seed: true; reason: 'explicit' | 'loopback' } | { seed: false; reason: 'explicit' | 'reachable' };

/**
 * Whether an empty database gets the demo province with its published accounts
 * (`admin@demo.vn` / `demo1234`). An explicit SEED_DEMO (0 or 1) wins; unset, only a
 * loopback HOST (someone trying the app on a laptop) seeds it: on any address others can
 * reach (0.0.0.0, ::, a LAN or public address) the published accounts would be a way in.
 */
export function seedDemoDecision(host: string, explicit: boolean | undefined): SeedDemoDecision {
  if (explicit === true) return { seed: true, reason: 'explicit' };
  if (explicit === false) return { seed: false, reason: 'explicit' };
  return isLoopbackHost(host) ? { seed: true, reason: 'loopback' } : { seed: false, reason: 'reachable' };
}

/** Exported for tests; the app reads `getEnv()`. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse({
    ...source,
    // An empty variable means "unset" (common in .env files and CI).
    MONGODB_URI: source.MONGODB_URI || undefined,
    DATA_DIR: source.DATA_DIR || undefined,
    SESSION_SECRET: source.SESSION_SECRET || undefined,
    SEED_DEMO: source.SEED_DEMO || undefined,
    NOTIFY_ESCALATE_AFTER_WORKING_DAYS: source.NOTIFY_ESCALATE_AFTER_WORKING_DAYS || undefined,
    SMTP_URL: source.SMTP_URL || undefined,
    APP_URL: source.APP_URL || undefined,
    MAIL_FROM: source.MAIL_FROM || undefined,
    MAIL_DAILY_CAP: source.MAIL_DAILY_CAP || undefined,
  });
  if (!parsed.success) {
    throw new Error(`Invalid environment:\n${z.prettifyError(parsed.error)}`);
  }
  const env = parsed.data;
  if (!env.SESSION_SECRET) {
    if (env.NODE_ENV === 'production') {
      throw new Error('SESSION_SECRET is required when NODE_ENV=production');
    }
    if (env.NODE_ENV === 'development') {
      console.warn('[env] SESSION_SECRET not set: using an insecure development default');
    }
  }
  return {
    ...env,
    SESSION_SECRET: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
    SEED_DEMO: seedDemoDecision(env.HOST, env.SEED_DEMO).seed,
  };
}

let cached: Env | undefined;

/** Parsed lazily so server.ts can set NODE_ENV before the first read. */
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}

export const isProduction = () => getEnv().NODE_ENV === 'production';
