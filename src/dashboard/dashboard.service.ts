import { Injectable } from '@nestjs/common';
import { ReadCache } from '../common/database/read-cache';
import { GrantsService } from '../grants/grants.service';
import { ProgramsService } from '../programs/programs.service';
import { BurndownService } from '../reports/burndown.service';
import { byAttention, dashboardPage, programPage } from './dashboard.page';
import { ProgramPages } from './program-pages';

/** What every grant's burn reads (the history tables change only with these). */
const BURN_TABLES = ['grants', 'amendments', 'planned_spend', 'expenditures'];

@Injectable()
export class DashboardService {
  constructor(
    private readonly programs: ProgramsService,
    private readonly grants: GrantsService,
    private readonly burndown: BurndownService,
    private readonly cache: ReadCache,
  ) {}

  /**
   * Every program's summary and burn over all its grants, and the page of its grants asked for.
   * Every grant's burn is one query, kept until one of its tables is written.
   */
  async page(asOf: string, pages: ProgramPages) {
    const [summaries, ordered] = await Promise.all([
      this.programs.summaries(),
      this.cache.get(BURN_TABLES, `dashboard:${asOf}`, async () =>
        byAttention(await this.burndown.burnIndicators(asOf)),
      ),
    ]);
    const panels = summaries.map((summary) => {
      const grants = ordered.get(summary.program.id) ?? [];
      return { summary, ordered: grants, page: programPage(grants, pages.get(summary.program.id)) };
    });
    const rows = await this.grants.rowsOf(
      panels.flatMap(({ page }) => page.items.map((i) => i.grantId)),
    );
    return dashboardPage(asOf, panels, rows);
  }
}
