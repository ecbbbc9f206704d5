/** The member page shows why a sensitive filter was refused, in the user's language. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createT, translate } from '~/i18n';

vi.mock('~/i18n/use-t', () => ({ useLocale: () => 'vi', useT: () => createT('vi') }));

const { SensitiveRefusalText } = await import('~/components/sensitive-refusal');

describe('a refused sensitive filter on the member page', () => {
  it('shows the reason the server gave', () => {
    const message = translate('vi', 'sensitive.smallGroup', { n: 5 });
    const html = renderToStaticMarkup(<SensitiveRefusalText data={{ refusal: 'smallGroup', message }} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Nhóm này có dưới 5 người');
  });

  it('falls back to the generic text for any other 403', () => {
    expect(renderToStaticMarkup(<SensitiveRefusalText data="Forbidden" />)).toContain(
      translate('vi', 'error.403'),
    );
  });
});
