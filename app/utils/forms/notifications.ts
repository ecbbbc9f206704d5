/**
 * The notification preferences form and the student's notification email (issue 21),
 * shared by /settings/notifications and its action. The schema is built from the kinds the
 * role can receive: a kind outside them is dropped, and a mandatory kind offers no 'off', so
 * the server refuses a forged 'off' with the same rule the form shows.
 */
import { z } from 'zod';
import { deliveriesFor } from '~/domain/notifications/centre';
import type { NotificationKind } from '~/domain/notifications/kinds';
import type { MessageKey } from '~/i18n';

/** A kind's radio group: none ticked asks for a choice; a value it does not offer is invalid. */
const delivery = (kind: NotificationKind) =>
  z.enum(deliveriesFor(kind), {
    error: (issue): MessageKey =>
      issue.input === undefined || issue.input === '' ? 'validation.choose' : 'validation.invalidChoice',
  });

export function preferencesSchema(kinds: readonly NotificationKind[]) {
  return z.object(Object.fromEntries(kinds.map((kind) => [kind, delivery(kind)])));
}

/**
 * The student's notification email: an address and the consent box, or nothing at all
 * (withdrawing: the address and its consent are removed). An address without the box is
 * refused beside the box; a malformed one beside the address.
 */
export const NotifyEmailSchema = z
  .object({
    notifyEmail: z
      .string()
      .trim()
      .max(254, 'validation.tooLong')
      .refine((v) => !v || z.email().safeParse(v).success, 'notifications.email.v.invalid')
      .optional()
      .transform((v) => (v ? v.toLowerCase() : undefined)),
    consent: z
      .string()
      .optional()
      .transform((v) => v === 'on'),
  })
  .superRefine((v, ctx) => {
    if (v.notifyEmail && !v.consent)
      ctx.addIssue({ code: 'custom', path: ['consent'], message: 'notifications.email.v.consent' });
  });
