import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsRelations, Repository } from 'typeorm';
import { BudgetPeriod } from './budget-period.entity';
import { Grant } from './grant.entity';

/** A grant as a form's grant picker lists it. */
export type GrantChoice = Pick<Grant, 'id' | 'awardNumber' | 'title' | 'status'>;

/**
 * How every feature reads a grant, its budget periods and the grants a form offers. A small module of
 * its own (GrantLookupModule) so that the features GrantsModule imports can use it without a cycle.
 * Its repositories join the open write transaction, as every injected repository does.
 */
@Injectable()
export class GrantLookup {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    @InjectRepository(BudgetPeriod) private readonly periods: Repository<BudgetPeriod>,
  ) {}

  /** The grant (with the relations asked for), or a 404 naming the id. */
  async grant(id: number, relations?: FindOptionsRelations<Grant>): Promise<Grant> {
    const grant = await this.find(id, relations);
    if (!grant) throw new NotFoundException(`Grant ${id} does not exist.`);
    return grant;
  }

  /** The grant, or null when there is none. */
  async find(id: number, relations?: FindOptionsRelations<Grant>): Promise<Grant | null> {
    // findOne with relations makes two queries (the ids with LIMIT 1, then their rows); by primary
    // key, with a program and a recipient to join, one query finds the one row.
    const [grant] = await this.grants.find({ where: { id }, relations });
    return grant ?? null;
  }

  /** The grant's budget periods, BP1 first. */
  budgetPeriods(grantId: number): Promise<BudgetPeriod[]> {
    return this.periods.find({ where: { grantId }, order: { number: 'ASC' } });
  }

  /**
   * Grants for a picker, by award number: every grant, or with `activeOnly` the active ones plus
   * `keep` (the grant the user chose) whatever its status.
   */
  choices(options: { activeOnly?: boolean; keep?: number } = {}): Promise<GrantChoice[]> {
    const { activeOnly = false, keep } = options;
    return this.grants.find({
      select: { id: true, awardNumber: true, title: true, status: true },
      where: !activeOnly ? {} : keep ? [{ status: 'active' }, { id: keep }] : { status: 'active' },
      order: { awardNumber: 'ASC' },
    });
  }
}
