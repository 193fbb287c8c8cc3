import { randomBytes } from 'node:crypto';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SigningKey } from '../signing-key';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // Forms send the hidden _csrf field; scripts and tests may send the X-CSRF-Token header instead.
  getTokenFromRequest: (req) => tokenSent(req),
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NONCE = /^[0-9a-f]{32}$/;

function tokenSent(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
}

function refuse(res: Response): void {
  res.status(403).render('errors/error', {
    pageTitle: 'You may not do that',
    status: 403,
    title: 'The form has expired',
    message:
      'This form was not sent from a page of this application, or your session ended. Nothing was changed. Go back, reload the page and try again.',
  });
}

/**
 * CSRF protection for every form. A signed-in session keeps its token in the session (csrf-sync).
 * A visitor who has not signed in gets no stored session at all — every anonymous visit to the
 * sign-in page used to store one — but a signed double-submit token: a random nonce in an HttpOnly,
 * SameSite=Lax cookie (`__Host-` when served over HTTPS, so no subdomain can plant it), and in the
 * form its HMAC under the session secret, which only this app can compute.
 */
export function csrfProtection(options: {
  key: SigningKey;
  secure: boolean;
  signedIn: (req: Request) => boolean;
}): RequestHandler {
  const cookie = options.secure ? '__Host-csrf' : 'csrf';
  const sign = (nonce: string) => options.key.sign('csrf', nonce);

  const anonymous = (req: Request, res: Response, next: NextFunction) => {
    const stored = (req.cookies as Record<string, unknown> | undefined)?.[cookie];
    const nonce = typeof stored === 'string' && NONCE.test(stored) ? stored : null;
    if (!SAFE_METHODS.has(req.method)) {
      const sent = tokenSent(req);
      if (!nonce || typeof sent !== 'string' || !options.key.verify('csrf', nonce, sent)) {
        refuse(res);
        return;
      }
    }
    const current = nonce ?? randomBytes(16).toString('hex');
    if (!nonce) {
      res.cookie(cookie, current, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure,
        path: '/',
      });
    }
    res.locals.csrfToken = sign(current);
    next();
  };

  return (req, res, next) => {
    if (!options.signedIn(req)) {
      anonymous(req, res, next);
      return;
    }
    csrfSynchronisedProtection(req, res, (error?: unknown) => {
      if (error) {
        refuse(res);
        return;
      }
      // Every page, including a form re-rendered after a refused POST, carries the session's token.
      res.locals.csrfToken = generateToken(req);
      next();
    });
  };
}
