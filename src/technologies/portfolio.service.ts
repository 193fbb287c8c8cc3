import { formatDate } from '../common/dates';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { amendmentAsOf, asOfParams, createdAsOf, recordedAsOf } from '../common/as-of';
import { AppConfig } from '../common/config';
import { Grant } from '../grants/grant.entity';
import { namedQuery } from '../common/database/named-query';
import {
  ELEMENT_SYMBOLS,
  ELEMENTS,
  FEEDSTOCK_CODES,
  PATHWAYS,
  TRL_LEVELS,
} from './technology.constants';

export interface GrantRef {
  id: number;
  awardNumber: string;
}

export interface BreakdownRow {
  key: string;
  label: string;
  technologies: number;
  /** Distinct grants linked to a technology in this row. */
  grants: number;
  /** Obligated as of the date to those grants; a grant in several rows counts in each. */
  obligatedCents: number;
  grantList?: GrantRef[];
}

export interface Totals {
  grants: number;
  obligatedCents: number;
}

export interface TrlGainRow {
  id: number;
  name: string;
  awardDate: string;
  grants: GrantRef[];
  baselineTrl: number | null;
  currentTrl: number | null;
  targetTrl: number;
  gained: number | null;
}

export interface Portfolio {
  asOf: string;
  byPathway: BreakdownRow[];
  byFeedstock: BreakdownRow[];
  byElement: BreakdownRow[];
  byTrl: BreakdownRow[];
  linked: Totals;
  unlinked: Totals & { grantList: GrantRef[] };
  total: Totals;
  trlGained: TrlGainRow[];
}

/** The catalogue and the links as recorded at the end of asOf (DESIGN.md §4). */
const TECHNOLOGIES = recordedAsOf('technologies');
const ELEMENTS_OF = recordedAsOf('technology_elements');
const LINKS = recordedAsOf('grant_technologies');
const GRANTS = recordedAsOf('grants');

/** Obligations as of the date, per grant: amendments effective by then and recorded by its end. */
const OBLIGATED = `ob AS (
  SELECT a.grant_id, SUM(a.federal_change_cents) AS cents
    FROM amendments a
   WHERE ${amendmentAsOf('a')}
   GROUP BY a.grant_id)`;

/** A technology's TRL on a date: its latest assessment on or before it, recorded by asOf's end (0: none yet). */
const trlOn = (date: string) => `COALESCE((
  SELECT a.trl FROM trl_assessments a
   WHERE a.technology_id = t.id AND a.assessed_on <= ${date} AND ${createdAsOf('a')}
   ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1), 0)`;

/** Each breakdown is a (technology_id, k) relation: which row(s) each technology falls in. */
const KEYS = {
  pathway: `SELECT t.id AS technology_id, t.pathway AS k FROM ${TECHNOLOGIES} t`,
  feedstock: `SELECT t.id AS technology_id, t.feedstock AS k FROM ${TECHNOLOGIES} t`,
  element: `SELECT te.technology_id, te.element AS k FROM ${ELEMENTS_OF} te`,
  trl: `SELECT t.id AS technology_id, ${trlOn(':asOf')} AS k FROM ${TECHNOLOGIES} t`,
} as const;

const NOT_ASSESSED = '0';

/**
 * The portfolio by pathway, feedstock, element and TRL, as of a date. Every figure is one SQL
 * aggregation. The catalogue, the links, the grants, obligations and TRLs are all as the records
 * stood at the end of the date, so a past date's portfolio never changes afterwards.
 * A grant counts once in each row it falls in (so rows may add up to more than the total); the totals
 * count each grant once.
 */
@Injectable()
export class PortfolioService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
  ) {}

  private params(asOf: string) {
    return asOfParams(asOf, this.config.APP_TIME_ZONE);
  }

  async build(asOf: string): Promise<Portfolio> {
    const [pathway, feedstock, element, trl, totals, elementGrants, trlGained] = await Promise.all([
      this.breakdown('pathway', asOf),
      this.breakdown('feedstock', asOf),
      this.breakdown('element', asOf),
      this.breakdown('trl', asOf),
      this.totals(asOf),
      this.grantsByElement(asOf),
      this.trlGained(asOf),
    ]);
    const byElement = ELEMENT_SYMBOLS.filter((symbol) => element.has(symbol)).map((symbol) => ({
      ...this.row(element, symbol, `${symbol} — ${ELEMENTS[symbol]}`),
      grantList: elementGrants.get(symbol) ?? [],
    }));
    const byTrl = TRL_LEVELS.map(({ level, definition }) =>
      this.row(trl, String(level), `${level} — ${definition}`),
    );
    if (trl.has(NOT_ASSESSED)) {
      byTrl.push(this.row(trl, NOT_ASSESSED, `Not yet assessed on ${formatDate(asOf)}`));
    }
    return {
      asOf,
      byPathway: PATHWAYS.map((key) => this.row(pathway, key, key)),
      byFeedstock: FEEDSTOCK_CODES.map((key) => this.row(feedstock, key, key)),
      byElement,
      byTrl,
      ...totals,
      trlGained,
    };
  }

  private row(found: Map<string, BreakdownRow>, key: string, label: string): BreakdownRow {
    return { ...(found.get(key) ?? { technologies: 0, grants: 0, obligatedCents: 0 }), key, label };
  }

  private async breakdown(
    dimension: keyof typeof KEYS,
    asOf: string,
  ): Promise<Map<string, BreakdownRow>> {
    const rows = await namedQuery<{
      key: string | number;
      technologies: number | string;
      grants: number | string;
      obligatedCents: number | string;
    }>(
      this.grants.manager,
      `WITH ${OBLIGATED},
       keyed AS (${KEYS[dimension]}),
       techs AS (SELECT k, COUNT(*) AS n FROM keyed GROUP BY k),
       pairs AS (SELECT DISTINCT keyed.k, gt.grant_id
                   FROM keyed JOIN ${LINKS} gt ON gt.technology_id = keyed.technology_id),
       money AS (SELECT p.k, COUNT(*) AS grants, COALESCE(SUM(ob.cents), 0) AS cents
                   FROM pairs p LEFT JOIN ob ON ob.grant_id = p.grant_id
                  GROUP BY p.k)
       SELECT techs.k AS "key", techs.n AS "technologies",
              COALESCE(money.grants, 0) AS "grants", COALESCE(money.cents, 0) AS "obligatedCents"
         FROM techs LEFT JOIN money ON money.k = techs.k`,
      this.params(asOf),
    );
    return new Map(
      rows.map((r) => [
        String(r.key),
        {
          key: String(r.key),
          label: String(r.key),
          technologies: Number(r.technologies),
          grants: Number(r.grants),
          obligatedCents: Number(r.obligatedCents),
        },
      ]),
    );
  }

  /** Grants with and without a technology, each counted once, and all grants. */
  private async totals(asOf: string): Promise<Pick<Portfolio, 'linked' | 'unlinked' | 'total'>> {
    const LINKED = `EXISTS (SELECT 1 FROM ${LINKS} gt WHERE gt.grant_id = g.id)`;
    const sums = await namedQuery<{
      linked: number | string;
      grants: number | string;
      obligatedCents: number | string;
    }>(
      this.grants.manager,
      `WITH ${OBLIGATED}
       SELECT x.linked AS "linked", COUNT(*) AS "grants", COALESCE(SUM(x.cents), 0) AS "obligatedCents"
         FROM (SELECT CASE WHEN ${LINKED} THEN 1 ELSE 0 END AS linked, COALESCE(ob.cents, 0) AS cents
                 FROM ${GRANTS} g LEFT JOIN ob ON ob.grant_id = g.id) x
        GROUP BY x.linked`,
      this.params(asOf),
    );
    const unlinkedGrants = await namedQuery<GrantRef>(
      this.grants.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber"
         FROM ${GRANTS} g WHERE NOT ${LINKED} ORDER BY g.award_number`,
      this.params(asOf),
    );
    const part = (linked: number) => {
      const found = sums.find((s) => Number(s.linked) === linked);
      return {
        grants: Number(found?.grants ?? 0),
        obligatedCents: Number(found?.obligatedCents ?? 0),
      };
    };
    const linked = part(1);
    const unlinked = part(0);
    return {
      linked,
      unlinked: {
        ...unlinked,
        grantList: unlinkedGrants.map(({ id, awardNumber }) => ({ id, awardNumber })),
      },
      total: {
        grants: linked.grants + unlinked.grants,
        obligatedCents: linked.obligatedCents + unlinked.obligatedCents,
      },
    };
  }

  /** Which grants target each element (through the technologies they develop). */
  private async grantsByElement(asOf: string): Promise<Map<string, GrantRef[]>> {
    const rows = await namedQuery<GrantRef & { element: string }>(
      this.grants.manager,
      `SELECT DISTINCT te.element AS "element", g.id AS "id", g.award_number AS "awardNumber"
         FROM ${ELEMENTS_OF} te
         JOIN ${LINKS} gt ON gt.technology_id = te.technology_id
         JOIN ${GRANTS} g ON g.id = gt.grant_id
        ORDER BY g.award_number`,
      this.params(asOf),
    );
    const byElement = new Map<string, GrantRef[]>();
    for (const { element, id, awardNumber } of rows) {
      byElement.set(element, [...(byElement.get(element) ?? []), { id, awardNumber }]);
    }
    return byElement;
  }

  /**
   * Per linked technology: the baseline is its TRL on the earliest start of its grants (or its first
   * assessment, when none is that early), the current TRL is as of the date, and the gain is the
   * difference. A start after the date is clamped to it, so the baseline is never later than "now".
   */
  async trlGained(asOf: string): Promise<TrlGainRow[]> {
    const rows = await namedQuery<{
      id: number;
      name: string;
      awardDate: string;
      baselineTrl: number | null;
      currentTrl: number;
      targetTrl: number;
    }>(
      this.grants.manager,
      `WITH award AS (
         SELECT gt.technology_id, MIN(g.start_date) AS award_date
           FROM ${LINKS} gt JOIN ${GRANTS} g ON g.id = gt.grant_id
          GROUP BY gt.technology_id)
       SELECT t.id AS "id", t.name AS "name", award.award_date AS "awardDate",
              COALESCE(
                (SELECT a.trl FROM trl_assessments a
                  WHERE a.technology_id = t.id AND ${createdAsOf('a')}
                    AND a.assessed_on <= CASE WHEN award.award_date < :asOf THEN award.award_date ELSE :asOf END
                  ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),
                (SELECT a.trl FROM trl_assessments a
                  WHERE a.technology_id = t.id AND a.assessed_on <= :asOf AND ${createdAsOf('a')}
                  ORDER BY a.assessed_on ASC, a.id ASC LIMIT 1)) AS "baselineTrl",
              ${trlOn(':asOf')} AS "currentTrl",
              t.target_trl AS "targetTrl"
         FROM ${TECHNOLOGIES} t JOIN award ON award.technology_id = t.id
        ORDER BY t.name, t.id`,
      this.params(asOf),
    );
    const links = await namedQuery<GrantRef & { technologyId: number }>(
      this.grants.manager,
      `SELECT gt.technology_id AS "technologyId", g.id AS "id", g.award_number AS "awardNumber"
         FROM ${LINKS} gt JOIN ${GRANTS} g ON g.id = gt.grant_id
        ORDER BY g.award_number`,
      this.params(asOf),
    );
    const grantsOf = new Map<number, GrantRef[]>();
    for (const { technologyId, id, awardNumber } of links) {
      const key = Number(technologyId);
      grantsOf.set(key, [...(grantsOf.get(key) ?? []), { id, awardNumber }]);
    }
    return rows.map((r) => {
      const baselineTrl = r.baselineTrl === null ? null : Number(r.baselineTrl);
      const currentTrl = Number(r.currentTrl) || null;
      return {
        id: Number(r.id),
        name: r.name,
        awardDate: r.awardDate,
        grants: grantsOf.get(Number(r.id)) ?? [],
        baselineTrl,
        currentTrl,
        targetTrl: Number(r.targetTrl),
        gained: baselineTrl !== null && currentTrl !== null ? currentTrl - baselineTrl : null,
      };
    });
  }
}
