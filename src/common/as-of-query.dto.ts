import { formatDate } from './dates';
import { applyDecorators, BadRequestException } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import { BlankToUndefined, IsIsoDate } from './validation';

/*
 * The query parameters every dated page and report takes (DESIGN.md §7): `asOf`, and for a CSV and
 * its manifest `bom`. What "as of" means in SQL is as-of.ts; this is how it arrives in a URL.
 */

export const AS_OF_MESSAGE = 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.';

/** `asOf=YYYY-MM-DD`: blank is not given (the page's default, today); a malformed date is a 400. */
export function OptionalAsOf(message = AS_OF_MESSAGE) {
  // By hand, bottom-up as if stacked: applyDecorators does not take IsIsoDate's (string-keyed) type.
  return (object: object, propertyName: string) => {
    IsIsoDate({ message })(object, propertyName);
    IsOptional()(object, propertyName);
    BlankToUndefined()(object, propertyName);
  };
}

/**
 * Why `asOf` is refused when it is after today (the office's calendar day, Clock.today()), or null.
 * A report shows what the records said at the end of a day (DESIGN.md §4): a day still to come has
 * no such answer, and a report for it would change as the days come. Not a DTO rule: it needs today.
 */
export function futureAsOfMessage(asOf: string | undefined, today: string): string | null {
  if (asOf === undefined || asOf <= today) return null;
  return `asOf must not be after today (${formatDate(today)}): a report shows what the records said at the end of a day, and ${formatDate(asOf)} has not come yet.`;
}

/** `asOf` as given, or today when not given; a date after today is a 400 that says why. */
export function asOfOrToday(asOf: string | undefined, today: string): string {
  const refused = futureAsOfMessage(asOf, today);
  if (refused) throw new BadRequestException(refused);
  return asOf ?? today;
}

export const BOM_MESSAGE = 'bom must be 1 (add a byte-order mark) or 0.';
/** What the downloads of issue 6 (ledger, registers) have always said about `bom`. */
export const BOM_FOR_EXCEL_MESSAGE = 'bom must be 1 (add a byte-order mark for Excel) or 0.';

/** `bom=1`: the CSV starts with a UTF-8 byte-order mark (Excel on Windows); anything but 0/1 is a 400. */
export const OptionalBom = (message = BOM_MESSAGE) =>
  applyDecorators(BlankToUndefined(), IsOptional(), IsIn(['0', '1'], { message }));

/** `asOf` alone: a dated page. */
export class AsOfQuery {
  @OptionalAsOf()
  asOf?: string;
}

/** `asOf` and `bom`: a report's page, its CSV and the CSV's manifest. */
export class AsOfBomQuery extends AsOfQuery {
  @OptionalBom()
  bom?: '0' | '1';
}
