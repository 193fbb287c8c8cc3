/**
 * Money is an integer number of cents everywhere in the app. This module is the only place that
 * turns dollar text into cents and cents into dollar text, so no float of dollars ever exists.
 */

const MONEY_PATTERN = /^(-)?\$?(-)?((?:\d{1,3}(?:,\d{3})+)|\d+)(?:\.(\d{1,2}))?$/;

export type MoneyParseResult = { ok: true; cents: number } | { ok: false; message: string };

/** Parses `1234567.89`, `1,234,567.89`, `$1,234,567.89` or `-$1,250.50` into integer cents. */
export function parseMoney(input: string): MoneyParseResult {
  const text = input.trim();
  if (text === '')
    return { ok: false, message: 'Enter an amount in dollars, for example 1,250.00.' };
  const match = MONEY_PATTERN.exec(text);
  if (!match) {
    if (/\.\d{3,}$/.test(text)) {
      return { ok: false, message: 'Use at most two decimal places (whole cents).' };
    }
    return {
      ok: false,
      message: 'Enter dollars as digits, for example 1234567.89, 1,234,567.89 or $1,234,567.89.',
    };
  }
  const [, signBefore, signAfter, whole, fraction = ''] = match;
  if (signBefore && signAfter) return { ok: false, message: 'Use one minus sign at most.' };
  const digits = whole.replace(/,/g, '') + fraction.padEnd(2, '0');
  const cents = Number(digits);
  if (!Number.isSafeInteger(cents)) return { ok: false, message: 'That amount is too large.' };
  return { ok: true, cents: signBefore || signAfter ? -cents : cents };
}

/** Like parseMoney, for values already checked by the IsMoney validator. */
export function toCents(input: string): number {
  const result = parseMoney(input);
  if (!result.ok) throw new Error(`Not a dollar amount: ${input}`);
  return result.cents;
}

/** Plain decimal dollars with two places: `-1234.50` (CSV and form values). */
export function centsToDecimal(cents: number): string {
  assertCents(cents);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.trunc(abs / 100);
  const rest = abs % 100;
  return `${sign}${dollars}.${String(rest).padStart(2, '0')}`;
}

/** Display dollars with separators: `$1,234,567.89`, `-$1,250.50`. */
export function formatMoney(cents: number): string {
  assertCents(cents);
  const [whole, fraction] = centsToDecimal(Math.abs(cents)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}$${grouped}.${fraction}`;
}

function assertCents(cents: number): void {
  if (!Number.isSafeInteger(cents)) throw new Error(`Money must be integer cents, got ${cents}`);
}
