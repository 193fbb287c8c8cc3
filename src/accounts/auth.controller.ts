import { Body, Controller, Get, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { setFlash } from '../common/flash';
import { promised } from '../common/promised';
import { Public, ReadAccess } from '../common/http/access.decorators';
import type { SessionFields } from './current-user.middleware';
import { SignInService } from './sign-in.service';
import type { User } from './user.entity';
import { UsersService } from './users.service';

/** Only a local path may be a return address: never another site. */
const safeReturn = (next: unknown) =>
  typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';

@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly signIn: SignInService,
  ) {}

  @Get('login')
  @Public()
  @Render('accounts/login')
  loginForm(@Query('next') next?: string) {
    return { pageTitle: 'Sign in', values: { next: safeReturn(next) } };
  }

  @Post('login')
  @Public()
  async login(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const values = { email, next: safeReturn(body.next) };
    // No account's address holds a control character, and none can be stored in the audit trail's
    // record of the attempt (PostgreSQL refuses a NUL in text): the form says so instead.
    // eslint-disable-next-line no-control-regex -- control characters are the point
    if (/[\u0000-\u001f\u007f]/.test(email)) {
      return res.status(400).render('accounts/login', {
        pageTitle: 'Sign in',
        values: { ...values, email: '' },
        formError: 'Enter your email address without control characters.',
      });
    }

    const result = await this.signIn.attempt(email, password, req.ip ?? 'unknown');
    if (!result.ok) {
      return res
        .status(result.status)
        .render('accounts/login', { pageTitle: 'Sign in', values, formError: result.message });
    }
    const { user } = result;
    // A new session id at sign-in, so a session id planted before it is worthless.
    await promised((done) => req.session.regenerate(done));
    Object.assign(req.session, { userId: user.id, signedInAt: Date.now() } satisfies SessionFields);
    await promised((done) => req.session.save(done));
    await this.users.recordLogin(user);
    res.redirect(303, values.next);
  }

  @Post('logout')
  @ReadAccess()
  async logout(@Req() req: Request & { user?: User }, @Res() res: Response) {
    if (req.user) await this.users.recordLogout(req.user);
    await promised((done) => req.session.destroy(done));
    res.clearCookie('sid', { path: '/' });
    setFlash(res, 'You are signed out.');
    res.redirect(303, '/login');
  }
}
