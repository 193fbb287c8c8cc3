import { formatDate } from '../common/dates';
import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import { FilterQuery } from '../common/http/filter-query';
import { AsOfQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import type { Response } from 'express';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { AuditService } from '../audit/audit.service';
import { expectedContentVersion, expectedVersion, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { pageLinks } from '../common/pagination';
import { GrantLookup } from '../grants/grant-lookup';
import { AssessmentFormDto } from './dto/assessment-form.dto';
import { GrantLinksFormDto } from './dto/links-form.dto';
import { NewTechnologyFormDto, TechnologyFormDto } from './dto/technology-form.dto';
import { TechnologyListQueryDto } from './dto/technology-list-query.dto';
import { GrantTechnologiesService } from './grant-technologies.service';
import { PortfolioService } from './portfolio.service';
import { TechnologiesService } from './technologies.service';
import {
  ELEMENT_SYMBOLS,
  ELEMENTS,
  FEEDSTOCK_CODES,
  PATHWAYS,
  trlDefinition,
  TRL_LEVELS,
} from './technology.constants';
import { TrlAssessmentsService } from './trl-assessments.service';
import { tickedIds } from './ticked';

/** `4 — Component and/or system validation in a laboratory environment`, for every select. */
export const TRL_OPTIONS = TRL_LEVELS.map(({ level, definition }) => ({
  level,
  label: `${level} — ${definition}`,
}));

/** The change from the previous assessment: `+2`, `−1`, `±0`, or `first`. */
const changeLabel = (change: number | null): string =>
  change === null ? 'first' : change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '±0';

@ReadAccess()
@Controller('technologies')
export class TechnologiesController {
  constructor(
    private readonly technologies: TechnologiesService,
    private readonly links: GrantTechnologiesService,
    private readonly assessments: TrlAssessmentsService,
    private readonly portfolio: PortfolioService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
  ) {}

  @Get()
  @Render('technologies/index')
  async index(@FilterQuery() query: TechnologyListQueryDto) {
    const page = await this.technologies.list(query);
    const filters = {
      q: query.q,
      pathway: query.pathway,
      feedstock: query.feedstock,
      element: query.element,
      trl: query.trl,
    };
    return {
      pageTitle: 'Technologies',
      page,
      query,
      pathways: PATHWAYS,
      feedstocks: FEEDSTOCK_CODES,
      elements: ELEMENT_SYMBOLS.map((symbol) => ({ symbol, name: ELEMENTS[symbol] })),
      trlOptions: TRL_OPTIONS,
      pager: pageLinks('/technologies', filters, page),
    };
  }

  @Get('new')
  @ManagerAccess()
  @Render('technologies/new')
  newForm() {
    return {
      ...this.formModel('New technology', []),
      values: { assessedOn: this.clock.today() },
    };
  }

  @Post()
  @ManagerAccess()
  create(@Body() body: unknown, @Res() res: Response) {
    return submitForm(res, {
      dto: NewTechnologyFormDto,
      body,
      view: 'technologies/new',
      model: () => this.formModel('New technology', tickedIds(body, 'elements')),
      save: (form) => this.technologies.create(form),
      redirectTo: (technology) => `/technologies/${technology.id}`,
      flash: (technology) => `Technology “${technology.name}” added to the catalogue.`,
    });
  }

  // Declared before `:id` (which only takes numbers anyway).
  @Get('portfolio')
  @Render('technologies/portfolio')
  async portfolioView(@FilterQuery() query: AsOfQuery) {
    const asOf = query.asOf ?? this.clock.today();
    const portfolio = await this.portfolio.build(asOf);
    return {
      pageTitle: `Technology portfolio as of ${formatDate(asOf)}`,
      ...portfolio,
      trlGained: portfolio.trlGained.map((row) => ({
        ...row,
        gainedLabel:
          row.gained === null ? '' : row.gained > 0 ? `+${row.gained}` : String(row.gained),
      })),
    };
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('technologies/show', {
      ...(await this.showModel(id)),
      values: { assessedOn: this.clock.today() },
    });
  }

  @Get(':id/edit')
  @ManagerAccess()
  @Render('technologies/edit')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    const technology = await this.technologies.findOne(id);
    return {
      ...this.formModel(`Edit ${technology.name}`, technology.elementSymbols),
      technology,
      currentDefinition: trlDefinition(technology.currentTrl),
      values: this.technologies.toFormValues(technology),
    };
  }

  @Post(':id')
  @ManagerAccess()
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    const technology = await this.technologies.findOne(id);
    return submitForm(res, {
      dto: TechnologyFormDto,
      body,
      view: 'technologies/edit',
      model: () => ({
        ...this.formModel(`Edit ${technology.name}`, tickedIds(body, 'elements')),
        technology,
        currentDefinition: trlDefinition(technology.currentTrl),
      }),
      save: (form) => this.technologies.update(id, expectedVersion(body), form),
      current: async () => this.technologies.toFormValues(await this.technologies.findOne(id)),
      redirectTo: () => `/technologies/${id}`,
      flash: (saved) => `Technology “${saved.name}” saved.`,
    });
  }

  @Post(':id/assessments')
  @ManagerAccess()
  async assess(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.technologies.findOne(id);
    return submitForm(res, {
      dto: AssessmentFormDto,
      body,
      view: 'technologies/show',
      model: () => this.showModel(id),
      save: (form) => this.assessments.record(id, form),
      redirectTo: () => `/technologies/${id}#assessments`,
      flash: (assessment) =>
        `TRL ${assessment.trl} assessment of ${formatDate(assessment.assessedOn)} recorded.`,
    });
  }

  @Post(':id/grants')
  @ManagerAccess()
  async linkGrants(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    await this.technologies.findOne(id);
    const version = expectedContentVersion(body);
    return submitForm(res, {
      dto: GrantLinksFormDto,
      body,
      values: { assessedOn: this.clock.today() },
      view: 'technologies/show',
      model: () => this.showModel(id, tickedIds(body, 'grantIds')),
      save: (form) => this.links.setGrantsOf(id, form.grantIds, version),
      current: async () => ({ grants: await this.links.linkedGrants(id) }),
      redirectTo: () => `/technologies/${id}#grants`,
      flash: (count) => `Linked grants saved (${count}).`,
    });
  }

  private formModel(pageTitle: string, ticked: string[]) {
    return {
      pageTitle,
      pathways: PATHWAYS,
      feedstocks: FEEDSTOCK_CODES,
      elementOptions: ELEMENT_SYMBOLS.map((symbol) => ({
        symbol,
        name: ELEMENTS[symbol],
        checked: ticked.includes(symbol),
      })),
      trlOptions: TRL_OPTIONS,
    };
  }

  /** The technology page; `ticked` keeps a refused link form as it was sent. */
  private async showModel(id: number, ticked?: string[]) {
    const technology = await this.technologies.findOne(id);
    const linkedGrants = await this.links.linkedGrants(id);
    const chosen = ticked ?? linkedGrants.map((g) => String(g.id));
    const grantOptions = (await this.lookup.choices()).map((g) => ({
      ...g,
      checked: chosen.includes(String(g.id)),
    }));
    const assessments = await this.assessments.historyOf(id);
    return {
      pageTitle: technology.name,
      technology,
      elements: technology.elementSymbols.map((symbol) => ({ symbol, name: ELEMENTS[symbol] })),
      currentDefinition: trlDefinition(technology.currentTrl),
      targetDefinition: trlDefinition(technology.targetTrl),
      pastTarget: technology.currentTrl > technology.targetTrl,
      assessments: assessments.reverse().map((a) => ({ ...a, changeLabel: changeLabel(a.change) })),
      linkedGrants,
      grantOptions,
      linksVersion: await this.links.linksVersion('technology', id),
      trlOptions: TRL_OPTIONS,
      history: await this.audit.describedHistory('technology', id),
    };
  }
}
