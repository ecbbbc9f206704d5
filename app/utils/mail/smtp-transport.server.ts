/**
 * Sending one stored message through nodemailer to the SMTP server (decision 033). The
 * Message-ID is the message's own, fixed when it was composed, so every attempt sends the
 * same mail; nodemailer encodes the Vietnamese subject (RFC 2047) and bodies (UTF-8).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface SmtpSender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** An SMTP error the server will answer the same way next time (5xx): no point retrying. */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function smtpSender(smtpUrl: string, from: string): SmtpSender {
  const transporter: Transporter = nodemailer.createTransport(smtpUrl, { from });
  return {
    async send(mail) {
      await transporter.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
    },
    close: () => transporter.close(),
  };
}
