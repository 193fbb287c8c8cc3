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
  422: 'Some values need fixing',
  429: 'Too many attempts',
};

/** Every error becomes an HTML page with the right status; a 500 never shows a stack trace. */
@Catch()
export class HtmlExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const { status, message } = this.describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : exception);
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
