import type { LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { IMPORT_KINDS } from '~/domain/member-import/types';
import {
  buildMembersTemplate,
  buildResultsTemplate,
  templateFilename,
} from '~/utils/members/member-import-template.server';
import { XLSX_CONTENT_TYPE } from '~/utils/content-types';
import { requireUser } from '~/utils/auth/permissions.server';
import { notFound } from '~/utils/responses.server';

const QuerySchema = z.object({ kind: z.enum(IMPORT_KINDS) });

/** The .xlsx template of one import kind: header row, an example row and a guide sheet. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'member:import' });
  const parsed = QuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw notFound();
  const { kind } = parsed.data;
  const body = kind === 'members' ? await buildMembersTemplate() : await buildResultsTemplate();
  const filename = templateFilename(kind);
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': XLSX_CONTENT_TYPE,
      'Content-Disposition': `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'Content-Length': String(body.length),
      'Cache-Control': 'private, no-store',
    },
  });
}
