import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { containsText, likePattern } from '../common/database/like-pattern';
import { WritePath } from '../common/database/write-path';
import { FieldErrors, FormError } from '../common/forms';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { NewTechnologyFormDto, TechnologyFormDto } from './dto/technology-form.dto';
import { TechnologyListQueryDto } from './dto/technology-list-query.dto';
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

/** Elements in the catalogue's order (Sc, Y, La … Lu, then the others), each once. */
export const sortElements = (elements: readonly string[]): ElementSymbol[] =>
  ELEMENT_SYMBOLS.filter((symbol) => elements.includes(symbol));

/** Labels as one audit value, `A, B`; null for none. */
export const auditList = (labels: string[]): string | null =>
  labels.length ? labels.join(', ') : null;

@Injectable()
export class TechnologiesService {
  constructor(
    @InjectRepository(Technology) private readonly technologies: Repository<Technology>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly assessments: TrlAssessmentsService,
  ) {}

  async list(query: TechnologyListQueryDto, pageSize = PAGE_SIZE): Promise<Page<TechnologyRow>> {
    const page = query.page ?? 1;
    const base = this.technologies.createQueryBuilder('t');
    if (query.q) base.andWhere(containsText('t.name'), { q: likePattern(query.q) });
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
    const items = (await this.rowsOf(entities)).map((row, i) => ({
      ...row,
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

  /** Every technology, for the grant's link form. */
  technologyOptions(): Promise<Pick<Technology, 'id' | 'name' | 'pathway' | 'feedstock'>[]> {
    return this.technologies.find({
      select: { id: true, name: true, pathway: true, feedstock: true },
      order: { name: 'ASC', id: 'ASC' },
    });
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
      changes: { elements: { before: auditList(was), after: auditList(now) } },
    });
  }

  /** Technologies as the list and the grant page show them, each with its elements. */
  async rowsOf(found: Technology[]): Promise<Omit<TechnologyRow, 'grantCount'>[]> {
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
