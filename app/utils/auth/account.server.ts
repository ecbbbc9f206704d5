import type { Types } from 'mongoose';
import { User } from '../../../models/user';
import type { Locale } from '~/i18n';

export async function setUserLocale(userId: Types.ObjectId, locale: Locale) {
  await User.updateOne({ _id: userId }, { $set: { locale } });
}
