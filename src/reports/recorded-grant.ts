import { NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { formatDate } from '../common/dates';
import { namedQuery } from '../common/database/named-query';
import { Grant } from '../grants/grant.entity';
import { Program } from '../programs/program.entity';

/** Every column of a grant under its property name, from a grants (or grants_history) alias `g`. */
const GRANT_COLUMNS = `g.id AS "id", g.version AS "version", g.created_at AS "createdAt",
  g.updated_at AS "updatedAt", g.program_id AS "programId", g.recipient_id AS "recipientId",
  g.award_number AS "awardNumber", g.title AS "title", g.pi_name AS "piName",
  g.pi_email AS "piEmail", g.status AS "status", g.start_date AS "startDate",
  g.end_date AS "endDate", g.cost_share_committed_cents AS "costShareCommittedCents"`;

const PROGRAM_COLUMNS = `p.id AS "id", p.version AS "version", p.created_at AS "createdAt",
  p.updated_at AS "updatedAt", p.name AS "name", p.funding_opportunity AS "fundingOpportunity",
  p.office AS "office", p.ceiling_cents AS "ceilingCents", p.start_date AS "startDate",
  p.end_date AS "endDate", p.cost_share_percent AS "costSharePercent",
  p.illustrative AS "illustrative"`;

type Raw = Record<string, unknown>;

function toGrant(row: Raw): Grant {
  return Object.assign(new Grant(), row, {
    id: Number(row.id),
    version: Number(row.version),
    programId: Number(row.programId),
    recipientId: Number(row.recipientId),
    costShareCommittedCents: Number(row.costShareCommittedCents),
  });
}

function toProgram(row: Raw): Program {
  return Object.assign(new Program(), row, {
    id: Number(row.id),
    version: Number(row.version),
    ceilingCents: Number(row.ceilingCents),
    costSharePercent: Number(row.costSharePercent),
    illustrative: row.illustrative === true || Number(row.illustrative) === 1,
  });
}

/**
 * The grant as the office's records stood at the end of asOf (DESIGN.md §4): its award number, dates
 * (a no-cost extension recorded later does not move them) and committed cost share of that day. One
 * read of the grant's history through its (id, recorded_to) index. Null when it had not been recorded
 * by then, or does not exist.
 */
export async function recordedGrant(
  manager: EntityManager,
  grantId: number,
  asOf: string,
  timeZone: string,
): Promise<Grant | null> {
  const [row] = await namedQuery<Raw>(
    manager,
    `SELECT ${GRANT_COLUMNS} FROM ${recordedAsOf('grants')} g WHERE g.id = :grantId`,
    { grantId, ...asOfParams(asOf, timeZone) },
  );
  return row ? toGrant(row) : null;
}

/** The program as recorded at the end of asOf (its name, dates, required cost share), or null. */
export async function recordedProgram(
  manager: EntityManager,
  programId: number | undefined,
  asOf: string,
  timeZone: string,
): Promise<Program | null> {
  // Without an id: the first program recorded by then (the app usually runs one).
  const [row] = await namedQuery<Raw>(
    manager,
    `SELECT ${PROGRAM_COLUMNS} FROM ${recordedAsOf('programs')} p
      ${programId === undefined ? '' : 'WHERE p.id = :programId'}
      ORDER BY p.id LIMIT 1`,
    { programId, ...asOfParams(asOf, timeZone) },
  );
  return row ? toProgram(row) : null;
}

/**
 * What a report says of a grant that is not in the records of asOf: 404 either way, naming whether it
 * does not exist at all or was only recorded later.
 */
export async function grantMissingOn(
  manager: EntityManager,
  grantId: number,
  asOf: string,
): Promise<NotFoundException> {
  const [now] = await namedQuery<{ id: number }>(
    manager,
    'SELECT g.id AS "id" FROM grants g WHERE g.id = :grantId',
    { grantId },
  );
  return new NotFoundException(
    now
      ? `Grant ${grantId} was not yet in the records on ${formatDate(asOf)}.`
      : `Grant ${grantId} does not exist.`,
  );
}

/** The grant as recorded at the end of asOf, or a 404 (see grantMissingOn). */
export async function recordedGrantOr404(
  manager: EntityManager,
  grantId: number,
  asOf: string,
  timeZone: string,
): Promise<Grant> {
  const grant = await recordedGrant(manager, grantId, asOf, timeZone);
  if (!grant) throw await grantMissingOn(manager, grantId, asOf);
  return grant;
}
