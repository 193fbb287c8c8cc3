import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Post,
  Query,
  Render,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../common/config';
import { setFlash } from '../common/flash';
import { ReadAccess } from '../common/http/access.decorators';
import { pageLinks } from '../common/pagination';
import { currentActor } from '../common/request-context';
import { OptionalQueryId } from '../common/validation';
import { NotificationsService } from './notifications.service';
import { PreferencesService } from './preferences.service';

export class InboxQueryDto {
  @OptionalQueryId('page must be a page number')
  page?: number;
}

/** Ids from a form's checkboxes (`ids` once or many times); anything else is left out. */
function idsOf(body: unknown): number[] {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).ids : undefined;
  return [raw]
    .flat()
    .filter((v): v is string => typeof v === 'string' && /^\d{1,9}$/.test(v))
    .map(Number);
}

/** Each signed-in user's inbox: requests awaiting them, decisions on theirs, and deadlines. */
@ReadAccess()
@Controller('inbox')
export class InboxController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly preferences: PreferencesService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('notifications/inbox')
  async index(@Query() query: InboxQueryDto) {
    const userId = currentActor().id!;
    const page = await this.notifications.inbox(userId, query.page ?? 1);
    return {
      pageTitle: 'Inbox',
      page,
      pager: pageLinks('/inbox', {}, page),
      wantsDigest: await this.preferences.wantsDigest(userId),
      smtpConfigured: Boolean(this.config.SMTP_URL),
      digestHour: this.config.DIGEST_HOUR,
      timeZone: this.config.APP_TIME_ZONE,
    };
  }

  @Post('read')
  async read(@Body() body: unknown, @Res() res: Response) {
    const all = body && typeof body === 'object' && (body as Record<string, unknown>).all === '1';
    const count = await this.notifications.markRead(currentActor().id!, all ? 'all' : idsOf(body));
    setFlash(res, `${count} ${count === 1 ? 'line' : 'lines'} marked read.`);
    res.redirect(303, '/inbox');
  }

  @Post('digest')
  async digest(@Body() body: unknown, @Res() res: Response) {
    const choice = body && typeof body === 'object' ? (body as Record<string, unknown>).digest : '';
    if (choice !== 'daily' && choice !== 'none') {
      throw new BadRequestException('digest must be daily or none.');
    }
    const wants = choice === 'daily';
    await this.preferences.setDigest(currentActor().id!, wants);
    setFlash(
      res,
      wants
        ? 'You will get a daily digest of your inbox by e-mail.'
        : 'No more digests by e-mail: your inbox is here as before.',
    );
    res.redirect(303, '/inbox');
  }
}
