import { AppConfig } from '../common/config';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CsvLines, CsvReport } from '../common/csv';
import { namedQuery } from '../common/database/named-query';
import { Grant } from '../grants/grant.entity';
import { GrantChoice, GrantLookup } from '../grants/grant-lookup';
import { LedgerFilters, ledgerReport } from './ledger.report';
import { amendmentsRegister, budgetLinesRegister, grantsRegister } from './registers.report';
import type { ReportChoices } from './downloads.page';

/** Builds the download reports (ledger and registers) on the app's connection. */
@Injectable()
export class DownloadsService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
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

  /**
   * What the /reports index offers to choose from: programs, the grants of one program — the one
   * asked for, or the only one — record types and users. Null when `programId` names no program.
   */
  async indexChoices(programId: number | undefined): Promise<ReportChoices | null> {
    const [programs, entityTypes, actors] = await Promise.all([
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
    const program =
      programId === undefined
        ? programs.length === 1
          ? programs[0]
          : undefined
        : programs.find((p) => p.id === programId);
    if (programId !== undefined && !program) return null;
    const grants = !program
      ? []
      : await namedQuery<{ id: number; awardNumber: string }>(
          this.manager,
          `SELECT g.id AS "id", g.award_number AS "awardNumber" FROM grants g
            WHERE g.program_id = :programId ORDER BY g.award_number`,
          { programId: program.id },
        );
    return {
      programs,
      program,
      grants,
      entityTypes: entityTypes.map((row) => row.entityType),
      actors: actors.map((row) => row.email),
    };
  }

  /** The grant a per-grant download names, with its program, or null. */
  async grantOf(id: number): Promise<{ id: number; programId: number } | null> {
    const grant = await this.lookup.find(id);
    return grant ? { id: grant.id, programId: grant.programId } : null;
  }
}
