/**
 * The password policy a person can follow (issue 17): at least 10 characters (checked in
 * `PasswordSchema`, also in the browser) and not one of the ~49,000 most common passwords
 * of `@zxcvbn-ts/language-common` (its `passwords-common` list, drawn from leaked-password
 * corpora, lower-case), checked here on the server only so the list never reaches a page.
 * Applied wherever a password is set: account creation and reset by an administrator, and
 * the bootstrap. Sign-in never re-checks it, so existing accounts (the demo's `demo1234`)
 * keep working.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  return common.has(password.normalize('NFC').toLowerCase());
}

/** The catalogue key for a password the policy refuses beyond its length, or null. */
export function passwordPolicyError(password: string): 'validation.passwordCommon' | null {
  return isCommonPassword(password) ? 'validation.passwordCommon' : null;
}
