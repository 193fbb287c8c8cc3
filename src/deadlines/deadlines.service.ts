import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { AppConfig } from '../common/config';
import { namedQuery } from '../common/database/named-query';
import { ReadCache } from '../common/database/read-cache';
import { todayIn } from '../common/dates';
import {
  bucket,
  DEADLINE_KIND_LABELS,
  Deadline,
  DeadlineBuckets,
  GrantFacts,
  grantDeadlines,
  requestDeadline,
} from './deadline.rules';

/** A deadline as pages list it. */
export type ShownDeadline = Deadline & { kindLabel: string };

/**
 * The deadline engine: every date the program office must meet, computed from the records as they
 * stood at the end of the date asked about (DESIGN.md §4), so the deadlines page for a past date
 * never changes. Nothing is stored: a milestone moved or an end date extended moves its deadlines.
 */
@Injectable()
export class DeadlinesService {
  constructor(
    private readonly data: DataSource,
    private readonly config: AppConfig,
    private readonly cache: ReadCache,
  ) {}

  /** Every deadline of the program's grants (or of one), as recorded at the end of asOf. */
  all(asOf: string, grantId?: number): Promise<Deadline[]> {
    return this.cache.get(
      ['grants', 'budget_periods', 'milestones', 'approval_requests', 'approval_revisions'],
      `deadlines:${asOf}:${grantId ?? ''}`,
      () => this.read(asOf, grantId),
    );
  }

  /** Open deadlines as of the date, each with its kind's label: overdue, and due within 30, 60 and 90 days. */
  async buckets(asOf: string, grantId?: number): Promise<DeadlineBuckets<ShownDeadline>> {
    const shown = (await this.all(asOf, grantId)).map((d) => ({
      ...d,
      kindLabel: DEADLINE_KIND_LABELS[d.kind],
    }));
    return bucket(shown, asOf);
  }

  private async read(asOf: string, grantId?: number): Promise<Deadline[]> {
    const manager = this.data.manager;
    const params = { ...asOfParams(asOf, this.config.APP_TIME_ZONE), grantId: grantId ?? 0 };
    const one = grantId ? 'AND g.id = :grantId' : '';
    const [grants, periods, milestones, pending] = await Promise.all([
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT g.id AS "id", g.award_number AS "awardNumber", g.status AS "status",
                g.start_date AS "startDate", g.end_date AS "endDate"
           FROM ${recordedAsOf('grants')} g WHERE 1 = 1 ${one} ORDER BY g.id`,
        params,
      ),
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT p.grant_id AS "grantId", p.number AS "number", p.end_date AS "endDate"
           FROM ${recordedAsOf('budget_periods')} p
          ${grantId ? 'WHERE p.grant_id = :grantId' : ''} ORDER BY p.grant_id, p.number`,
        params,
      ),
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT m.id AS "id", m.grant_id AS "grantId", m.title AS "title", m.kind AS "kind",
                m.budget_period AS "budgetPeriod", m.due_date AS "dueDate", m.status AS "status",
                m.completed_on AS "completedOn"
           FROM ${recordedAsOf('milestones')} m
          ${grantId ? 'WHERE m.grant_id = :grantId' : ''} ORDER BY m.grant_id, m.due_date, m.id`,
        params,
      ),
      // A request pending at the end of asOf: its latest revision by then was not decided by then.
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT r.id AS "id", r.grant_id AS "grantId", v.summary AS "summary",
                v.submitted_at AS "submittedAt"
           FROM approval_revisions v JOIN approval_requests r ON r.id = v.request_id
          WHERE v.submitted_at < :asOfEnd
            AND NOT (v.outcome IS NOT NULL AND v.decided_at < :asOfEnd)
            AND NOT EXISTS (SELECT 1 FROM approval_revisions w WHERE w.request_id = v.request_id
                             AND w.revision > v.revision AND w.submitted_at < :asOfEnd)
            ${grantId ? 'AND r.grant_id = :grantId' : ''}
          ORDER BY r.id`,
        params,
      ),
    ]);
    const awards = new Map(grants.map((g) => [Number(g.id), String(g.awardNumber)]));
    const deadlines: Deadline[] = [];
    const byGrant = <T extends Record<string, unknown>>(list: T[]) => {
      const map = new Map<number, T[]>();
      for (const row of list) {
        const id = Number(row.grantId);
        const group = map.get(id);
        if (group) group.push(row);
        else map.set(id, [row]);
      }
      return map;
    };
    const periodsOf = byGrant(periods);
    const milestonesOf = byGrant(milestones);
    for (const g of grants) {
      const id = Number(g.id);
      const facts: GrantFacts = {
        id,
        awardNumber: String(g.awardNumber),
        status: String(g.status),
        startDate: String(g.startDate),
        endDate: String(g.endDate),
        periods: (periodsOf.get(id) ?? []).map((p) => ({
          number: Number(p.number),
          endDate: String(p.endDate),
        })),
        milestones: (milestonesOf.get(id) ?? []).map((m) => ({
          id: Number(m.id),
          title: String(m.title),
          kind: String(m.kind),
          budgetPeriod: Number(m.budgetPeriod),
          dueDate: String(m.dueDate),
          status: String(m.status),
          completedOn: (m.completedOn as string | null) ?? null,
        })),
      };
      deadlines.push(...grantDeadlines(facts, asOf));
    }
    for (const r of pending) {
      const grant = Number(r.grantId);
      if (!awards.has(grant)) continue;
      deadlines.push(
        requestDeadline(
          {
            id: Number(r.id),
            grantId: grant,
            awardNumber: awards.get(grant)!,
            summary: String(r.summary),
            requestedOn: todayIn(this.config.APP_TIME_ZONE, new Date(String(r.submittedAt))),
          },
          this.config.REQUEST_REMINDER_DAYS,
        ),
      );
    }
    return deadlines.sort(
      (a, b) => a.dueDate.localeCompare(b.dueDate) || a.key.localeCompare(b.key),
    );
  }
}
