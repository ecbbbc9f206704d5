/** Turns FormData into a plain object for zod, keeping only the first value of each name. */
export function formDataToObject(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of formData) {
    if (typeof value === 'string' && !(key in out)) out[key] = value;
  }
  return out;
}
