import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { likePattern } from '../common/database/like-pattern';
import { WritePath } from '../common/database/write-path';
import { FieldErrors, FormError } from '../common/forms';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { Grant } from '../grants/grant.entity';
import { NewTechnologyFormDto, TechnologyFormDto } from './dto/technology-form.dto';
import { TechnologyListQueryDto } from './dto/technology-list-query.dto';
import { GrantTechnology } from './grant-technology.entity';
import { namedQuery } from '../common/database/named-query';
import { ELEMENT_SYMBOLS, ElementSymbol, Feedstock, Pathway } from './technology.constants';
import { TechnologyElement } from './technology-element.entity';
import { Technology } from './technology.entity';
import { TrlAssessmentsService } from './trl-assessments.service';

export interface TechnologyRow {
  id: number;
  name: string;
  pathway: Pathway;
  feedstock: Feedstock;
  currentTrl: number;
  targetTrl: number;
  elements: ElementSymbol[];
  grantCount: number;
}

/** What the grant page shows of each technology the grant develops. */
export interface LinkedTechnology {
  id: number;
  name: string;
  pathway: Pathway;
  feedstock: Feedstock;
  currentTrl: number;
  targetTrl: number;
  elements: ElementSymbol[];
}

export interface LinkedGrant {
  id: number;
  awardNumber: string;
  title: string;
  recipientName: string;
}

/** Elements in the catalogue's order (Sc, Y, La … Lu, then the others), each once. */
export const sortElements = (elements: readonly string[]): ElementSymbol[] =>
  ELEMENT_SYMBOLS.filter((symbol) => elements.includes(symbol));

const list = (labels: string[]): string | null => (labels.length ? labels.join(', ') : null);

@Injectable()
export class TechnologiesService {
  constructor(
    @InjectRepository(Technology) private readonly technologies: Repository<Technology>,
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly assessments: TrlAssessmentsService,
  ) {}

  async list(query: TechnologyListQueryDto, pageSize = PAGE_SIZE): Promise<Page<TechnologyRow>> {
    const page = query.page ?? 1;
    const base = this.technologies.createQueryBuilder('t');
    if (query.q) base.andWhere(`t.name LIKE :q ESCAPE '\\'`, { q: likePattern(query.q) });
    if (query.pathway) base.andWhere('t.pathway = :pathway', { pathway: query.pathway });
    if (query.feedstock) base.andWhere('t.feedstock = :feedstock', { feedstock: query.feedstock });
    if (query.trl) base.andWhere('t.current_trl = :trl', { trl: query.trl });
    if (query.element) {
      base.andWhere(
        'EXISTS (SELECT 1 FROM technology_elements te WHERE te.technology_id = t.id AND te.element = :element)',
        { element: query.element },
      );
    }
    const total = await base.getCount();
    const { entities, raw } = await base
      .addSelect(
        '(SELECT COUNT(*) FROM grant_technologies gt WHERE gt.technology_id = t.id)',
        'grant_count',
      )
      .orderBy('t.name', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawAndEntities<{ grant_count: number | string }>();
    const elements = await this.elementsOf(entities.map((t) => t.id));
    const items = entities.map((t, i) => ({
      id: t.id,
      name: t.name,
      pathway: t.pathway,
      feedstock: t.feedstock,
      currentTrl: t.currentTrl,
      targetTrl: t.targetTrl,
      elements: elements.get(t.id) ?? [],
      grantCount: Number(raw[i].grant_count),
    }));
    return toPage(items, total, page, pageSize);
  }

  async findOne(id: number): Promise<Technology & { elementSymbols: ElementSymbol[] }> {
    const technology = await this.technologies.findOneBy({ id });
    if (!technology) throw new NotFoundException(`Technology ${id} does not exist.`);
    const elements = await this.elementsOf([id]);
    return Object.assign(technology, { elementSymbols: elements.get(id) ?? [] });
  }

  async findGrant(id: number): Promise<Grant> {
    const grant = await this.grants.findOneBy({ id });
    if (!grant) throw new NotFoundException(`Grant ${id} does not exist.`);
    return grant;
  }

  /** The technologies a grant develops, for the grant page. */
  async forGrant(grantId: number): Promise<LinkedTechnology[]> {
    const found = await this.technologies
      .createQueryBuilder('t')
      .innerJoin(GrantTechnology, 'gt', 'gt.technology_id = t.id')
      .where('gt.grant_id = :grantId', { grantId })
      .orderBy('t.name', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
    const elements = await this.elementsOf(found.map((t) => t.id));
    return found.map((t) => ({
      id: t.id,
      name: t.name,
      pathway: t.pathway,
      feedstock: t.feedstock,
      currentTrl: t.currentTrl,
      targetTrl: t.targetTrl,
      elements: elements.get(t.id) ?? [],
    }));
  }

  /** The grants that develop a technology, for its page. */
  linkedGrants(technologyId: number): Promise<LinkedGrant[]> {
    return namedQuery<LinkedGrant>(
      this.grants.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title", r.name AS "recipientName"
         FROM grant_technologies gt
         JOIN grants g ON g.id = gt.grant_id
         JOIN recipients r ON r.id = g.recipient_id
        WHERE gt.technology_id = :technologyId
        ORDER BY g.award_number`,
      { technologyId },
    );
  }

  /** Every grant, for the technology page's link form. */
  grantOptions(): Promise<Pick<Grant, 'id' | 'awardNumber' | 'title'>[]> {
    return this.grants.find({
      select: { id: true, awardNumber: true, title: true },
      order: { awardNumber: 'ASC' },
    });
  }

  /** Every technology, for the grant's link form. */
  technologyOptions(): Promise<Pick<Technology, 'id' | 'name' | 'pathway' | 'feedstock'>[]> {
    return this.technologies.find({
      select: { id: true, name: true, pathway: true, feedstock: true },
      order: { name: 'ASC', id: 'ASC' },
    });
  }

  async linkedIds(side: 'grant' | 'technology', id: number): Promise<number[]> {
    const links = await this.grants.manager.find(GrantTechnology, {
      where: side === 'grant' ? { grantId: id } : { technologyId: id },
    });
    return links.map((link) => (side === 'grant' ? link.technologyId : link.grantId));
  }

  /** A new technology and its first assessment, which sets its current TRL. */
  create(form: NewTechnologyFormDto): Promise<Technology> {
    return this.writes.transaction(async (manager) => {
      const currentTrl = Number(form.currentTrl);
      const targetTrl = Number(form.targetTrl);
      const errors = await this.checkName(manager, form.name);
      if (targetTrl < currentTrl) errors.targetTrl = this.targetBelowMessage(targetTrl, currentTrl);
      const future = this.assessments.futureDateError(form.assessedOn);
      if (future) errors.assessedOn = future;
      if (Object.keys(errors).length > 0) throw new FormError(errors);

      const technology = await this.audit.insert(manager, Technology, 'technology', {
        ...this.fields(form),
        currentTrl,
      });
      await this.replaceElements(manager, technology.id, [], form.elements);
      await this.assessments.append(manager, technology.id, {
        assessedOn: form.assessedOn,
        trl: currentTrl,
        evidence: form.evidence,
      });
      return technology;
    });
  }

  /** The catalogue fields; the current TRL changes only by recording an assessment. */
  update(id: number, version: number, form: TechnologyFormDto): Promise<Technology> {
    return this.writes.transaction(async (manager) => {
      const existing = await manager.findOneBy(Technology, { id });
      if (!existing) throw new NotFoundException(`Technology ${id} does not exist.`);
      const errors = await this.checkName(manager, form.name, id);
      const targetTrl = Number(form.targetTrl);
      // A later assessment may pass the target; saving the description must not force a new target.
      if (targetTrl < existing.currentTrl && targetTrl !== existing.targetTrl) {
        errors.targetTrl = this.targetBelowMessage(targetTrl, existing.currentTrl);
      }
      if (Object.keys(errors).length > 0) throw new FormError(errors);

      await this.audit.update(manager, Technology, 'technology', id, this.fields(form), {
        expectedVersion: version,
      });
      const before = (await manager.findBy(TechnologyElement, { technologyId: id })).map(
        (e) => e.element,
      );
      await this.replaceElements(manager, id, before, form.elements);
      return manager.findOneByOrFail(Technology, { id });
    });
  }

  toFormValues(technology: Technology & { elementSymbols: ElementSymbol[] }) {
    return {
      name: technology.name,
      pathway: technology.pathway,
      feedstock: technology.feedstock,
      elements: technology.elementSymbols,
      elementsText: technology.elementSymbols.join(', '),
      targetTrl: String(technology.targetTrl),
      description: technology.description,
      version: technology.version,
    };
  }

  /** Replaces the grants a technology is linked to, all or nothing. */
  setGrantsOf(technologyId: number, grantIds: string[]): Promise<number> {
    return this.writes.transaction(async (manager) => {
      if (!(await manager.existsBy(Technology, { id: technologyId }))) {
        throw new NotFoundException(`Technology ${technologyId} does not exist.`);
      }
      const wanted = await this.existingIds(manager, Grant, grantIds, 'grantIds', 'Grant');
      const current = await this.linkedIds('technology', technologyId);
      await this.relink(
        manager,
        wanted.filter((id) => !current.includes(id)).map((grantId) => ({ grantId, technologyId })),
        current.filter((id) => !wanted.includes(id)).map((grantId) => ({ grantId, technologyId })),
      );
      return wanted.length;
    });
  }

  /** Replaces the technologies a grant is linked to, all or nothing. */
  setTechnologiesOf(grantId: number, technologyIds: string[]): Promise<number> {
    return this.writes.transaction(async (manager) => {
      if (!(await manager.existsBy(Grant, { id: grantId }))) {
        throw new NotFoundException(`Grant ${grantId} does not exist.`);
      }
      const wanted = await this.existingIds(
        manager,
        Technology,
        technologyIds,
        'technologyIds',
        'Technology',
      );
      const current = await this.linkedIds('grant', grantId);
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
          grants: { before: list(before.ofTechnology(id)), after: list(after.ofTechnology(id)) },
        },
      });
    }
    for (const id of grantIds) {
      await this.audit.record(manager, {
        action: 'technology_links',
        entityType: 'grant',
        entityId: id,
        changes: {
          technologies: { before: list(before.ofGrant(id)), after: list(after.ofGrant(id)) },
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

  private async replaceElements(
    manager: EntityManager,
    technologyId: number,
    before: string[],
    wanted: string[],
  ): Promise<void> {
    const was = sortElements(before);
    const now = sortElements(wanted);
    if (was.join() === now.join()) return;
    const gone = was.filter((e) => !now.includes(e));
    const added = now.filter((e) => !was.includes(e));
    if (gone.length > 0) {
      await manager.delete(TechnologyElement, { technologyId, element: In(gone) });
    }
    if (added.length > 0) {
      await manager.insert(
        TechnologyElement,
        added.map((element) => ({ technologyId, element })),
      );
    }
    await this.audit.record(manager, {
      action: 'set_elements',
      entityType: 'technology',
      entityId: technologyId,
      changes: { elements: { before: list(was), after: list(now) } },
    });
  }

  private async elementsOf(ids: number[]): Promise<Map<number, ElementSymbol[]>> {
    const byTechnology = new Map<number, ElementSymbol[]>();
    if (ids.length === 0) return byTechnology;
    const rows = await this.technologies.manager.find(TechnologyElement, {
      where: { technologyId: In(ids) },
    });
    for (const id of ids) {
      byTechnology.set(
        id,
        sortElements(rows.filter((row) => row.technologyId === id).map((row) => row.element)),
      );
    }
    return byTechnology;
  }

  /** Names are unique whatever their case: "Ionic liquid SX" and "ionic liquid sx" are one. */
  private async checkName(
    manager: EntityManager,
    name: string,
    ownId?: number,
  ): Promise<FieldErrors> {
    const duplicate = await manager
      .createQueryBuilder(Technology, 't')
      .where('LOWER(t.name) = LOWER(:name)', { name })
      .getOne();
    return duplicate && duplicate.id !== ownId
      ? { name: `“${duplicate.name}” is already in the catalogue; choose another name.` }
      : {};
  }

  private targetBelowMessage(target: number, current: number): string {
    return `The target TRL (${target}) cannot be below the current TRL (${current}).`;
  }

  private fields(form: TechnologyFormDto) {
    return {
      name: form.name,
      pathway: form.pathway,
      feedstock: form.feedstock,
      targetTrl: Number(form.targetTrl),
      description: form.description ?? '',
    };
  }
}
