import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { isIsoDate } from './dates';
import { parseMoney } from './money';

/** Form-friendly validators: HTML forms send strings, and an empty field means "not given". */

export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Trims, and turns an empty string into null (an optional field left blank). */
export const EmptyToNull = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  });

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Query strings: an empty parameter (`?grantId=`) is the same as one not given. */
export const BlankToUndefined = () =>
  Transform(({ value }: { value: unknown }) => blankToUndefined(value));

/** Query strings: a whole number becomes a number; anything else is left for the validators to refuse. */
export const QueryInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : blankToUndefined(value),
  );

/**
 * Form fields: a whole number (spaces around it allowed) becomes a number; anything else is left as
 * typed, so the field's own validators refuse it with the field's message.
 */
export const FormInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value,
  );

/** An optional record id in a query string (`?grantId=12`): a whole number from 1, or a 400 saying `message`. */
export const OptionalQueryId = (message: string) =>
  applyDecorators(QueryInt(), IsOptional(), IsInt({ message }), Min(1, { message }));

/** Dollar text (`1,234.50`, `$1,234.50`) that parses to whole cents; the field stays text. */
export function IsMoney(options: { allowNegative?: boolean } = {}, validation?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    let message = 'Enter an amount in dollars.';
    registerDecorator({
      name: 'isMoney',
      target: object.constructor,
      propertyName,
      options: validation,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') {
            message = 'Enter an amount in dollars.';
            return false;
          }
          const parsed = parseMoney(value);
          if (!parsed.ok) {
            message = parsed.message;
            return false;
          }
          if (!options.allowNegative && parsed.cents < 0) {
            message = 'Enter an amount of zero or more.';
            return false;
          }
          return true;
        },
        defaultMessage: () => message,
      },
    });
  };
}

export function IsIsoDate(validation?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDate',
      target: object.constructor,
      propertyName,
      options: validation,
      validator: {
        validate: (value: unknown) => isIsoDate(value),
        defaultMessage: () => 'Enter a real date as YYYY-MM-DD.',
      },
    });
}

/**
 * A date range's start: when both this and `end` are real dates, this must be on or before it. The
 * refusal is this field's (the form shows it beside the start), so the list can still be shown.
 */
export function IsOnOrBefore(end: string, validation?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isOnOrBefore',
      target: object.constructor,
      propertyName,
      constraints: [end],
      options: validation,
      validator: {
        validate(value: unknown, args) {
          const other = (args?.object as Record<string, unknown> | undefined)?.[end];
          return !isIsoDate(value) || !isIsoDate(other) || value <= other;
        },
        defaultMessage: (args) => {
          const other = (args?.object as Record<string, unknown> | undefined)?.[end];
          return `${propertyName} (${String(args?.value)}) must be on or before ${end} (${String(other)})`;
        },
      },
    });
}
