import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { User } from '../accounts/user.entity';
import { NotificationsService } from './notifications.service';

/** Puts the signed-in user's unread inbox count into the header (after CurrentUserMiddleware). */
@Injectable()
export class NotificationsHeaderMiddleware implements NestMiddleware {
  constructor(private readonly notifications: NotificationsService) {}

  async use(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const user = res.locals.currentUser as User | undefined;
      if (user) res.locals.unreadCount = await this.notifications.unreadCount(user.id);
      next();
    } catch (error) {
      next(error);
    }
  }
}
