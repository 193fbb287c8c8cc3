import type { NextFunction, Request, Response } from 'express';

const COOKIE = 'flash';

/** A one-time message shown on the page after a redirect (Post/Redirect/Get). */
export function setFlash(res: Response, message: string): void {
  res.cookie(COOKIE, message, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 60_000 });
}

export function flashMiddleware(req: Request, res: Response, next: NextFunction): void {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const message = cookies?.[COOKIE];
  if (typeof message === 'string' && message !== '') {
    res.locals.flash = message;
    res.clearCookie(COOKIE, { path: '/' });
  }
  next();
}
