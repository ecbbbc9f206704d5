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

/** A recipient with what tells the audiences apart, read once for a whole batch. */
type Candidate = Recipient & { unitId: Types.ObjectId; role: string; memberId?: Types.ObjectId | null };

const CANDIDATE_FIELDS = { ...RECIPIENT_FIELDS, unitId: 1, role: 1, memberId: 1 } as const;

/** Who an audience means among candidates read for it (a unit's roles, a student, listed users). */
function members(audience: Audience, users: readonly Candidate[]): Recipient[] {
  const pick = (keep: (u: Candidate) => boolean) =>
    users.filter(keep).map((u) => ({ _id: u._id, notificationPreferences: u.notificationPreferences }));
  switch (audience.type) {
    case 'unit':
      return pick((u) => String(u.unitId) === audience.unitId && audience.roles.includes(u.role as never));
    case 'province':
      return pick((u) => String(u.unitId) === audience.unitId && u.role === 'province_union');
    case 'student':
      return pick((u) => u.role === 'student' && String(u.memberId) === audience.memberId);
    case 'users':
      return pick((u) => audience.userIds.includes(String(u._id)));
  }
}

/**
 * The active users of many audiences in at most three queries (units and provinces, students,
 * listed users), not one per audience: a scan's batch names hundreds of audiences, and each
 * query waits its turn at the database behind the pages' own under load (bench:load
 * --with-notification-jobs: 700 queries one after another made the due scan take 255 s there).
 */
export async function resolveAudiences(audiences: readonly Audience[]): Promise<Map<string, Recipient[]>> {
  const units = new Set<string>();
  const roles = new Set<string>();
  const students = new Set<string>();
  const listed = new Set<string>();
  for (const a of audiences) {
    if (a.type === 'unit') {
      units.add(a.unitId);
      for (const r of a.roles) roles.add(r);
    } else if (a.type === 'province') {
      units.add(a.unitId);
      roles.add('province_union');
    } else if (a.type === 'student') students.add(a.memberId);
    else for (const id of a.userIds) listed.add(id);
  }
  const find = (filter: Record<string, unknown>) =>
    User.find({ active: true, ...filter })
      .select(CANDIDATE_FIELDS)
      .lean<Candidate[]>();
  // One after another: notify() joins the caller's transaction, whose session takes one
  // operation at a time.
  const byUnit = units.size
    ? await find({
        unitId: mongoose.trusted({ $in: [...units].map(oid) }),
        role: mongoose.trusted({ $in: [...roles] }),
      })
    : [];
  const byStudent = students.size
    ? await find({ memberId: mongoose.trusted({ $in: [...students].map(oid) }), role: 'student' })
    : [];
  const byId = listed.size ? await find({ _id: mongoose.trusted({ $in: [...listed].map(oid) }) }) : [];
  const out = new Map<string, Recipient[]>();
  for (const a of audiences) {
    const key = audienceKey(a);
    if (out.has(key)) continue;
    const pool = a.type === 'student' ? byStudent : a.type === 'users' ? byId : byUnit;
    out.set(key, members(a, pool));
  }
  return out;
}

/** Active users an audience means; students only when their record has an account. */
export async function resolveAudience(audience: Audience): Promise<Recipient[]> {
  return (await resolveAudiences([audience])).get(audienceKey(audience)) ?? [];
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
 * All the notices' audiences are looked up together (resolveAudiences).
 */
export async function notify(notices: readonly Notice[], options: { now?: Date } = {}): Promise<number> {
  if (!notices.length) return 0;
  const now = options.now ?? new Date();
  const audiences = await resolveAudiences(notices.map((n) => n.audience));
  const ops: AnyBulkWriteOperation[] = [];
  for (const notice of notices) {
    for (const user of audiences.get(audienceKey(notice.audience)) ?? []) {
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
