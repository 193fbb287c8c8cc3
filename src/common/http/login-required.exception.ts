import { HttpException, HttpStatus } from '@nestjs/common';

/** Not signed in: a page request is sent to the login form, anything else gets 401. */
export class LoginRequiredException extends HttpException {
  constructor(readonly returnTo?: string) {
    super('Sign in to continue.', HttpStatus.UNAUTHORIZED);
  }
}
