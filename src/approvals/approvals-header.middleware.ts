import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { rolesOf, type User } from '../accounts/user.entity';
import { ApprovalsService } from './approvals.service';

/**
 * Puts the signed-in user's request counts into the header: how many await their decision (an
 * approving official) and how many of their own are pending (a program manager). Runs after
 * CurrentUserMiddleware (AccountsModule is imported first).
 */
@Injectable()
export class ApprovalsHeaderMiddleware implements NestMiddleware {
  constructor(private readonly approvals: ApprovalsService) {}

  async use(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const user = res.locals.currentUser as User | undefined;
      if (user) {
        const approves = rolesOf(user).includes('approving_official');
        res.locals.approvalCounts = await this.approvals.counts(user.id, approves);
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
