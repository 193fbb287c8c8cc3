import type * as CommonLanguage from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

// 49,000 passwords seen in breaches, from the zxcvbn-ts project: loaded when a password is first
// checked (a tenth of a second), not by every process and test file that never checks one.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof CommonLanguage;
    common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return common;
}

/** Returns why a password is not acceptable, or null when it is. */
export function passwordProblem(password: unknown, email = ''): string | null {
  if (typeof password !== 'string' || password.length === 0) return 'Enter a password.';
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  // "password2024!" is as guessable as "password": strip trailing digits and symbols too.
  const core = lower.replace(/[\d\W_]+$/, '');
  const known = commonPasswords();
  if (known.has(lower) || (core.length >= 4 && known.has(core)) || /^(.)\1+$/.test(password)) {
    return 'That password is too common and easy to guess; choose a longer phrase of unrelated words.';
  }
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local))
    return 'Do not use your email address in your password.';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
