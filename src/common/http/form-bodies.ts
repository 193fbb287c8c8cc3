import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** The bodies this app reads: HTML forms, and multipart for the ledger import's file. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * Refuses a request body that is not a form (JSON, XML, …) before anything parses it: no form of the
 * app sends one, and a deeply nested JSON body used to overflow the stack of the DTO transformer.
 */
export function formBodiesOnly(req: Request, _res: Response, next: NextFunction): void {
  // null: no body at all; false: a body of another type. An empty body of no type is no body.
  const empty = req.headers['content-length'] === '0' && !req.headers['content-type'];
  if (!empty && req.is(FORM_TYPES) === false) {
    next(
      new UnsupportedMediaTypeException(
        'This app reads HTML forms only (application/x-www-form-urlencoded or multipart/form-data). Nothing was saved.',
      ),
    );
    return;
  }
  next();
}

/** A POST without a body reads as an empty form, so every field is simply missing. */
export function emptyFormWhenNoBody(req: Request, _res: Response, next: NextFunction): void {
  req.body ??= {};
  next();
}
