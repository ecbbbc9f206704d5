/**
 * Official days off (Tết, Hùng Kings day, 30/4, 1/5, 2/9 and the bridge days the
 * government sets each year). Deadlines in working days read this table; it is
 * data because the schedule changes every year. `date` is midnight UTC of the
 * calendar day in Vietnam, so day arithmetic never crosses a time zone.
 */
import mongoose, { Schema, model, type InferSchemaType, type Model } from 'mongoose';

export const holidaySchema = new Schema(
  {
    date: { type: Date, required: true },
    name: { type: String, required: true, trim: true },
    year: { type: Number, required: true },
  },
  { timestamps: true, optimisticConcurrency: true },
);

holidaySchema.index({ date: 1 }, { unique: true });
holidaySchema.index({ year: 1 });

export type HolidayFields = InferSchemaType<typeof holidaySchema>;

export const Holiday: Model<HolidayFields> =
  (mongoose.models.Holiday as Model<HolidayFields> | undefined) ??
  model<HolidayFields>('Holiday', holidaySchema);
