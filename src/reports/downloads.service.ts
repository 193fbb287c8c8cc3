import { AppConfig } from '../common/config';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CsvLines, CsvReport } from '../common/csv';
import { Grant } from '../grants/grant.entity';
import { ledgerReport, LedgerReportParams } from './ledger.report';
import { amendmentsRegister, budgetLinesRegister, grantsRegister } from './registers.report';

/** Builds the download reports (ledger and registers) on the app's connection. */
@Injectable()
export class DownloadsService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  /** The ledger report; a grant filter that names no grant is a 404, not an empty file. */
  async ledger(
    params: LedgerReportParams,
    options: { pageSize?: number; after?: number } = {},
  ): Promise<CsvReport<unknown> & CsvLines> {
    if (params.grantId !== undefined && !(await this.grants.existsBy({ id: params.grantId }))) {
      throw new NotFoundException(`Grant ${params.grantId} does not exist.`);
    }
    return ledgerReport(this.manager, params, options) as CsvReport<unknown> & CsvLines;
  }

  grantsRegister(asOf: string): CsvReport<unknown> {
    return grantsRegister(this.manager, asOf, this.config.APP_TIME_ZONE) as CsvReport<unknown>;
  }

  amendments(asOf: string): CsvReport<unknown> {
    return amendmentsRegister(this.manager, asOf, this.config.APP_TIME_ZONE) as CsvReport<unknown>;
  }

  budgetLines(asOf: string): CsvReport<unknown> {
    return budgetLinesRegister(this.manager, asOf, this.config.APP_TIME_ZONE) as CsvReport<unknown>;
  }

  /** Grants for the ledger's grant picker. */
  grantChoices(): Promise<Pick<Grant, 'id' | 'awardNumber'>[]> {
    return this.grants.find({
      select: { id: true, awardNumber: true },
      order: { awardNumber: 'ASC' },
    });
  }
}
