import type { EntityManager } from 'typeorm';
import { ELEMENT_SYMBOLS } from '../technologies/technology.constants';
import { namedQuery } from '../common/database/named-query';
import { asOfParams, createdAsOf, recordedAsOf } from '../common/as-of';
import { Key, keyParams, register, Register } from './keyset';

export interface TechnologyRegisterRow {
  assessmentId: number;
  technologyId: number;
  technology: string;
  pathway: string;
  feedstock: string;
  /** Target element symbols in periodic-table order, joined by a space. */
  elements: string;
  targetTrl: number;
  assessedOn: string;
  trl: number;
  evidence: string;
  recordedBy: string;
  /** Award numbers of the linked grants, sorted, joined by a space. */
  linkedAwards: string;
}

export interface TechnologyRegisterParams {
  asOf: string;
  /** The office's time zone: what was recorded by the end of asOf there counts. */
  timeZone: string;
}

type Raw = Omit<TechnologyRegisterRow, 'elements' | 'linkedAwards'>;

const ELEMENT_ORDER = new Map(ELEMENT_SYMBOLS.map((symbol, i) => [symbol as string, i]));

/** Values per technology id, in the order the query returned them. */
function grouped(rows: { technologyId: number | string; value: string }[]): Map<number, string[]> {
  const map = new Map<number, string[]>();
  for (const row of rows) {
    const id = Number(row.technologyId);
    map.set(id, [...(map.get(id) ?? []), row.value]);
  }
  return map;
}

/**
 * Technologies with their TRL history: one row per assessment made on or before asOf (and recorded
 * by the end of that day), in technology name, technology id, assessment date and assessment id
 * order. Name, pathway, feedstock, elements, target TRL and the linked grants' award numbers are the
 * versions recorded by the end of asOf (recordedAsOf), so a technology edited or (un)linked later
 * reads as it did. A page's elements and links are two small queries on that page's technologies,
 * not one per row.
 */
export function technologiesRegister(
  manager: EntityManager,
  params: TechnologyRegisterParams,
): Register<TechnologyRegisterRow> {
  const fetch = async (after: Key | null, limit: number) => {
    const where = ['a.assessed_on <= :asOf', createdAsOf('a')];
    const values: Record<string, unknown> = {
      ...params,
      ...asOfParams(params.asOf, params.timeZone),
      limit,
    };
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      where.push(`(t.name, t.id, a.assessed_on, a.id) > ${placeholders}`);
      Object.assign(values, keyValues);
    }
    const raw = await namedQuery<Raw>(
      manager,
      `SELECT a.id AS "assessmentId", t.id AS "technologyId", t.name AS "technology",
              t.pathway AS "pathway", t.feedstock AS "feedstock", t.target_trl AS "targetTrl",
              a.assessed_on AS "assessedOn", a.trl AS "trl", a.evidence AS "evidence",
              a.recorded_by AS "recordedBy"
         FROM trl_assessments a
         JOIN ${recordedAsOf('technologies')} t ON t.id = a.technology_id
        WHERE ${where.join(' AND ')}
        ORDER BY t.name, t.id, a.assessed_on, a.id
        LIMIT :limit`,
      values,
    );
    if (raw.length === 0) return [];
    const ids = [...new Set(raw.map((r) => Number(r.technologyId)))];
    const [elements, awards] = await Promise.all([
      namedQuery<{ technologyId: number; value: string }>(
        manager,
        `SELECT e.technology_id AS "technologyId", e.element AS "value"
           FROM ${recordedAsOf('technology_elements')} e WHERE e.technology_id IN (:...ids)`,
        { ids, ...asOfParams(params.asOf, params.timeZone) },
      ),
      namedQuery<{ technologyId: number; value: string }>(
        manager,
        `SELECT gt.technology_id AS "technologyId", g.award_number AS "value"
           FROM ${recordedAsOf('grant_technologies')} gt
           JOIN ${recordedAsOf('grants')} g ON g.id = gt.grant_id
          WHERE gt.technology_id IN (:...ids)
          ORDER BY gt.technology_id, g.award_number`,
        { ids, ...asOfParams(params.asOf, params.timeZone) },
      ),
    ]);
    const elementsOf = grouped(elements);
    const awardsOf = grouped(awards);
    return raw.map((r) => {
      const technologyId = Number(r.technologyId);
      const symbols = [...(elementsOf.get(technologyId) ?? [])].sort(
        (a, b) => (ELEMENT_ORDER.get(a) ?? 999) - (ELEMENT_ORDER.get(b) ?? 999),
      );
      return {
        ...r,
        assessmentId: Number(r.assessmentId),
        technologyId,
        targetTrl: Number(r.targetTrl),
        trl: Number(r.trl),
        elements: symbols.join(' '),
        linkedAwards: (awardsOf.get(technologyId) ?? []).join(' '),
      };
    });
  };
  return register(
    'technologies',
    [
      { name: 'technology_id', kind: 'integer', value: (r) => r.technologyId },
      { name: 'technology', kind: 'text', value: (r) => r.technology },
      { name: 'pathway', kind: 'text', value: (r) => r.pathway },
      { name: 'feedstock', kind: 'text', value: (r) => r.feedstock },
      { name: 'elements', kind: 'text', value: (r) => r.elements },
      { name: 'target_trl', kind: 'integer', value: (r) => r.targetTrl },
      { name: 'assessed_on', kind: 'date', value: (r) => r.assessedOn },
      { name: 'trl', kind: 'integer', value: (r) => r.trl },
      { name: 'evidence', kind: 'text', value: (r) => r.evidence },
      { name: 'recorded_by', kind: 'text', value: (r) => r.recordedBy },
      { name: 'linked_awards', kind: 'text', value: (r) => r.linkedAwards },
    ],
    (r) => [r.technology, r.technologyId, r.assessedOn, r.assessmentId],
    fetch,
  );
}

export const TECHNOLOGY_KEY_SHAPE: ('string' | 'number')[] = [
  'string',
  'number',
  'string',
  'number',
];
