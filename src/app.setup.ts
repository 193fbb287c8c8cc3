import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { flashMiddleware } from './common/flash';
import { PROJECT_ROOT, registerViews, VIEWS_DIR } from './common/views';

/** Every app-level setting, shared by main.ts and the test helper so tests run the real wiring. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  registerViews();
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.disable('x-powered-by');
  app.useStaticAssets(join(PROJECT_ROOT, 'node_modules', '@uswds', 'uswds', 'dist'), {
    prefix: '/assets/uswds/',
    maxAge: '1d',
  });
  app.useStaticAssets(join(PROJECT_ROOT, 'public'), { prefix: '/assets/' });
  app.use(cookieParser());
  app.use(flashMiddleware);
  return app;
}
