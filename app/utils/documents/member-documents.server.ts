/**
 * The "Văn bản" part of a member's Quy trình tab: for each recorded step, its forms (with
 * the builder's refusal when a filled form cannot be built yet), each with its issue history
 * and status. Read inside the caller's scope: `scope` is the member filter of the page.
 */
import { Types } from 'mongoose';
import type { Text } from '~/domain/criteria/types';
import { FILLED_FORMS, FORM_TITLES, buildDocument, documentSteps, type FormCode } from '~/domain/documents';
import { canEditDossier } from '~/domain/pipeline/tab-permissions';
import { findTransition } from '~/domain/pipeline/transitions';
import type { AuthUser } from '../auth/auth.server';
import { loadDocumentInputs } from './document-input.server';
import { memberDocuments, type IssuedView } from './issued.server';

export interface FormRow {
  form: FormCode;
  title: string;
  filled: boolean;
  /** Why it cannot be built now (the builder's message), or null. */
  refusal: Text | null;
  issued: IssuedView[];
}

export interface DocumentsPanel {
  canIssue: boolean;
  steps: { step: string; label: Text; forms: FormRow[] }[];
}

export async function documentsPanel(
  user: AuthUser,
  id: Types.ObjectId,
  scope: Record<string, unknown>,
): Promise<DocumentsPanel | null> {
  const [loaded] = await loadDocumentInputs(scope);
  if (!loaded) return null;
  const issued = await memberDocuments(id);
  const steps = documentSteps(loaded.input.candidate.pipeline).map(({ step, forms }) => ({
    step,
    label: findTransition(step, '')?.label ?? { vi: step, en: step },
    forms: forms.map((form): FormRow => {
      const built = buildDocument(form, loaded.input);
      return {
        form,
        title: FORM_TITLES[form],
        filled: FILLED_FORMS.includes(form),
        refusal: built.ok ? null : built.refusal.message,
        issued: issued.filter((d) => d.form === form),
      };
    }),
  }));
  return { canIssue: canEditDossier(user), steps };
}

/**
 * The student's own documents: every issued document that names her (form, number, date,
 * status), nothing else of the record behind it. `user.memberId` is her scope.
 */
export async function studentDocuments(user: AuthUser) {
  if (!user.memberId) return [];
  const docs = await memberDocuments(new Types.ObjectId(user.memberId));
  return docs.map((d) => ({ ...d, title: FORM_TITLES[d.form] }));
}
