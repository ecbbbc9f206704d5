/**
 * `/members/export?format=xlsx|csv&<table params>[&id=…][&sensitive=1]`: the member
 * table as a file. Same URL parsing and the same scoped filter as `/members`, so
 * an export never holds a row the user could not see in the table. Sensitive
 * columns and filters need `sensitive:read` (refused with 403 otherwise); a file
 * filtered by ethnicity/religion of 1-4 people is refused, and every such export is
 * audited (Law 91/2025; app/utils/members/sensitive-access.server.ts).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { EXPORT_COLUMNS, exportMembers, type ExportOptions } from '~/utils/members/member-export.server';
import {
  auditSensitiveExport,
  countExported,
  findSort,
  memberListFilter,
} from '~/utils/members/members-list.server';
import { parseMemberListQuery, sortOf } from '~/utils/members/members-query';
import { getLocale } from '~/utils/locale.server';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import {
  requireSensitiveFilters,
  revealFilteredList,
  sensitiveRefusal,
} from '~/utils/members/sensitive-access.server';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

const ExportParamsSchema = z.object({
  format: z.enum(['xlsx', 'csv']).catch('xlsx'),
  sensitive: z.literal('1').optional().catch(undefined),
  // Selected rows (bulk action); a page holds at most 100, selections across pages a few hundred.
  ids: z.array(z.string().regex(OBJECT_ID_PATTERN)).max(1000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const params = new URL(request.url).searchParams;
  const query = parseMemberListQuery(params);
  const extra = ExportParamsSchema.parse({
    format: params.get('format') ?? undefined,
    sensitive: params.get('sensitive') ?? undefined,
    ids: params.has('id') ? params.getAll('id') : undefined,
  });
  // Sensitive columns or filters asked for by a role that may not reveal them: refused, not dropped.
  if (extra.sensitive === '1' && !can(user.role, 'sensitive:read')) {
    throw sensitiveRefusal('exportForbidden', user.locale, 'file');
  }
  const filters = requireSensitiveFilters(user, params, 'file');
  const includeSensitive = extra.sensitive === '1';
  const filter = memberListFilter(user, query, { ids: extra.ids });
  // Counted only when the file is sensitive: a file by ethnicity/religion (too small a group
  // is refused, any other logged as a reveal) or with the sensitive columns (logged below).
  const count = filters.length || includeSensitive ? await countExported(filter) : null;
  if (filters.length) {
    await revealFilteredList(user, { filters, values: query, count: count!, via: 'export', as: 'file' });
  }
  const { key, dir } = sortOf(query);
  // School/branch/GPA/stage orders need the table's aggregation; the file falls back to name order.
  const sort = findSort(key, dir) ?? undefined;

  const result = exportMembers({
    filter: filter as ExportOptions['filter'],
    sort,
    format: extra.format,
    locale: await getLocale(request),
    // The helper's default leaves sensitive columns out; ask for all of them when allowed.
    columns: includeSensitive ? EXPORT_COLUMNS : undefined,
    includeSensitive,
  });

  if (includeSensitive) {
    await auditSensitiveExport(user, {
      format: extra.format,
      columns: result.columns,
      query: Object.fromEntries(params),
      selected: extra.ids?.length ?? null,
      count,
    });
  }

  return new Response(createReadableStreamFromReadable(result.body), {
    status: 200,
    headers: {
      'Content-Type': result.contentType,
      'Content-Disposition': `attachment; filename="${result.filename}"; filename*=UTF-8''${encodeURIComponent(result.filename)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
