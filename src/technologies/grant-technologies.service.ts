import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { WritePath } from '../common/database/write-path';
import { contentVersion, FormError } from '../common/forms';
import { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { GrantTechnology } from './grant-technology.entity';
import { namedQuery } from '../common/database/named-query';
import { recordedAsOf } from '../common/as-of';
import {
  auditList,
  sortElements,
  TechnologiesService,
  TechnologyRow,
} from './technologies.service';
import type { ElementSymbol, Feedstock, Pathway } from './technology.constants';
import { Technology } from './technology.entity';

const linksVersionOf = (ids: number[]): string => contentVersion([...ids].sort((a, b) => a - b));

/** What the grant page shows of each technology the grant develops: its catalogue row. */
export type LinkedTechnology = Omit<TechnologyRow, 'grantCount'>;

export interface LinkedGrant {
  id: number;
  awardNumber: string;
  title: string;
  recipientName: string;
}

/**
 * The grant ↔ technology links: what each side shows of the other, and replacing one side's links
 * all at once with an audit event on every grant and technology whose links changed.
 */
@Injectable()
export class GrantTechnologiesService {
  constructor(
    @InjectRepository(GrantTechnology) private readonly links: Repository<GrantTechnology>,
    private readonly catalogue: TechnologiesService,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly lookup: GrantLookup,
  ) {}

  /** The technologies a grant develops, for the grant page. */
  async forGrant(grantId: number): Promise<LinkedTechnology[]> {
    const found = await this.links.manager
      .createQueryBuilder(Technology, 't')
      .innerJoin(GrantTechnology, 'gt', 'gt.technology_id = t.id')
      .where('gt.grant_id = :grantId', { grantId })
      .orderBy('t.name', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
    return this.catalogue.rowsOf(found);
  }

  /** The technologies linked on asOf, each as recorded then (its TRL of that day included). */
  async forGrantAsOf(
    grantId: number,
    asOf: { asOf: string; asOfEnd: string },
  ): Promise<LinkedTechnology[]> {
    const params = { grantId, ...asOf };
    const rows = await namedQuery<Record<string, unknown>>(
      this.links.manager,
      `SELECT t.id AS "id", t.name AS "name", t.pathway AS "pathway", t.feedstock AS "feedstock",
              t.current_trl AS "currentTrl", t.target_trl AS "targetTrl"
         FROM ${recordedAsOf('grant_technologies')} gt
         JOIN ${recordedAsOf('technologies')} t ON t.id = gt.technology_id
        WHERE gt.grant_id = :grantId
        ORDER BY t.name, t.id`,
      params,
    );
    const elements = await namedQuery<{ technologyId: unknown; element: string }>(
      this.links.manager,
      `SELECT te.technology_id AS "technologyId", te.element AS "element"
         FROM ${recordedAsOf('technology_elements')} te
        WHERE te.technology_id IN (SELECT gt.technology_id FROM ${recordedAsOf('grant_technologies')} gt
                                    WHERE gt.grant_id = :grantId)`,
      params,
    );
    const elementsOf = (id: number): ElementSymbol[] =>
      sortElements(elements.filter((e) => Number(e.technologyId) === id).map((e) => e.element));
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      pathway: r.pathway as Pathway,
      feedstock: r.feedstock as Feedstock,
      currentTrl: Number(r.currentTrl),
      targetTrl: Number(r.targetTrl),
      elements: elementsOf(Number(r.id)),
    }));
  }

  /** The grants that develop a technology, for its page. */
  linkedGrants(technologyId: number): Promise<LinkedGrant[]> {
    return namedQuery<LinkedGrant>(
      this.links.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title", r.name AS "recipientName"
         FROM grant_technologies gt
         JOIN grants g ON g.id = gt.grant_id
         JOIN recipients r ON r.id = g.recipient_id
        WHERE gt.technology_id = :technologyId
        ORDER BY g.award_number`,
      { technologyId },
    );
  }

  async linkedIds(side: 'grant' | 'technology', id: number): Promise<number[]> {
    const links = await this.links.find({
      where: side === 'grant' ? { grantId: id } : { technologyId: id },
    });
    return links.map((link) => (side === 'grant' ? link.technologyId : link.grantId));
  }

  /** The version of one side's links as an edit form carries it (see contentVersion). */
  async linksVersion(side: 'grant' | 'technology', id: number): Promise<string> {
    return linksVersionOf(await this.linkedIds(side, id));
  }

  /**
   * Replaces the grants a technology is linked to, all or nothing. With `expectedVersion` (every
   * form sends it), links changed since the form was opened are an edit conflict.
   */
  setGrantsOf(technologyId: number, grantIds: string[], expectedVersion?: string): Promise<number> {
    return this.writes.transaction(async (manager) => {
      if (!(await manager.existsBy(Technology, { id: technologyId }))) {
        throw new NotFoundException(`Technology ${technologyId} does not exist.`);
      }
      const current = await this.linkedIds('technology', technologyId);
      await this.checkVersion(manager, 'technology', technologyId, current, expectedVersion);
      const wanted = await this.existingIds(manager, Grant, grantIds, 'grantIds', 'Grant');
      await this.relink(
        manager,
        wanted.filter((id) => !current.includes(id)).map((grantId) => ({ grantId, technologyId })),
        current.filter((id) => !wanted.includes(id)).map((grantId) => ({ grantId, technologyId })),
      );
      return wanted.length;
    });
  }

  /** Replaces the technologies a grant is linked to, all or nothing (`expectedVersion` as above). */
  setTechnologiesOf(
    grantId: number,
    technologyIds: string[],
    expectedVersion?: string,
  ): Promise<number> {
    return this.writes.transaction(async (manager) => {
      await this.lookup.grant(grantId);
      const current = await this.linkedIds('grant', grantId);
      await this.checkVersion(manager, 'grant', grantId, current, expectedVersion);
      const wanted = await this.existingIds(
        manager,
        Technology,
        technologyIds,
        'technologyIds',
        'Technology',
      );
      await this.relink(
        manager,
        wanted
          .filter((id) => !current.includes(id))
          .map((technologyId) => ({ grantId, technologyId })),
        current
          .filter((id) => !wanted.includes(id))
          .map((technologyId) => ({ grantId, technologyId })),
      );
      return wanted.length;
    });
  }

  private async checkVersion(
    manager: EntityManager,
    side: 'grant' | 'technology',
    id: number,
    linked: number[],
    expectedVersion: string | undefined,
  ): Promise<void> {
    const current = linksVersionOf(linked);
    if (expectedVersion === undefined || current === expectedVersion) return;
    throw await this.audit.conflictOn(
      manager,
      side === 'grant' ? 'grant’s set of technologies' : 'technology’s set of grants',
      current,
      {
        entityType: side,
        entityIds: [id],
        actions: [side === 'grant' ? 'technology_links' : 'grant_links'],
      },
    );
  }

  /**
   * Adds and removes links, and writes one event on every grant and every technology whose set of
   * links changed, with the set before and after (award numbers on a technology, names on a grant).
   */
  private async relink(
    manager: EntityManager,
    added: GrantTechnology[],
    removed: GrantTechnology[],
  ): Promise<void> {
    const changed = [...added, ...removed];
    if (changed.length === 0) return;
    const grantIds = [...new Set(changed.map((l) => l.grantId))];
    const technologyIds = [...new Set(changed.map((l) => l.technologyId))];
    const before = await this.linkLabels(manager, grantIds, technologyIds);
    for (const link of removed) await manager.delete(GrantTechnology, link);
    if (added.length > 0) await manager.insert(GrantTechnology, added);
    const after = await this.linkLabels(manager, grantIds, technologyIds);

    for (const id of technologyIds) {
      await this.audit.record(manager, {
        action: 'grant_links',
        entityType: 'technology',
        entityId: id,
        changes: {
          grants: {
            before: auditList(before.ofTechnology(id)),
            after: auditList(after.ofTechnology(id)),
          },
        },
      });
    }
    for (const id of grantIds) {
      await this.audit.record(manager, {
        action: 'technology_links',
        entityType: 'grant',
        entityId: id,
        changes: {
          technologies: {
            before: auditList(before.ofGrant(id)),
            after: auditList(after.ofGrant(id)),
          },
        },
      });
    }
  }

  /** The current links of some grants and technologies, as award numbers and names. */
  private async linkLabels(manager: EntityManager, grantIds: number[], technologyIds: number[]) {
    const rows = await namedQuery<{
      grantId: number;
      technologyId: number;
      awardNumber: string;
      name: string;
    }>(
      manager,
      `SELECT gt.grant_id AS "grantId", gt.technology_id AS "technologyId",
              g.award_number AS "awardNumber", t.name AS "name"
         FROM grant_technologies gt
         JOIN grants g ON g.id = gt.grant_id
         JOIN technologies t ON t.id = gt.technology_id
        WHERE gt.grant_id IN (:...grantIds) OR gt.technology_id IN (:...technologyIds)
        ORDER BY g.award_number, t.name`,
      { grantIds, technologyIds },
    );
    return {
      ofGrant: (id: number) =>
        rows
          .filter((r) => r.grantId === id)
          .map((r) => r.name)
          .sort(),
      ofTechnology: (id: number) =>
        rows.filter((r) => r.technologyId === id).map((r) => r.awardNumber),
    };
  }

  /** The ids as numbers, if every one names an existing record; otherwise a message and no change. */
  private async existingIds(
    manager: EntityManager,
    entity: typeof Grant | typeof Technology,
    ids: string[],
    field: string,
    label: string,
  ): Promise<number[]> {
    const wanted = [...new Set(ids.map(Number))];
    if (wanted.length === 0) return [];
    const found = (
      await manager.find(entity, { select: { id: true }, where: { id: In(wanted) } })
    ).map((row) => row.id);
    const unknown = wanted.filter((id) => !found.includes(id));
    if (unknown.length > 0) {
      throw new FormError({
        [field]: `${label} ${unknown.join(', ')} ${unknown.length === 1 ? 'does' : 'do'} not exist (deleted since the page was opened?). Nothing was changed: reload the page and choose again.`,
      });
    }
    return wanted;
  }
}
