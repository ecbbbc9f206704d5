/**
 * The mail settings the jobs and pages read (decision 033), from the environment once; tests
 * build their own with `mailSettings({...})`.
 */
import { getEnv, type Env } from '../env.server';

export interface MailSettings {
  /** The SMTP server; null: mail goes to the outbox in the database. */
  smtpUrl: string | null;
  from: string;
  /** The base of every link in mail. */
  appUrl: string;
  dailyCap: number;
  /** Signs unsubscribe links (the session secret). */
  secret: string;
}

type MailEnv = Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'APP_URL' | 'MAIL_DAILY_CAP' | 'PORT' | 'SESSION_SECRET'>;

export function mailSettings(env: MailEnv = getEnv()): MailSettings {
  return {
    smtpUrl: env.SMTP_URL ?? null,
    from: env.MAIL_FROM,
    appUrl: (env.APP_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, ''),
    dailyCap: env.MAIL_DAILY_CAP,
    secret: env.SESSION_SECRET,
  };
}

/**
 * Where mail goes, for the start-up banner and /admin/outbox: the SMTP server's scheme, host
 * and port (never its user or password), or null for the outbox.
 */
export function smtpHost(smtpUrl: string | null): string | null {
  if (!smtpUrl) return null;
  const url = new URL(smtpUrl);
  return `${url.protocol}//${url.host}`;
}

/** The start-up banner's line about mail (server.ts): the outbox, or the SMTP host, never its password. */
export function mailBanner(smtpUrl: string | null, url: string): string {
  const host = smtpHost(smtpUrl);
  return host
    ? `Mail: sent through the SMTP server ${host}`
    : `Mail: no SMTP_URL, so mail is not sent but kept in the outbox: ${url}/admin/outbox`;
}
