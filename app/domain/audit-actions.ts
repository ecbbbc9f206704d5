/**
 * What the audit log records, for the admin browser and the history export:
 * the known action names (each has an `audit.action.<name>` label in the
 * catalogue) and a readable summary of an event's details. Pure and isomorphic.
 */
import { vietnamDateTime } from './calendar';
import { TRANSITION_IDS } from './pipeline/transitions';

const RECORDS = ['term', 'award', 'activity', 'rating'] as const;

export const AUDIT_ACTIONS = [
  'member.create',
  'member.update',
  ...RECORDS.flatMap((r) => [`member.${r}.add`, `member.${r}.update`, `member.${r}.remove`] as const),
  'member.import',
  'member.seed',
  'member.baseline',
  'member.sensitive.reveal',
  'member.export.sensitive',
  'member.self.export',
  'member.history.export',
  'member.consent.give',
  'member.consent.withdraw',
  'member.correction.request',
  'member.correction.resolve',
  'member.correction.reject',
  'member.submission.create',
  'member.submission.approve',
  'member.submission.return',
  ...TRANSITION_IDS.map((id) => `pipeline.${id}` as const),
  'pipeline.bulk',
  'pipeline.dossier',
  'pipeline.scan.attach',
  'pipeline.scan.remove',
  'pipeline.flag',
  'pipeline.comment',
  'pipeline.flag_resolved',
  'pipeline.conflict_override',
  'document.issue',
  'criteria.draft',
  'criteria.edit',
  'criteria.activate',
  'unit.register',
  'holiday.create',
  'holiday.rename',
  'holiday.delete',
  'target.set',
  'report.export',
  'apitoken.create',
  'apitoken.revoke',
  'user.create',
  'user.update',
  'user.password.reset',
  'user.activate',
  'user.deactivate',
  'unit.create',
  'unit.update',
  'unit.activate',
  'unit.deactivate',
  'unit.conduct_bands',
  'unit.signing_certificate.install',
  'unit.signing_certificate.remove',
  'unit.document_bodies',
  'account.bootstrap',
  'audit.anchor',
  'job.run_now',
  'job.enable',
  'job.disable',
  'user.notifications.preferences',
  'user.notifications.unsubscribe',
  'user.notify_email.set',
  'user.notify_email.withdraw',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

export interface AuditChange {
  field: string;
  before: string;
  after: string;
}

export interface AuditSummary {
  changes: AuditChange[];
  reason: string | null;
  /** Everything else, as `key: value` pairs. */
  other: string[];
}

const MAX_VALUE = 120;

function isObjectIdLike(v: object): v is { toHexString(): string } {
  return typeof (v as { toHexString?: unknown }).toHexString === 'function';
}

/** Names of the users, members and units whose ids appear in events, by hex id. */
export type IdNames = ReadonlyMap<string, string>;

const HEX_ID = /^[0-9a-f]{24}$/i;

/**
 * A stored value as short text: days for midnight dates, other instants in Vietnam time,
 * ids as the name `names` knows them by (else as hex), objects compact.
 */
export function displayValue(value: unknown, names?: IdNames): string {
  let text: string;
  if (value === null || value === undefined || value === '') text = '—';
  else if (value instanceof Date)
    // A calendar day is stored at UTC midnight; any other instant reads as Vietnam's wall clock.
    text =
      value.getUTCHours() === 0 && value.getUTCMinutes() === 0 && value.getUTCSeconds() === 0
        ? value.toISOString().slice(0, 10)
        : vietnamDateTime(value);
  else if (typeof value === 'object' && isObjectIdLike(value)) {
    const hex = value.toHexString();
    text = names?.get(hex) ?? hex;
  } else if (typeof value === 'string' && HEX_ID.test(value)) text = names?.get(value.toLowerCase()) ?? value;
  else if (Array.isArray(value)) text = value.map((v) => displayValue(v, names)).join(', ');
  else if (typeof value === 'object')
    text = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => k !== '_id' && v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}: ${displayValue(v, names)}`)
      .join('; ');
  else text = String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text || '—';
}

/** Every id (an ObjectId, or a 24-hex string) inside an event's details, as lower-case hex. */
export function idsIn(value: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 6 || value === null || value === undefined || value instanceof Date) return out;
  if (typeof value === 'string') {
    if (HEX_ID.test(value)) out.add(value.toLowerCase());
  } else if (Array.isArray(value)) for (const v of value) idsIn(v, out, depth + 1);
  else if (typeof value === 'object') {
    if (isObjectIdLike(value)) out.add(value.toHexString());
    else for (const v of Object.values(value as Record<string, unknown>)) idsIn(v, out, depth + 1);
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !isObjectIdLike(v);

/**
 * Before → after pairs from `before`/`after` objects (one row per field) or, for
 * stage changes, `from`/`to`; `reason` apart; the rest as `key: value`.
 */
export function summarizeDetails(details: unknown, names?: IdNames): AuditSummary {
  const out: AuditSummary = { changes: [], reason: null, other: [] };
  if (!isRecord(details)) return out;
  const { before, after, from, to, reason, ...rest } = details;
  if (isRecord(before) || isRecord(after)) {
    const b = isRecord(before) ? before : {};
    const a = isRecord(after) ? after : {};
    // A whole record (an award, a term) added or removed reads better as one line.
    const flat = !isRecord(before) || !isRecord(after);
    if (flat)
      out.changes.push({ field: '', before: displayValue(before, names), after: displayValue(after, names) });
    else
      for (const field of [...new Set([...Object.keys(b), ...Object.keys(a)])])
        if (displayValue(b[field], names) !== displayValue(a[field], names))
          out.changes.push({
            field,
            before: displayValue(b[field], names),
            after: displayValue(a[field], names),
          });
  } else if (before !== undefined || after !== undefined) {
    out.changes.push({ field: '', before: displayValue(before, names), after: displayValue(after, names) });
  }
  if (from !== undefined || to !== undefined)
    out.changes.push({ field: 'stage', before: displayValue(from, names), after: displayValue(to, names) });
  if (reason !== undefined && reason !== null && reason !== '') out.reason = displayValue(reason, names);
  for (const [k, v] of Object.entries(rest))
    if (v !== undefined) out.other.push(`${k}: ${displayValue(v, names)}`);
  return out;
}

/** One line of text (CSV, title attributes). */
export function summaryText(s: AuditSummary, reasonLabel: string): string {
  const parts = s.changes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.before} → ${c.after}`);
  if (s.reason) parts.push(`${reasonLabel}: ${s.reason}`);
  parts.push(...s.other);
  return parts.join('; ');
}
