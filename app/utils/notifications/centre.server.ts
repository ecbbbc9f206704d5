/**
 * The in-app notification centre on the server (issue 21): the bell's count, the list,
 * marking read. Every query carries the signed-in user's id IN its filter, so another
 * user's notification is never read or changed: its id answers 404 like a missing one.
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import { Notification } from '../../../models/notification';
import { BELL_CAP } from '~/domain/notifications/centre';
import { NOTIFICATION_KINDS, type NotificationKind } from '~/domain/notifications/kinds';
import { notFound } from '../responses.server';

const oid = (id: string) => new Types.ObjectId(id);

/**
 * Unread notices, counted up to one past the bell's cap: one count on the
 * `{userId, readAt}` index, which the root loader runs once per page.
 */
export function unreadCount(userId: string): Promise<number> {
  return Notification.countDocuments({ userId: oid(userId), readAt: null }, { limit: BELL_CAP + 1 });
}

export const NOTIFICATIONS_PAGE_SIZE = 50;

/** The list's URL state: unread or all, one kind or every kind, the page. A bad value is the default. */
export const CentreQuerySchema = z.object({
  status: z.enum(['unread', 'all']).catch('all'),
  kind: z.enum(NOTIFICATION_KINDS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type CentreQuery = z.infer<typeof CentreQuerySchema>;

export function parseCentreQuery(url: URL): CentreQuery {
  const p = url.searchParams;
  return CentreQuerySchema.parse({
    status: p.get('status') ?? 'all',
    kind: p.get('kind') || undefined,
    page: p.get('page') ?? 1,
  });
}

interface StoredText {
  key: string;
  params?: Record<string, string | number> | null;
}

interface StoredNotification {
  _id: Types.ObjectId;
  kind: NotificationKind;
  title: StoredText;
  body?: StoredText | null;
  link: string;
  lines?: { text: StoredText; link?: string | null }[] | null;
  readAt?: Date | null;
  createdAt: Date;
}

export interface CentreText {
  key: string;
  params: Record<string, string | number>;
}

export interface CentreRow {
  id: string;
  kind: NotificationKind;
  title: CentreText;
  body: CentreText | null;
  lines: { text: CentreText; link: string | null }[];
  read: boolean;
  createdAt: string;
}

const text = (t: StoredText): CentreText => ({ key: t.key, params: t.params ?? {} });

/** One page of the user's notices, newest first, and how many match. */
export async function listNotifications(userId: string, query: CentreQuery) {
  const filter = {
    userId: oid(userId),
    ...(query.status === 'unread' ? { readAt: null } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
  };
  const [docs, total] = await Promise.all([
    Notification.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip((query.page - 1) * NOTIFICATIONS_PAGE_SIZE)
      .limit(NOTIFICATIONS_PAGE_SIZE)
      .select({ kind: 1, title: 1, body: 1, link: 1, lines: 1, readAt: 1, createdAt: 1 })
      .lean<StoredNotification[]>(),
    Notification.countDocuments(filter),
  ]);
  const rows: CentreRow[] = docs.map((n) => ({
    id: String(n._id),
    kind: n.kind,
    title: text(n.title),
    body: n.body ? text(n.body) : null,
    lines: (n.lines ?? []).map((l) => ({ text: text(l.text), link: l.link ?? null })),
    read: !!n.readAt,
    createdAt: n.createdAt.toISOString(),
  }));
  return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE)) };
}

/**
 * Marks one of the user's notices read (already read: left as it was) and returns its link;
 * an id that is not the user's is a 404.
 */
export async function markRead(userId: string, id: Types.ObjectId, now = new Date()): Promise<string> {
  const mine = { _id: id, userId: oid(userId) };
  const updated = await Notification.findOneAndUpdate(
    { ...mine, readAt: null },
    { $set: { readAt: now } },
    { projection: { link: 1 } },
  ).lean<{ link: string }>();
  if (updated) return updated.link;
  const already = await Notification.findOne(mine).select({ link: 1 }).lean<{ link: string }>();
  if (!already) throw notFound();
  return already.link;
}

/** Marks every unread notice of the user read; returns how many. */
export async function markAllRead(userId: string, now = new Date()): Promise<number> {
  const res = await Notification.updateMany({ userId: oid(userId), readAt: null }, { $set: { readAt: now } });
  return res.modifiedCount;
}
