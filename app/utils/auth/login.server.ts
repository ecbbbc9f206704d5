import type { Types } from 'mongoose';
import { Password } from '../../../models/password';
import { User } from '../../../models/user';
import { verifyPassword } from './password.server';
import { isRole, type Role } from '~/domain/permissions';

// Compared against when the email is unknown, so both failures cost one scrypt.
const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';

export async function verifyLogin(
  email: string,
  password: string,
): Promise<{ id: Types.ObjectId; role: Role } | null> {
  const user = await User.findOne({ email: email.trim().toLowerCase(), active: true })
    .select({ _id: 1, role: 1 })
    .lean();
  const stored = user ? await Password.findOne({ userId: user._id }).select({ hash: 1 }).lean() : null;
  const ok = await verifyPassword(password, stored?.hash ?? DUMMY_HASH);
  if (!user || !stored || !ok || !isRole(user.role)) return null;
  return { id: user._id, role: user.role };
}
