import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { User } from '../accounts/user.entity';
import { setFlash } from '../common/flash';
import { Public, ReadAccess } from '../common/http/access.decorators';
import { CalendarService } from './calendar.service';

type SignedIn = Request & { user: User };

/** A signed-in user's calendar feed page, and the feed itself, read by calendar apps with its token. */
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @ReadAccess()
  @Get()
  async index(@Req() req: SignedIn, @Res() res: Response) {
    res.render('calendar/index', await this.model(req.user));
  }

  /**
   * Makes (or replaces) the user's feed and shows its address in this answer, not after a redirect:
   * only the token's hash is stored, and carrying the token across a redirect would put it in a
   * cookie or the session. Sending the form again just makes another address.
   */
  @ReadAccess()
  @Post('token')
  async create(@Req() req: SignedIn, @Res() res: Response) {
    const { token, replaced } = await this.calendar.replaceToken(req.user.id);
    res.status(200).render('calendar/index', {
      ...(await this.model(req.user)),
      feedUrl: this.calendar.feedUrl(token),
      flash: replaced
        ? 'Your calendar feed has a new address. The old address no longer works.'
        : 'Your calendar feed is ready.',
    });
  }

  @ReadAccess()
  @Post('token/revoke')
  async revoke(@Req() req: SignedIn, @Res() res: Response) {
    const revoked = await this.calendar.revoke(req.user.id);
    setFlash(
      res,
      revoked
        ? 'Your calendar feed is stopped: its address no longer works.'
        : 'You had no calendar feed.',
    );
    res.redirect(303, '/calendar');
  }

  /** No session: calendar apps send none. The token alone says whose feed it is. */
  @Public()
  @Get(':token.ics')
  async feed(@Param('token') token: string, @Res() res: Response) {
    const body = await this.calendar.feed(token);
    if (body === null) {
      res.status(404).type('text/plain').send('Not found.');
      return;
    }
    res
      .set({
        'Content-Type': 'text/calendar; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Disposition': 'inline; filename="grant-deadlines.ics"',
      })
      .send(body);
  }

  private async model(user: User) {
    return { pageTitle: 'Calendar feed', feed: await this.calendar.status(user.id) };
  }
}
