import { formatDate } from '../common/dates';
import { describeChanges } from '../audit/history';
import type { GrantFigures } from './grant-page.service';

/** What views/grants/show.hbs shows. */
export function grantPage(figures: GrantFigures) {
  const { grant } = figures;
  return {
    ...figures,
    pageTitle: figures.asOfView
      ? `${grant.awardNumber} — ${grant.title} as of ${formatDate(figures.asOfView.asOf)}`
      : `${grant.awardNumber} — ${grant.title}`,
    canDelete: grant.status === 'draft' && !figures.asOfView,
    /** Edits change the records now; a page of a past date offers none. */
    showActions: figures.asOfView === undefined,
    history: describeChanges(figures.history),
  };
}
