import { AppConfig } from '../common/config';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CsvLines, CsvManifest, CsvReport } from '../common/csv';
import { namedQuery } from '../common/database/named-query';
import { ReadCache } from '../common/database/read-cache';
import { Grant } from '../grants/grant.entity';
import { GrantChoice, GrantLookup } from '../grants/grant-lookup';
import { LedgerFilters, ledgerReport } from './ledger.report';
import { amendmentsRegister, budgetLinesRegister, grantsRegister } from './registers.report';
import type { ReportChoices } from './downloads.page';
import { reportManifest } from './report-routes';

/** Builds the download reports (ledger and registers) on the app's connection. */
@Injectable()
export class DownloadsService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
    private readonly cache: ReadCache,
    private readonly lookup: GrantLookup,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  /** The ledger report; a grant filter that names no grant is a 404, not an empty file. */
  async ledger(
    params: LedgerFilters,
    options: { pageSize?: number; after?: number } = {},
  ): Promise<CsvReport<unknown> & CsvLines> {
    if (params.grantId !== undefined) await this.lookup.grant(params.grantId);
    return ledgerReport(this.manager, { ...params, timeZone: this.config.APP_TIME_ZONE }, options);
  }

  /**
   * What a filtered ledger file's name says after its date, in this order: the grant's award number,
   * `from-<date>`, `to-<date>`, the category and the share (none for the whole ledger).
   */
  async ledgerFileTags(params: LedgerFilters): Promise<string[]> {
    const tags: string[] = [];
    if (params.grantId !== undefined) {
      tags.push((await this.lookup.grant(params.grantId)).awardNumber);
    }
    if (params.from) tags.push(`from-${params.from}`);
    if (params.to) tags.push(`to-${params.to}`);
    if (params.category) tags.push(params.category);
    if (params.share) tags.push(params.share);
    return tags;
  }

  /**
   * The whole ledger's manifest as of a date, for the reports page. Hashing the ledger takes seconds
   * at a million rows, so the manifest is kept until a write to the tables the CSV reads (it is the
   * same for everyone: a manifest describes the file, not who asked for it).
   */
  ledgerManifest(asOf: string): Promise<CsvManifest> {
    return this.cache.get(['expenditures', 'grants'], `ledger-manifest:${asOf}`, async () =>
      reportManifest({ asOf, csv: await this.ledger({ asOf }), parameters: {} }, false),
    );
  }

  grantsRegister(asOf: string): CsvReport<unknown> {
    return grantsRegister(this.manager, asOf, this.config.APP_TIME_ZONE);
  }

  amendments(asOf: string): CsvReport<unknown> {
    return amendmentsRegister(this.manager, asOf, this.config.APP_TIME_ZONE);
  }

  budgetLines(asOf: string): CsvReport<unknown> {
    return budgetLinesRegister(this.manager, asOf, this.config.APP_TIME_ZONE);
  }

  /** Grants for the ledger's grant picker. */
  grantChoices(): Promise<GrantChoice[]> {
    return this.lookup.choices();
  }

  /** What the /reports index offers to choose from: grants, programs, record types and users. */
  async indexChoices(): Promise<ReportChoices> {
    const [grants, programs, entityTypes, actors] = await Promise.all([
      this.lookup.choices(),
      namedQuery<{ id: number; name: string }>(
        this.manager,
        'SELECT p.id AS "id", p.name AS "name" FROM programs p ORDER BY p.name',
      ),
      namedQuery<{ entityType: string }>(
        this.manager,
        'SELECT DISTINCT e.entity_type AS "entityType" FROM audit_events e ORDER BY e.entity_type',
      ),
      namedQuery<{ email: string }>(
        this.manager,
        'SELECT u.email AS "email" FROM users u ORDER BY u.email',
      ),
    ]);
    return {
      grants,
      programs,
      entityTypes: entityTypes.map((row) => row.entityType),
      actors: actors.map((row) => row.email),
    };
  }
}
