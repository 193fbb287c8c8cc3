import { createHash } from 'node:crypto';
import { BadRequestException, ConflictException, HttpException, HttpStatus } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { setFlash } from './flash';

export type FieldErrors = Record<string, string>;

/** A business rule refused the input; each message belongs next to a form field. */
export class FormError extends HttpException {
  constructor(readonly errors: FieldErrors) {
    super({ errors }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}

/** The record changed since the form was opened (optimistic locking). */
export class EditConflictError extends ConflictException {
  constructor(
    readonly entity: string,
    /** A record's version number, or the contentVersion() of records edited together. */
    readonly currentVersion: number | string,
    readonly changedAt: string,
    readonly changedBy: string,
  ) {
    super(
      `This ${entity} was changed by ${changedBy} at ${changedAt}` +
        (typeof currentVersion === 'number' ? ` (now version ${currentVersion})` : '') +
        ' after you opened the form. Nothing was saved: review the current values below, then save again.',
    );
  }
}

/**
 * The version of several records edited in one form (a grant's budget-period schedule, its set of
 * technology links): a digest of what they hold now. The form carries it like a record's version;
 * a save whose digest no longer matches is an edit conflict (409), never a silent overwrite.
 */
export function contentVersion(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}

/** The contentVersion() an edit form was opened at. */
export function expectedContentVersion(body: unknown): string {
  return versionField(
    body,
    /^[0-9a-f]{16}$/,
    'The form is missing the version of what it edits; reload the page and try again.',
  );
}

/** The hidden `version` field of an edit form, or a 400 when it is missing or malformed. */
function versionField(body: unknown, shape: RegExp, missing: string): string {
  const raw =
    body && typeof body === 'object' ? (body as Record<string, unknown>).version : undefined;
  if (typeof raw !== 'string' || !shape.test(raw)) throw new BadRequestException(missing);
  return raw;
}

const multiLineFields = new WeakMap<object, Set<string>>();

/** Marks a form field typed in a textarea: it may hold line breaks and tabs (other fields may not). */
export function MultiLine(): PropertyDecorator {
  return (target, property) => {
    const fields = multiLineFields.get(target) ?? new Set<string>();
    fields.add(String(property));
    multiLineFields.set(target, fields);
  };
}

// C0 controls and DEL, which no form field may hold; tab, line feed and carriage return are the
// exceptions a multi-line field allows. (A chart title with U+0001 made the SVG invalid XML.)
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_CONTROL = /[\t\n\r]/;

function controlCharacterProblem(text: string, multiLine: boolean): string | null {
  const found = CONTROL.exec(text) ?? (multiLine ? null : LINE_CONTROL.exec(text));
  if (!found) return null;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `Remove the control character U+${code} from this field${multiLine ? '' : ' (it takes one line of text)'}.`;
}

/** Validates and whitelists a form body; values stay as the user typed them. */
export async function validateForm<T extends object>(
  dto: ClassConstructor<T>,
  body: unknown,
): Promise<{ value: T; errors: FieldErrors }> {
  const plain = body && typeof body === 'object' ? body : {};
  const value = plainToInstance(dto, plain);
  const failures = await validate(value, { whitelist: true, forbidUnknownValues: true });
  const errors: FieldErrors = {};
  for (const failure of failures) {
    errors[failure.property] =
      Object.values(failure.constraints ?? {})[0] ?? 'This value is not valid.';
  }
  const multiLine = new Set<string>();
  for (
    let proto: object | null = dto.prototype as object;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const field of multiLineFields.get(proto) ?? []) multiLine.add(field);
  }
  for (const [field, raw] of Object.entries(plain)) {
    for (const text of [raw].flat()) {
      const problem =
        typeof text === 'string' ? controlCharacterProblem(text, multiLine.has(field)) : null;
      if (problem && !errors[field]) errors[field] = problem;
    }
  }
  return { value, errors };
}

/**
 * A form body stored earlier (a request's payload), validated again as its form would be: the
 * value, or a FormError with the messages by field.
 */
export async function validFormOrThrow<T extends object>(
  dto: ClassConstructor<T>,
  body: unknown,
): Promise<T> {
  const { value, errors } = await validateForm(dto, body);
  if (Object.keys(errors).length > 0) throw new FormError(errors);
  return value;
}

export interface FormSubmission<D extends object, R> {
  dto: ClassConstructor<D>;
  body: unknown;
  /** What the form shows again on an error, when not all of the body (a password never is). */
  values?: object;
  /** The form view and what it needs besides the typed values and the errors. */
  view: string;
  model: () => Promise<object> | object;
  save: (dto: D) => Promise<R>;
  redirectTo: (result: R) => string;
  flash: (result: R) => string;
  /** For edit forms: the record as it is now, shown beside a conflict message. */
  current?: () => Promise<object>;
}

/** The id of a field's input in the form partials (`fields/*.hbs`): `f-name`, `f-lines-1-travel-federal`. */
export function fieldId(field: string): string {
  return `f-${field.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

export interface ErrorSummaryItem {
  message: string;
  /** `#f-name`: the summary links each message to its field (GOV.UK / USWDS error summary). */
  href: string;
}

/**
 * What a form re-rendered with errors adds to its view model: the messages by field, the summary
 * views/partials/flash.hbs shows at the top, and a title starting "Error: " so a screen reader
 * announces the failure on load.
 */
export function errorPage(pageTitle: string | undefined, errors: FieldErrors) {
  const errorSummary: ErrorSummaryItem[] = Object.entries(errors).map(([field, message]) => ({
    message,
    href: `#${fieldId(field)}`,
  }));
  return { pageTitle: `Error: ${pageTitle ?? 'Form'}`, errors, errorSummary };
}

/**
 * Post/Redirect/Get for every form: invalid input or a refused rule re-renders the same form with
 * 422, the typed values and a message per field; an edit conflict with 409; success redirects (303).
 */
export async function submitForm<D extends object, R>(
  res: Response,
  form: FormSubmission<D, R>,
): Promise<void> {
  const values = form.values ?? (form.body && typeof form.body === 'object' ? form.body : {});
  const { value, errors } = await validateForm(form.dto, form.body);
  const rerender = async (status: number, extra: object) =>
    res.status(status).render(form.view, { ...(await form.model()), values, ...extra });
  const refuse = async (fieldErrors: FieldErrors) => {
    const model = (await form.model()) as { pageTitle?: string };
    return res.status(422).render(form.view, {
      ...model,
      values,
      ...errorPage(model.pageTitle, fieldErrors),
    });
  };

  if (Object.keys(errors).length > 0) return refuse(errors);
  try {
    const result = await form.save(value);
    setFlash(res, form.flash(result));
    return res.redirect(303, form.redirectTo(result));
  } catch (error) {
    if (error instanceof FormError) {
      return refuse(error.errors);
    }
    if (error instanceof EditConflictError) {
      // The hidden version moves to the current one, so saving again is a deliberate overwrite.
      return rerender(409, {
        values: { ...values, version: error.currentVersion },
        conflict: error.message,
        current: await form.current?.(),
      });
    }
    throw error;
  }
}

/** The version an edit form was opened at: the precondition of the update, never an editable field. */
export function expectedVersion(body: unknown): number {
  return Number(
    versionField(
      body,
      /^\d{1,9}$/,
      'The form is missing the record version; reload the page and try again.',
    ),
  );
}
