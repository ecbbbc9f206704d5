/**
 * The Quy trình tab's action: one form post, dispatched by its intent to a step
 * (pipeline-step.server.ts), the dossier checklist or a review note
 * (pipeline-tab-writes.server.ts), or a rule conflict's override (pipeline-conflicts.server.ts).
 */
import { parse } from '@conform-to/react';
import type { Types } from 'mongoose';
import { isTransitionId } from '~/domain/pipeline';
import type { AuthUser } from '../auth/auth.server';
import { badRequest } from '../responses.server';
import { parseVersion } from '../versioning.server';
import { overrideConflicts } from './pipeline-conflicts.server';
import { applyTransition } from './pipeline-step.server';
import { addReviewNote, resolveFlag, saveDossier } from './pipeline-tab-writes.server';

/**
 * Form fields → the transition's input, read by conform: `introducers[0].name` gives a
 * list, `introducers.0.name` an object keyed by row, both of which the step's schema reads
 * as its rows (schemas.ts).
 */
export function formToInput(form: FormData): Record<string, unknown> {
  const { payload } = parse(form, { resolve: (value) => ({ value }) });
  const { intent: _intent, version: _version, ...input } = payload;
  return input;
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, raw] of form.entries()) {
    if (typeof raw === 'string' && key !== 'version') values[key] = raw;
  }
  return values;
}

/**
 * The action's entry: intent and version from the form, then a step (`applyTransition`),
 * the dossier checklist, or a review note. An unknown intent or a bad version is a 400.
 */
export async function pipelineAction(user: AuthUser, memberId: Types.ObjectId, form: FormData) {
  const intent = form.get('intent');
  // Strict: a missing or blank version is not version 0 (z.coerce would make it one, and a
  // form without it would then pass the concurrency check of a never-edited record).
  const version = parseVersion(form.get('version'));
  if (version === null) throw badRequest();
  switch (intent) {
    case 'dossier':
      return saveDossier(user, memberId, form, version);
    case 'note':
      return addReviewNote(user, memberId, form, version);
    case 'resolve_flag':
      return resolveFlag(user, memberId, String(form.get('noteId') ?? ''), version);
    case 'conflict_override':
      return overrideConflicts(user, memberId, form.get('reason'), version);
    default:
      if (!isTransitionId(intent)) throw badRequest();
      return applyTransition(user, memberId, intent, formToInput(form), version, {
        values: formValues(form),
      });
  }
}
