/**
 * The simulation page's URL state (`?change=became_ineligible&school=…&page=2`),
 * parsed with zod by the page and by its export, and the filtering both apply.
 */
import { z } from 'zod';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

export const SIM_PAGE_SIZE = 50;

export const SimulationQuerySchema = z.object({
  change: z.enum(['became_eligible', 'became_ineligible']).optional().catch(undefined),
  school: z.string().regex(OBJECT_ID_PATTERN).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type SimulationQuery = z.infer<typeof SimulationQuerySchema>;

export function parseSimulationQuery(searchParams: URLSearchParams): SimulationQuery {
  return SimulationQuerySchema.parse({
    change: searchParams.get('change') || undefined,
    school: searchParams.get('school') || undefined,
    page: searchParams.get('page') ?? 1,
  });
}

export function filterRows<R extends { change: string; schoolId: string }>(
  rows: R[],
  q: SimulationQuery,
): R[] {
  return rows.filter((r) => (!q.change || r.change === q.change) && (!q.school || r.schoolId === q.school));
}
