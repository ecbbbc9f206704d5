/**
 * Reading a chi bộ's register of official members, on its own so that both the register's
 * editor (party-register.server.ts) and the conflict re-check (pipeline-conflicts.server.ts)
 * can use it without importing each other.
 */
import type { Types } from 'mongoose';
import { Unit } from '../../../models/unit';
import { registerOf, type RegisterEntry } from '~/domain/party-register';

/** The register of the chi bộ that follows a member, for the vote steps (empty: none known). */
export async function registerOfCell(cellId: Types.ObjectId | null | undefined): Promise<RegisterEntry[]> {
  if (!cellId) return [];
  const cell = await Unit.findOne({ _id: cellId, kind: 'party_cell' })
    .select({ officialMembers: 1, officialMemberCount: 1 })
    .lean<Parameters<typeof registerOf>[0]>();
  return cell ? registerOf(cell) : [];
}
