/**
 * Official days off (Tết, Hùng Kings day, 30/4, 1/5, 2/9 and the bridge days the
 * government sets each year) and the make-up working days that repay a bridge day
 * (`kind: 'workday'`, a Saturday or Sunday worked). Deadlines in working days read
 * this table; it is data because the schedule changes every year. `date` is midnight
 * UTC of the calendar day in Vietnam, so day arithmetic never crosses a time zone.
 * A row without `kind` (stored before kinds existed) is a day off.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { HOLIDAY_KINDS } from '../app/domain/holidays.ts';

export const holidaySchema = new Schema(
  {
    date: { type: Date, required: true },
    name: { type: String, required: true, trim: true },
    year: { type: Number, required: true },
    kind: { type: String, required: true, enum: HOLIDAY_KINDS, default: 'holiday' },
  },
  { timestamps: true, optimisticConcurrency: true },
);

holidaySchema.index({ date: 1 }, { unique: true });
holidaySchema.index({ year: 1 });

export type HolidayFields = InferSchemaType<typeof holidaySchema>;

export const Holiday = defineModel<HolidayFields>('Holiday', holidaySchema);
