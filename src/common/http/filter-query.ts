import { BadRequestException, createParamDecorator, ExecutionContext, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { Response } from 'express';

/*
 * GET filter forms (lists, dashboards, report pages). A refused filter value must not be a dead end:
 * the page is rendered again, with status 400, the values as typed and one message beside each field
 * refused. `@FilterQuery()` in place of `@Query()` does it for any handler: it validates the query as
 * the global ValidationPipe would, leaves the refused fields out (the page is built without them)
 * and puts what the view needs in `res.locals`, which every view sees at its root:
 *   filterErrors  field → its message (views: the `filter-field` partial, `filterError` helper)
 *   filterValues  field → the value as typed (the `typed` helper)
 *   asOfRefused   { value, message } when asOf was refused (the `reports/as-of-field` partial)
 * CSV and JSON routes keep `@Query()`: a bad value there is the plain 400 page.
 */

export interface FilterRefusal {
  filterErrors: Record<string, string>;
  filterValues: Record<string, string>;
}

/** Checks of what a value is; when one fails, its message says more than a range check's. */
const KIND_CHECKS = ['isInt', 'isIsoDate', 'isIn', 'matches', 'isString'];

/** One message per field (a field's validators often share one wording), in the DTO's order. */
export function fieldMessages(errors: ValidationError[]): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const error of errors) {
    const constraints = error.constraints ?? {};
    const kind = KIND_CHECKS.find((check) => check in constraints);
    const first = kind ? constraints[kind] : Object.values(constraints)[0];
    if (first !== undefined && !(error.property in messages)) messages[error.property] = first;
  }
  return messages;
}

/** The global ValidationPipe's 400: one message per field, so none is printed twice. */
export function validationException(errors: ValidationError[]): BadRequestException {
  return new BadRequestException(Object.values(fieldMessages(errors)));
}

/** The query as typed, one string per parameter (a repeated one keeps its first value). */
export function typedValues(raw: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') values[key] = first;
  }
  return values;
}

/**
 * Validates `raw` as `type`; refused fields are left out of the result, and the response gets
 * status 400 and the FilterRefusal (and asOfRefused) in its locals.
 */
export function readFilters<T extends object>(
  type: Type<T>,
  raw: Record<string, unknown>,
  res: Response,
): T {
  const query = plainToInstance(type, raw);
  const errors = fieldMessages(
    validateSync(query, { whitelist: true, forbidUnknownValues: false }),
  );
  const refused = Object.keys(errors);
  if (refused.length === 0) return query;
  for (const field of refused) delete (query as Record<string, unknown>)[field];
  refuseFilters(errors, raw, res);
  return query;
}

/**
 * Status 400 and the FilterRefusal (and asOfRefused) in the response's locals, for `errors`
 * (parameter → message) found in the query `raw`: readFilters' answer, for a page that checks a
 * parameter a DTO cannot declare (the dashboard's `p<programId>` pages).
 */
export function refuseFilters(
  errors: Record<string, string>,
  raw: Record<string, unknown>,
  res: Response,
): void {
  const values = typedValues(raw);
  const refusal: FilterRefusal = { filterErrors: errors, filterValues: values };
  Object.assign(res.locals, refusal);
  if (errors.asOf) res.locals.asOfRefused = { value: values.asOf ?? '', message: errors.asOf };
  res.status(400);
}

/**
 * Refuses one more value after validation, for a rule the DTO cannot check (an id that names no
 * record): the same 400, locals and message beside the field as a refused value.
 */
export function refuseFilter(res: Response, field: string, message: string, typed: string): void {
  const locals = res.locals as Partial<FilterRefusal>;
  locals.filterErrors = { ...locals.filterErrors, [field]: message };
  locals.filterValues = { ...locals.filterValues, [field]: typed };
  res.status(400);
}

/** Whether this response carries a refused filter (readFilters found one). */
export function filtersRefused(res: Response): boolean {
  return res.locals.filterErrors !== undefined;
}

const filterQuery = createParamDecorator((type: Type<object>, context: ExecutionContext) => {
  const http = context.switchToHttp();
  const req = http.getRequest<{ query: Record<string, unknown> }>();
  return readFilters(type, req.query, http.getResponse<Response>());
});

/**
 * `@FilterQuery() query: SomeQueryDto` — the query of a page with a GET filter form (see above).
 * The DTO is the parameter's declared type unless given.
 */
export function FilterQuery(type?: Type<object>): ParameterDecorator {
  return (target, key, index) => {
    const declared =
      type ?? (Reflect.getMetadata('design:paramtypes', target, key!) as Type<object>[])[index];
    filterQuery(declared)(target, key, index);
  };
}
