import { formatDate } from '../common/dates';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { amendmentAsOf } from '../common/as-of';
import { spanTooLong } from '../common/award-period';
import { containsText, likePattern } from '../common/database/like-pattern';
import { ReadCache } from '../common/database/read-cache';
import { WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { centsToDecimal, toCents } from '../common/money';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { Program } from '../programs/program.entity';
import { Amendment } from './amendment.entity';
import { BudgetPeriod } from './budget-period.entity';
import { GrantFormDto } from './dto/grant-form.dto';
import { GrantListQueryDto, GrantSort } from './dto/grant-list-query.dto';
import { Grant } from './grant.entity';
import { GrantLookup } from './grant-lookup';
import { Recipient } from './recipient.entity';

export interface GrantRow {
  id: number;
  awardNumber: string;
  title: string;
  piName: string;
  status: string;
  startDate: string;
  endDate: string;
  recipientId: number;
  recipientName: string;
  programId: number;
  obligatedCents: number;
}

const SORT_COLUMNS: Record<GrantSort, string> = {
  awardNumber: 'g.award_number',
  title: 'g.title',
  recipient: 'r.name',
  status: 'g.status',
  startDate: 'g.start_date',
  endDate: 'g.end_date',
  obligated: 'obligated',
};

type RawRow = Omit<GrantRow, 'obligatedCents'> & { obligated: number | string };

const toRow = ({ obligated, ...row }: RawRow): GrantRow => ({
  ...row,
  obligatedCents: Number(obligated),
});

const OBLIGATED =
  '(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a WHERE a.grant_id = g.id)';

@Injectable()
export class GrantsService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    @InjectRepository(Amendment) private readonly amendments: Repository<Amendment>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly cache: ReadCache,
    private readonly lookup: GrantLookup,
  ) {}

  /**
   * One page of the grants list. Cached per query until a write to grants, recipients or amendments
   * ends (the tables it reads): the list is read far more often than grants change.
   */
  list(query: GrantListQueryDto, pageSize = PAGE_SIZE): Promise<Page<GrantRow>> {
    // Every field of the query, so a filter added later cannot be left out of the key.
    const key = JSON.stringify([pageSize, ...Object.entries(query).sort()]);
    return this.cache.get(['grants', 'recipients', 'amendments'], key, () =>
      this.loadList(query, pageSize),
    );
  }

  /**
   * The given grants as the list shows them (for the dashboard's page of each program), in no
   * particular order. Cached like the list.
   */
  rowsOf(ids: readonly number[]): Promise<GrantRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.cache.get(
      ['grants', 'recipients', 'amendments'],
      `rows:${ids.join(',')}`,
      async () =>
        (
          await this.selectRows(
            this.listBase().where('g.id IN (:...ids)', { ids: [...ids] }),
          ).getRawMany<RawRow>()
        ).map(toRow),
    );
  }

  private listBase() {
    return this.grants.manager
      .createQueryBuilder()
      .from('grants', 'g')
      .innerJoin('recipients', 'r', 'r.id = g.recipient_id');
  }

  private selectRows(base: ReturnType<GrantsService['listBase']>) {
    return base
      .select([
        'g.id AS "id"',
        'g.award_number AS "awardNumber"',
        'g.title AS "title"',
        'g.pi_name AS "piName"',
        'g.status AS "status"',
        'g.start_date AS "startDate"',
        'g.end_date AS "endDate"',
        'g.program_id AS "programId"',
        'r.id AS "recipientId"',
        'r.name AS "recipientName"',
      ])
      .addSelect(OBLIGATED, 'obligated');
  }

  private async loadList(query: GrantListQueryDto, pageSize: number): Promise<Page<GrantRow>> {
    const page = query.page ?? 1;
    const base = this.listBase();
    if (query.q) {
      const q = likePattern(query.q);
      base.andWhere(
        new Brackets((where) =>
          ['g.award_number', 'g.title', 'g.pi_name', 'r.name'].forEach((column) =>
            where.orWhere(containsText(column), { q }),
          ),
        ),
      );
    }
    if (query.status) base.andWhere('g.status = :status', { status: query.status });
    if (query.programId) base.andWhere('g.program_id = :programId', { programId: query.programId });

    const total = Number(
      (await base.clone().select('COUNT(*)', 'n').getRawOne<{ n: number }>())?.n ?? 0,
    );
    const direction = query.dir === 'desc' ? 'DESC' : 'ASC';
    const raw = await this.selectRows(base)
      .orderBy(SORT_COLUMNS[query.sort ?? 'awardNumber'], direction)
      .addOrderBy('g.id', direction)
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawMany<RawRow>();
    return toPage(raw.map(toRow), total, page, pageSize);
  }

  /** The grant with its recipient and program, as the grant's own pages show it. */
  findOne(id: number): Promise<Grant> {
    return this.lookup.grant(id, { recipient: true, program: true });
  }

  async obligatedCents(grantId: number): Promise<number> {
    const row = await this.amendments
      .createQueryBuilder('a')
      .select('COALESCE(SUM(a.federal_change_cents), 0)', 'total')
      .where('a.grant_id = :grantId', { grantId })
      .getRawOne<{ total: number | string }>();
    return Number(row?.total ?? 0);
  }

  /**
   * A grant's amendments by number; with `asOf` (and its `asOfEnd`, asOfParams) only those that count
   * on that date: effective by then and recorded by its end (DESIGN.md §4).
   */
  amendmentsOf(grantId: number, asOf?: { asOf: string; asOfEnd: string }): Promise<Amendment[]> {
    const query = this.amendments
      .createQueryBuilder('a')
      .where('a.grant_id = :grantId', { grantId })
      .orderBy('a.number', 'ASC');
    if (asOf) query.andWhere(amendmentAsOf('a'), asOf);
    return query.getMany();
  }

  create(form: GrantFormDto): Promise<Grant> {
    return this.writes.transaction(async (manager) => {
      await this.checkForm(manager, form);
      return this.audit.insert(manager, Grant, 'grant', { ...this.fields(form) });
    });
  }

  update(id: number, version: number, form: GrantFormDto): Promise<Grant> {
    return this.writes.transaction(async (manager) => {
      const grant = await this.findOne(id);
      await this.checkForm(manager, form, grant);
      await this.audit.update(manager, Grant, 'grant', id, this.fields(form), {
        expectedVersion: version,
      });
      return this.findOne(id);
    });
  }

  /** Only a draft with no amendments may be deleted; anything that obligated money is closed instead. */
  remove(id: number): Promise<Grant> {
    return this.writes.transaction(async (manager) => {
      const grant = await this.findOne(id);
      const amendmentCount = await manager.countBy(Amendment, { grantId: id });
      if (grant.status !== 'draft') {
        throw new FormError({
          delete: `Grant ${grant.awardNumber} is ${grant.status}; only a draft grant can be deleted. Close or terminate it instead.`,
        });
      }
      if (amendmentCount > 0) {
        throw new FormError({
          delete: `Grant ${grant.awardNumber} has ${amendmentCount} amendment(s); a grant with amendments is a financial record and cannot be deleted.`,
        });
      }
      for (const period of await manager.findBy(BudgetPeriod, { grantId: id })) {
        await this.audit.remove(manager, BudgetPeriod, 'budget_period', period.id);
      }
      await this.audit.remove(manager, Grant, 'grant', id);
      return grant;
    });
  }

  toFormValues(grant: Grant): Record<string, string | number> {
    return {
      programId: grant.programId,
      recipientId: grant.recipientId,
      awardNumber: grant.awardNumber,
      title: grant.title,
      piName: grant.piName,
      piEmail: grant.piEmail,
      status: grant.status,
      startDate: grant.startDate,
      endDate: grant.endDate,
      costShareCommitted: centsToDecimal(grant.costShareCommittedCents),
      version: grant.version,
    };
  }

  private fields(form: GrantFormDto) {
    return {
      programId: form.programId,
      recipientId: form.recipientId,
      awardNumber: form.awardNumber.toUpperCase(),
      title: form.title,
      piName: form.piName,
      piEmail: form.piEmail,
      status: form.status,
      startDate: form.startDate,
      endDate: form.endDate,
      costShareCommittedCents: toCents(form.costShareCommitted),
    };
  }

  private async checkForm(
    manager: EntityManager,
    form: GrantFormDto,
    existing?: Grant,
  ): Promise<void> {
    const errors: Record<string, string> = {};
    if (!(await manager.existsBy(Program, { id: form.programId })))
      errors.programId = 'Choose an existing program.';
    if (!(await manager.existsBy(Recipient, { id: form.recipientId }))) {
      errors.recipientId = 'Choose an existing recipient.';
    }
    const duplicate = await manager.findOneBy(Grant, {
      awardNumber: form.awardNumber.toUpperCase(),
    });
    if (duplicate && duplicate.id !== existing?.id) {
      errors.awardNumber = `Award number ${duplicate.awardNumber} is already used by another grant.`;
    }
    if (form.endDate <= form.startDate)
      errors.endDate = 'The end date must be after the start date.';
    else {
      const tooLong = spanTooLong('period of performance', form.startDate, form.endDate);
      if (tooLong) errors.endDate = tooLong;
    }
    if (existing && !errors.endDate) {
      const periods = await this.lookup.budgetPeriods(existing.id);
      const first = periods[0];
      const last = periods[periods.length - 1];
      if (first && form.startDate > first.startDate) {
        errors.startDate = `Budget period 1 starts ${formatDate(first.startDate)}; the period of performance cannot start after it.`;
      }
      if (last && form.endDate < last.endDate) {
        errors.endDate = `Budget period ${last.number} ends ${formatDate(last.endDate)}; the period of performance cannot end before it.`;
      }
      if (
        existing.programId !== form.programId &&
        (await manager.countBy(Amendment, { grantId: existing.id })) > 0
      ) {
        errors.programId =
          'A grant with amendments cannot move to another program; its obligations count against this one.';
      }
    }
    if (Object.keys(errors).length > 0) throw new FormError(errors);
  }
}
