/**
 * Sensitive data through the member table, its export and the API (Law 91/2025; the
 * rules are app/domain/sensitive-data.ts, the list of exits
 * docs/decisions/023-sensitive-data-exits.md):
 * - a sensitive filter (or sensitive columns) asked for by a role that may not reveal
 *   sensitive data is refused with 403 and a message saying why;
 * - a list filtered by a sensitive field that holds 1-4 people is refused the same way;
 * - every other list or file filtered by one is logged as a reveal (who, which filter,
 *   how many records), before its rows leave the server.
 */
import { Types } from 'mongoose';
import {
  SMALL_GROUP_UNDER,
  sensitiveFiltersIn,
  sensitiveListRefusal,
  type SensitiveFilter,
  type SensitiveRefusalBody,
  type SensitiveRefusalKind,
} from '~/domain/sensitive-data';
import { translate, type Locale } from '~/i18n';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { can } from '~/domain/permissions';

/**
 * 403 with the reason in the user's language: JSON for a page (its error boundary shows
 * the message), plain text for a download (what a browser shows for a refused file).
 */
export function sensitiveRefusal(kind: SensitiveRefusalKind, locale: Locale, as: 'page' | 'file'): Response {
  const message = translate(locale, `sensitive.${kind}`, { n: SMALL_GROUP_UNDER });
  const body: SensitiveRefusalBody = { refusal: kind, message };
  return new Response(as === 'page' ? JSON.stringify(body) : message, {
    status: 403,
    headers: {
      'Content-Type': as === 'page' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    },
  });
}

/**
 * The sensitive filters of a request (`?ethnicity=…`, `?religion=…`), thrown back as a
 * 403 to a role that may not reveal sensitive data. The raw query string is read, so a
 * value the table's parser would drop is refused all the same.
 */
export function requireSensitiveFilters(
  user: Pick<AuthUser, 'role' | 'locale'>,
  params: URLSearchParams,
  as: 'page' | 'file',
): SensitiveFilter[] {
  const filters = sensitiveFiltersIn(params);
  if (sensitiveListRefusal(can(user.role, 'sensitive:read'), filters) === 'forbidden') {
    throw sensitiveRefusal('filterForbidden', user.locale, as);
  }
  return filters;
}

/**
 * A list or file filtered by sensitive fields that matched `count` records: refused
 * (thrown 403) when the group is too small to show by name, otherwise logged as a reveal
 * before anything is sent. Nothing to do without sensitive filters.
 */
export async function revealFilteredList(
  user: Pick<AuthUser, 'id' | 'role' | 'unitId' | 'locale'>,
  request: {
    filters: readonly SensitiveFilter[];
    values: Partial<Record<SensitiveFilter, string>>;
    count: number;
    via: 'list' | 'export';
    as: 'page' | 'file';
  },
): Promise<void> {
  const { filters, count } = request;
  if (!filters.length) return;
  const refusal = sensitiveListRefusal(can(user.role, 'sensitive:read'), filters, count);
  if (refusal === 'forbidden') throw sensitiveRefusal('filterForbidden', user.locale, request.as);
  if (refusal === 'smallGroup') throw sensitiveRefusal('smallGroup', user.locale, request.as);
  // The same event as the profile's reveal: who, which fields, here which filter and how
  // many records (no one's value: the filter's value is the group's, not a person's).
  await appendAudit({
    actorId: user.id,
    action: 'member.sensitive.reveal',
    entity: 'Member',
    unitId: new Types.ObjectId(user.unitId),
    details: {
      via: request.via,
      fields: [...filters],
      filter: Object.fromEntries(filters.map((f) => [f, request.values[f] ?? null])),
      count,
    },
  });
}
