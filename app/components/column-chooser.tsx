/**
 * Show/hide columns, kept in the URL (`cols=`), so a bookmarked view keeps its
 * columns. A GET form: with JavaScript each tick applies at once; without it
 * the Apply button submits. The hidden `cols` input makes "none ticked"
 * explicit (otherwise an empty submission would mean "the defaults").
 */
import { Form, useSubmit } from '@remix-run/react';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';

export function ColumnChooser<C extends string>({
  columns,
  visible,
  labels,
  hidden,
}: {
  columns: readonly C[];
  visible: readonly C[];
  labels: Record<C, MessageKey>;
  /** Other URL state to keep. */
  hidden: [string, string][];
}) {
  const t = useT();
  const submit = useSubmit();
  return (
    <details className="column-chooser">
      <summary>{t('members.columns')}</summary>
      <Form
        method="get"
        preventScrollReset
        onChange={(e) => {
          const form = e.currentTarget;
          const ticked = Array.from(form.querySelectorAll<HTMLInputElement>('input[data-col]:checked')).map(
            (i) => i.value,
          );
          const params = new URLSearchParams();
          for (const [k, v] of hidden) params.set(k, v);
          params.set('cols', ticked.length ? ticked.join(',') : 'none');
          submit(params, { method: 'get', preventScrollReset: true, replace: true });
        }}
      >
        {hidden.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="cols" value="none" />
        <fieldset className="fieldset-plain">
          <legend className="visually-hidden">{t('members.columns')}</legend>
          <ul className="column-list">
            {columns.map((c) => (
              <li key={c}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    name="cols"
                    value={c}
                    data-col
                    defaultChecked={visible.includes(c)}
                    key={`${c}-${visible.includes(c)}`}
                  />
                  {t(labels[c])}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <noscript>
          <button type="submit">{t('table.apply')}</button>
        </noscript>
      </Form>
    </details>
  );
}
