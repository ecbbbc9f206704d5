/**
 * The form that creates an API token (/admin/tokens), checked by the browser and the action
 * alike. Messages are catalogue keys.
 */
import { z } from 'zod';
import { vietnamDay } from '~/domain/calendar';
import { isHolidayRangeDay } from '~/domain/holidays';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

/** Today in Vietnam (UTC+7, no daylight saving), YYYY-MM-DD: the browser and the server agree. */
export const vietnamToday = () => vietnamDay(new Date());

export const TokenCreateSchema = z.object({
  name: z
    .string({ error: 'tokens.v.nameRequired' })
    .trim()
    .min(1, 'tokens.v.nameRequired')
    .max(100, 'tokens.v.nameTooLong'),
  unitId: z.string({ error: 'tokens.v.unitRequired' }).regex(OBJECT_ID_PATTERN, 'tokens.v.unitRequired'),
  // The last day the token works (Vietnam time); empty: no expiry.
  expiresOn: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .pipe(
      z
        .string()
        .refine(isHolidayRangeDay, 'tokens.v.expiryInvalid')
        .refine((v) => v >= vietnamToday(), 'tokens.v.expiryPast')
        .optional(),
    ),
});
