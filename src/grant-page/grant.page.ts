import { describeChanges } from '../audit/history';
import type { GrantFigures } from './grant-page.service';

/** What views/grants/show.hbs shows. */
export function grantPage(figures: GrantFigures) {
  const { grant } = figures;
  return {
    ...figures,
    pageTitle: `${grant.awardNumber} — ${grant.title}`,
    canDelete: grant.status === 'draft',
    history: describeChanges(figures.history),
  };
}
