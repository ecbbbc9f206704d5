import { useRef, useState } from 'react';
import { useT } from '~/i18n/use-t';

/**
 * A secret shown once (an API token) with a copy button. The button copies with the
 * clipboard API; where that is missing or refused (no permission, an insecure origin),
 * the text is selected and the user is told to press Ctrl+C. The outcome is announced
 * through a polite live region.
 */
export function CopySecret({ id, label, value }: { id: string; label: string; value: string }) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const selectAll = () => {
    input.current?.focus();
    input.current?.select();
    setState('selected');
  };
  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('No clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      selectAll();
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-secret">
        <input
          ref={input}
          id={id}
          readOnly
          value={value}
          size={48}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          data-testid="token-secret"
        />
        <button type="button" className="button-secondary" onClick={copy} data-testid="copy-secret">
          {t('copy.button')}
        </button>
      </div>
      <p className="field-hint" aria-live="polite" data-testid="copy-status">
        {state === 'copied' ? t('copy.done') : state === 'selected' ? t('copy.selected') : ''}
      </p>
    </div>
  );
}
