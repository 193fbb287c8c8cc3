import { Injectable } from '@nestjs/common';
import { AppConfig } from '../common/config';
import { LoginThrottle } from './login-throttle';
import type { User } from './user.entity';
import { UsersService } from './users.service';

export type SignInResult =
  { ok: true; user: User } | { ok: false; status: 401 | 429; message: string };

/** The sign-in rules: throttling per account and address, the password check, and their audit events. */
@Injectable()
export class SignInService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly users: UsersService,
    config: AppConfig,
  ) {
    this.throttle = new LoginThrottle(
      config.LOGIN_MAX_FAILURES,
      config.LOGIN_WINDOW_MINUTES * 60_000,
    );
  }

  async attempt(email: string, password: string, ip: string): Promise<SignInResult> {
    const wait = this.throttle.waitMinutes(email, ip);
    if (wait > 0) {
      await this.users.recordLoginFailure(email, ip, 'login_throttled');
      return {
        ok: false,
        status: 429,
        message: `Too many failed sign-ins. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`,
      };
    }
    const user = email && password ? await this.users.authenticate(email, password) : null;
    if (!user) {
      this.throttle.fail(email, ip);
      await this.users.recordLoginFailure(email, ip, 'login_failed');
      return {
        ok: false,
        status: 401,
        message: 'That email and password do not match an active account.',
      };
    }
    this.throttle.succeed(email);
    return { ok: true, user };
  }
}
