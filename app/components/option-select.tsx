/** A labelled filter select with an "all" first option, for units and other id/name lists. */
import { useId } from 'react';

export function OptionSelect({
  name,
  label,
  allLabel,
  options,
  value,
}: {
  name: string;
  label: string;
  /** The empty choice: no filter. */
  allLabel: string;
  options: readonly { id: string; name: string }[];
  value: string | null | undefined;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value ?? ''}>
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}
