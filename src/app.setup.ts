import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { SessionFields } from './accounts/current-user.middleware';
import { DatabaseSessionStore } from './accounts/session.store';
import { AppConfig } from './common/config';
import { flashMiddleware } from './common/flash';
import { SigningKey } from './common/signing-key';
import { csrfProtection } from './common/http/csrf';
import { emptyFormWhenNoBody, formBodiesOnly } from './common/http/form-bodies';
import { setDisplayTimeZone } from './common/dates';
import { PROJECT_ROOT, registerViews, VIEWS_DIR } from './common/views';
import { ledgerImportUploads } from './ledger/import-upload';

export const SESSION_COOKIE = 'sid';

/** Every app-level setting, shared by main.ts and the test helper so tests run the real wiring. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  const key = app.get(SigningKey);
  setDisplayTimeZone(config.APP_TIME_ZONE);
  registerViews();
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  // Compiled views are kept in production and in tests; development re-reads them after every edit.
  app.set('view cache', config.NODE_ENV !== 'development');
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.COOKIE_SECURE,
    }),
  );
  // Pages, CSS and CSV downloads gzip to a fraction of their size. compression's default filter skips
  // types that are already compressed (xlsx, zip, png), and a streamed CSV stays streamed: each write
  // goes through zlib, whose backpressure sendCsv() honours.
  app.use(compression());
  app.useStaticAssets(join(PROJECT_ROOT, 'node_modules', '@uswds', 'uswds', 'dist'), {
    prefix: '/assets/uswds/',
    maxAge: '1d',
  });
  app.useStaticAssets(join(PROJECT_ROOT, 'public'), { prefix: '/assets/' });

  // Pages carry program data: never keep them in a shared or browser cache.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(cookieParser());
  app.use(flashMiddleware);
  // Nest adds its body parsers only at init; CSRF needs the form body before that.
  app.use(formBodiesOnly);
  app.use(express.urlencoded({ extended: true, limit: '1mb' }));
  app.use(emptyFormWhenNoBody);
  // The ledger import's two multipart routes, parsed here so the CSRF check below sees their _csrf.
  app.use(ledgerImportUploads());
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: key.secret,
      store: app.get(DatabaseSessionStore),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.COOKIE_SECURE,
        maxAge: config.SESSION_IDLE_MINUTES * 60_000,
      },
    }),
  );
  app.use(
    csrfProtection({
      key,
      secure: config.COOKIE_SECURE,
      signedIn: (req) => typeof (req.session as SessionFields | undefined)?.userId === 'number',
    }),
  );
  return app;
}
