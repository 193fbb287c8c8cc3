import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { LoginRequiredException } from './login-required.exception';
import { allowedMethods } from './allowed-methods';

const TITLES: Record<number, string> = {
  400: 'That request could not be understood',
  401: 'Please sign in',
  403: 'You may not do that',
  404: 'Page not found',
  405: 'Method not allowed',
  409: 'That change conflicts with the current data',
  413: 'That request is too large',
  415: 'That request is in a form the app does not read',
  422: 'Some values need fixing',
  429: 'Too many attempts',
};

/**
 * What went wrong with a request the body parsers refused (they raise http-errors with a 4xx status
 * and a type): the sender's fault, never a server error. Nothing was read, so nothing was saved.
 */
const CLIENT_ERRORS: Record<string, string> = {
  'entity.too.large': 'The form sent was larger than this app accepts (1 MB). Nothing was saved.',
  'parameters.too.many':
    'The form sent more fields than this app accepts (1,000). Nothing was saved.',
  'charset.unsupported':
    'The form was sent in a character set this app does not read; send it as UTF-8. Nothing was saved.',
  'encoding.unsupported':
    'The form was sent with a content encoding this app does not read. Nothing was saved.',
  'depth.exceeded': 'The form nests its fields too deeply to be read. Nothing was saved.',
};
const UNREADABLE = 'The form sent could not be read. Nothing was saved.';

/** An error raised by a body parser or other middleware for the request's own fault (4xx). */
function clientError(exception: unknown): { status: number; type?: string } | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { status, statusCode, expose, type } = exception as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    type?: unknown;
  };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499 || expose === false) return null;
  return { status: code, type: typeof type === 'string' ? type : undefined };
}

/** Every error becomes an HTML page with the right status; a 500 never shows a stack trace. */
@Catch()
export class HtmlExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const { status, message } = this.describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : exception);
    else if (!(exception instanceof HttpException)) {
      // A refused request body: a client error, logged as one, without a stack.
      this.logger.warn(`${req.method} ${req.originalUrl}: ${status} ${String(exception)}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(message)) {
      const allowed = allowedMethods(req);
      if (allowed.length > 0) {
        res.set('Allow', allowed.join(', '));
        res.status(405).render('errors/error', {
          pageTitle: TITLES[405],
          status: 405,
          title: TITLES[405],
          message: `This address only accepts ${allowed.join(', ')}. Nothing was changed.`,
        });
        return;
      }
    }
    if (exception instanceof LoginRequiredException && exception.returnTo) {
      res.redirect(303, `/login?next=${encodeURIComponent(exception.returnTo)}`);
      return;
    }
    res.status(status).render('errors/error', {
      pageTitle: TITLES[status] ?? 'Something went wrong',
      status,
      title: TITLES[status] ?? 'Something went wrong',
      message,
    });
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const raw =
        typeof body === 'object' && body && 'message' in body ? body.message : exception.message;
      const message = Array.isArray(raw) ? raw.join(' ') : String(raw);
      return { status, message };
    }
    const refused = clientError(exception);
    if (refused) {
      const known = refused.type ? CLIENT_ERRORS[refused.type] : undefined;
      return { status: refused.status, message: known ?? UNREADABLE };
    }
    if (exception instanceof EntityNotFoundError) {
      return { status: HttpStatus.NOT_FOUND, message: 'No such record.' };
    }
    if (
      exception instanceof QueryFailedError &&
      /SQLITE_CONSTRAINT|violates/.test(exception.message)
    ) {
      return {
        status: HttpStatus.CONFLICT,
        message: 'That change conflicts with existing data and was not saved.',
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      message:
        'The server could not complete the request. Nothing was saved. The error has been logged.',
    };
  }
}
