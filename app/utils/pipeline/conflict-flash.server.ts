/**
 * The message right after a save that broke a recorded step (issue 16, path 4). The save
 * redirects with `?ok=<name>Conflict&broke=<keys>` (pipeline-conflicts.server.ts, brokeParam);
 * the member header reads the record's conflicts of those keys and says what the save broke,
 * in the rule's own words. The root leaves such a toast to the header (root.tsx).
 */
import { isMessageKey, type MessageKey } from '~/i18n';
import type { ConflictsView } from './pipeline-conflicts.server';

export interface BrokeFlashView {
  /** The messages of the conflicts the save added, as the record holds them now. */
  broke: { vi: string; en: string }[];
  /** The save's own toast, when none of the keys is on the record any more. */
  fallback: MessageKey;
}

/** Is this redirect one of a save that broke something? (Then the header says what.) */
export function isBrokeRedirect(params: URLSearchParams): boolean {
  const ok = params.get('ok') ?? '';
  return ok.endsWith('Conflict') && params.has('broke');
}

export function brokeFlash(params: URLSearchParams, conflicts: ConflictsView): BrokeFlashView | null {
  if (!isBrokeRedirect(params)) return null;
  const fallback = `toast.${params.get('ok')}`;
  if (!isMessageKey(fallback)) return null;
  const keys = new Set((params.get('broke') ?? '').split(' ').filter(Boolean));
  return {
    broke: conflicts.list.filter((c) => keys.has(c.key)).map((c) => c.message),
    fallback,
  };
}
