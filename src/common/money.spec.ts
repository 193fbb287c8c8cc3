import fc from 'fast-check';
import { centsToDecimal, formatMoney, parseMoney } from './money';

const cents = (text: string) => {
  const result = parseMoney(text);
  if (!result.ok) throw new Error(result.message);
  return result.cents;
};

describe('money', () => {
  describe(parseMoney.name, () => {
    it.each([
      ['1234567.89', 123456789],
      ['1,234,567.89', 123456789],
      ['$1,234,567.89', 123456789],
      ['  $30,000,000.00 ', 3000000000],
      ['0', 0],
      ['0.5', 50],
      ['.5', null],
      ['12.3', 1230],
      ['-1250.50', -125050],
      ['-$1,250.50', -125050],
      ['$-1,250.50', -125050],
    ])('should parse %p as %p cents', (text, expected) => {
      const result = parseMoney(text);
      if (expected === null) expect(result.ok).toBe(false);
      else expect(result).toEqual({ ok: true, cents: expected });
    });

    it.each([
      ['', /Enter an amount/],
      ['   ', /Enter an amount/],
      ['12.345', /two decimal places/],
      ['1e6', /digits/],
      ['12abc', /digits/],
      ['1,23,456', /digits/],
      ['$$5', /digits/],
      ['--5', /one minus sign/],
      ['-$-5', /one minus sign/],
      ['1.2.3', /digits/],
      ['99999999999999999999', /too large/],
    ])('should reject %p', (text, message) => {
      const result = parseMoney(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
    });

    it('should round-trip every safe integer of cents through both formats', () => {
      const anyCents = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
      fc.assert(
        fc.property(anyCents, (value) => {
          expect(cents(centsToDecimal(value))).toBe(value);
          expect(cents(formatMoney(value))).toBe(value);
        }),
        { numRuns: 5000 },
      );
    });

    it('should round-trip small amounts exhaustively near zero', () => {
      fc.assert(
        fc.property(fc.integer({ min: -100_000, max: 100_000 }), (value) => {
          expect(cents(centsToDecimal(value))).toBe(value);
        }),
      );
    });
  });

  describe(formatMoney.name, () => {
    it('should group thousands and keep two decimals', () => {
      expect(formatMoney(3000000000)).toBe('$30,000,000.00');
      expect(formatMoney(-125050)).toBe('-$1,250.50');
      expect(formatMoney(5)).toBe('$0.05');
    });

    it('should refuse a float of dollars', () => {
      expect(() => formatMoney(12.5)).toThrow(/integer cents/);
    });
  });

  describe(centsToDecimal.name, () => {
    it('should write plain decimal dollars', () => {
      expect(centsToDecimal(-125050)).toBe('-1250.50');
      expect(centsToDecimal(0)).toBe('0.00');
      expect(centsToDecimal(-5)).toBe('-0.05');
    });
  });
});
