import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../common/config';
import { promised } from '../common/promised';
import { runAs } from '../common/request-context';
import { rolesOf, type User } from './user.entity';
import { actorOf, UsersService } from './users.service';

export interface SessionFields {
  userId?: number;
  /** When the user signed in (ms); the absolute timeout counts from here. */
  signedInAt?: number;
}

/**
 * Loads the signed-in user for every request and runs the rest of the request as them, so audit
 * events know who acted. A session past its absolute lifetime, or of a deactivated user, ends here.
 */
@Injectable()
export class CurrentUserMiddleware implements NestMiddleware {
  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async use(req: Request & { user?: User }, res: Response, next: NextFunction): Promise<void> {
    try {
      const fields = req.session as unknown as SessionFields | undefined;
      if (!fields?.userId) return next();
      const absoluteMs = this.config.SESSION_ABSOLUTE_HOURS * 3_600_000;
      const user =
        Date.now() - (fields.signedInAt ?? 0) > absoluteMs
          ? null
          : await this.users.findActive(fields.userId);
      if (!user) {
        await promised((done) => req.session.destroy(done));
        return next();
      }
      req.user = user;
      res.locals.currentUser = user;
      res.locals.canEdit = user.role === 'program_manager';
      res.locals.isAdmin = user.role === 'admin';
      res.locals.canApprove = rolesOf(user).includes('approving_official');
      runAs(actorOf(user), next);
    } catch (error) {
      next(error);
    }
  }
}
