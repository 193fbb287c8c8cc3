import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';

/** The largest CSV file the ledger import accepts. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** The commit form carries the file base64-encoded: 4 characters per 3 bytes, plus slack. */
const COMMIT_FIELD_MAX = Math.ceil(IMPORT_MAX_BYTES / 3) * 4 + 1024;

// Express matches routes case-insensitively and with an optional trailing slash; so do these.
const UPLOAD_PATH = /^\/ledger\/import\/?$/i;
const COMMIT_PATH = /^\/ledger\/import\/commit\/?$/i;

export interface UploadRequest extends Request {
  file?: Express.Multer.File;
  /** Why the multipart body was refused (too large, too many files…); the controller shows it. */
  uploadError?: string;
}

const MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into smaller files and import each one.`,
  LIMIT_FILE_COUNT: 'Upload one file at a time.',
  LIMIT_UNEXPECTED_FILE: 'Upload one CSV file, in the file field of the import form.',
  LIMIT_FIELD_VALUE: `The file is too large to commit (over ${IMPORT_MAX_BYTES / 1024 / 1024} MB).`,
};

/**
 * Parses the multipart bodies of exactly two routes, POST /ledger/import (the file) and
 * POST /ledger/import/commit (the previewed file, base64 in a field, so the commit is not bound by the
 * 1 MB urlencoded limit). It runs before the CSRF check, which reads the form's `_csrf` field from the
 * parsed body. A refused body never becomes an error response here: the controller answers 422 with
 * the reason next to the file field.
 */
export function ledgerImportUploads(): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 10, fieldSize: 10_000, parts: 12 },
  }).single('file');
  const commit = multer({
    limits: { files: 0, fields: 10, fieldSize: COMMIT_FIELD_MAX, parts: 12 },
  }).none();

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const parse = UPLOAD_PATH.test(req.path) ? upload : COMMIT_PATH.test(req.path) ? commit : null;
    if (!parse) return next();
    parse(req, res, (error?: unknown) => {
      if (error) {
        const code = error instanceof multer.MulterError ? error.code : '';
        (req as UploadRequest).uploadError =
          MESSAGES[code] ??
          'The upload could not be read. Choose the CSV file again and upload it with the form.';
      }
      next();
    });
  };
}
