/**
 * Delivers notices: resolves each notice's audience to active users, applies each user's
 * preference for the kind and writes one `Notification` per user and event
 * (docs/decisions/031-notifications.md).
 *
 * - Idempotent: `(userId, eventKey)` is unique and the write is an upsert that only
 *   inserts, so a scan that runs twice, a retried job or a retried transaction never makes
 *   a second notice. Upserts, not inserts that ignore duplicate-key errors: inside a
 *   transaction a duplicate-key error aborts the whole transaction.
 * - Joins the caller's transaction (mongoose's async-local session), so a notice about a
 *   recorded step exists exactly when the step does.
 * - Mail is not sent here: a notice to be mailed is marked `mail: 'pending'` (or 'digest')
 *   and the mail job turns it into a message (the transactional-outbox pattern), so a
 *   crash can neither lose a mail nor send one for a step that was rolled back.
 */
import mongoose, { Types, type AnyBulkWriteOperation } from 'mongoose';
import { Notification } from '../../../models/notification';
import { User } from '../../../models/user';
import {
  effectiveDelivery,
  type Audience,
  type Delivery,
  type Notice,
  type NotificationPreferences,
} from '~/domain/notifications/kinds';

export interface Recipient {
  _id: Types.ObjectId;
  notificationPreferences?: NotificationPreferences | null;
}

const RECIPIENT_FIELDS = { _id: 1, notificationPreferences: 1 } as const;
const BATCH = 1_000;

function audienceKey(a: Audience): string {
  switch (a.type) {
    case 'unit':
      return `unit:${a.unitId}:${[...a.roles].sort().join(',')}`;
    case 'province':
      return `province:${a.unitId}`;
    case 'student':
      return `student:${a.memberId}`;
    case 'users':
      return `users:${[...a.userIds].sort().join(',')}`;
  }
}

const oid = (id: string) => new Types.ObjectId(id);

/** Active users an audience means; students only when their record has an account. */
export async function resolveAudience(audience: Audience): Promise<Recipient[]> {
  const active = { active: true };
  switch (audience.type) {
    case 'unit':
      return User.find({
        ...active,
        unitId: oid(audience.unitId),
        role: mongoose.trusted({ $in: [...audience.roles] }),
      })
        .select(RECIPIENT_FIELDS)
        .lean<Recipient[]>();
    case 'province':
      return User.find({ ...active, unitId: oid(audience.unitId), role: 'province_union' })
        .select(RECIPIENT_FIELDS)
        .lean<Recipient[]>();
    case 'student':
      return User.find({ ...active, memberId: oid(audience.memberId), role: 'student' })
        .select(RECIPIENT_FIELDS)
        .lean<Recipient[]>();
    case 'users':
      return User.find({ ...active, _id: mongoose.trusted({ $in: audience.userIds.map(oid) }) })
        .select(RECIPIENT_FIELDS)
        .lean<Recipient[]>();
  }
}

const MAIL_STATE: Record<Exclude<Delivery, 'off'>, 'none' | 'pending' | 'digest'> = {
  in_app: 'none',
  email: 'pending',
  daily_digest: 'digest',
};

function upsert(notice: Notice, user: Recipient, createdAt: Date): AnyBulkWriteOperation | null {
  const delivery = effectiveDelivery(notice.kind, user.notificationPreferences);
  if (delivery === 'off') return null;
  return {
    updateOne: {
      filter: { userId: user._id, eventKey: notice.eventKey },
      update: {
        $setOnInsert: {
          userId: user._id,
          kind: notice.kind,
          eventKey: notice.eventKey,
          title: notice.title,
          ...(notice.body ? { body: notice.body } : {}),
          link: notice.link,
          ...(notice.lines?.length ? { lines: notice.lines } : {}),
          ...(notice.memberId ? { memberId: oid(notice.memberId) } : {}),
          ...(notice.unitId ? { unitId: oid(notice.unitId) } : {}),
          delivery,
          mail: MAIL_STATE[delivery],
          createdAt,
        },
      },
      upsert: true,
      // The notice's time is `now` (a scan's clock, a test's), not mongoose's own timestamp,
      // which would otherwise overwrite `createdAt` in $setOnInsert.
      timestamps: false,
    },
  };
}

/**
 * Writes the notices for everyone they concern; returns how many notifications were new.
 * Audiences shared by many notices (a school's users) are looked up once.
 */
export async function notify(notices: readonly Notice[], options: { now?: Date } = {}): Promise<number> {
  if (!notices.length) return 0;
  const now = options.now ?? new Date();
  const audiences = new Map<string, Recipient[]>();
  const ops: AnyBulkWriteOperation[] = [];
  for (const notice of notices) {
    const key = audienceKey(notice.audience);
    let users = audiences.get(key);
    if (!users) {
      users = await resolveAudience(notice.audience);
      audiences.set(key, users);
    }
    for (const user of users) {
      const op = upsert(notice, user, now);
      if (op) ops.push(op);
    }
  }
  let created = 0;
  for (let i = 0; i < ops.length; i += BATCH) {
    const res = await Notification.bulkWrite(ops.slice(i, i + BATCH) as never, { ordered: true });
    created += res.upsertedCount;
  }
  return created;
}
