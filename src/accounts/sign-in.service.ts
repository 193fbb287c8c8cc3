import { Injectable } from '@nestjs/common';
import { LoginThrottle } from './login-throttle';
import type { User } from './user.entity';
import { UsersService } from './users.service';

export type SignInResult =
  { ok: true; user: User } | { ok: false; status: 401 | 429; message: string };

/** The sign-in rules: throttling per account and address, the password check, and their audit events. */
@Injectable()
export class SignInService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
  ) {}

  async attempt(email: string, password: string, ip: string): Promise<SignInResult> {
    // Counted before the password is checked, so parallel attempts cannot all pass the check.
    const startedAt = Date.now();
    const wait = await this.throttle.begin(email, ip, startedAt);
    if (wait > 0) {
      const refusals = await this.throttle.refused(ip, startedAt);
      if (refusals > 0) await this.users.recordLoginFailure(email, ip, 'login_throttled', refusals);
      return {
        ok: false,
        status: 429,
        message: `Too many failed sign-ins. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`,
      };
    }
    const user = email && password ? await this.users.authenticate(email, password) : null;
    if (!user) {
      await this.users.recordLoginFailure(email, ip, 'login_failed');
      return {
        ok: false,
        status: 401,
        message: 'That email and password do not match an active account.',
      };
    }
    await this.throttle.succeed(email, ip, startedAt);
    return { ok: true, user };
  }
}
