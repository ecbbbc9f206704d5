/**
 * A refused step whose form is not on the page (a stale tab posting a step no longer
 * offered: the record moved on, or another role's step) is shown to the user with its
 * reasons, never swallowed (issue 16).
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createT } from '~/i18n';
import type { TransitionFailure } from '~/utils/pipeline/pipeline-step.server';

vi.mock('~/i18n/use-t', () => ({ useLocale: () => 'vi', useT: () => createT('vi') }));

const { NotOfferedFailure, notOffered } = await import('~/components/pipeline-transition-form');

const FAILURE: TransitionFailure = {
  intent: 'record_branch_vote',
  label: { vi: 'Ghi nhận biểu quyết của chi bộ', en: 'Record the chi bộ vote' },
  reasons: [
    {
      code: 'wrong_stage',
      field: null,
      message: {
        vi: 'Không thể "Ghi nhận biểu quyết của chi bộ" khi hồ sơ đang ở bước "Lập hồ sơ"',
        en: '"Record the chi bộ vote" is not possible while the record is at "Dossier"',
      },
    },
  ],
  values: {},
};

describe('a refusal of a step that is not on the page', () => {
  it('is picked out only when no form on the page has its intent', () => {
    expect(notOffered(FAILURE, [{ id: 'record_introduction' }, { id: 'withdraw' }])).toBe(FAILURE);
    expect(notOffered(FAILURE, [{ id: 'record_branch_vote' }])).toBeUndefined();
    expect(notOffered(undefined, [])).toBeUndefined();
  });

  it('is shown as an alert naming the step, with every reason and what happened', () => {
    const html = renderToStaticMarkup(<NotOfferedFailure failure={FAILURE} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Bước “Ghi nhận biểu quyết của chi bộ” chưa được ghi nhận, vì:');
    expect(html).toContain(
      '<li>Không thể &quot;Ghi nhận biểu quyết của chi bộ&quot; khi hồ sơ đang ở bước &quot;Lập hồ sơ&quot;</li>',
    );
    expect(html).toContain('Bước này không còn trên trang');
  });

  it('says the record changed when that is the reason (409)', () => {
    const conflict = { ...FAILURE, conflict: true };
    expect(renderToStaticMarkup(<NotOfferedFailure failure={conflict} />)).toContain(
      'Hồ sơ đã thay đổi trong lúc bạn nhập.',
    );
  });
});
