import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  Param,
  Post,
  Query,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { AuditService } from '../audit/audit.service';
import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { Clock } from '../common/clock';
import { setFlash } from '../common/flash';
import { AppConfig, approvalThresholdCents } from '../common/config';
import { ApprovalsService } from '../approvals/approvals.service';
import { requestedFlash, requestForm } from '../approvals/request-form';
import { errorPage, FieldErrors, FormError, submitForm, validateForm } from '../common/forms';
import { FilterQuery } from '../common/http/filter-query';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { formatMoney } from '../common/money';
import { GrantLookup } from '../grants/grant-lookup';
import { ExpenditureFormDto } from './dto/expenditure-form.dto';
import {
  Cursor,
  END_CURSOR,
  formatCursor,
  LEDGER_PAGE_SIZE,
  LedgerQueryDto,
  parseCursor,
} from './dto/ledger-query.dto';
import { NewEntryQueryDto } from './dto/new-entry-query.dto';
import { ReversalFormDto } from './dto/reversal-form.dto';
import { IMPORT_MAX_BYTES } from './import-upload';
import { ACCEPTED_DATE_FORMS, CATEGORY_CHOICES, IMPORT_TEMPLATE } from './import-values';
import type { UploadRequest } from './import-upload';
import { LedgerFilter, LedgerListService, PagePosition } from './ledger-list.service';
import {
  AlreadyImportedError,
  IMPORT_COLUMNS,
  ImportApproval,
  ImportFile,
  ImportFileError,
  ImportPreview,
  ImportRejectedError,
  LedgerImportService,
  MAX_IMPORT_ROWS,
} from './ledger-import.service';
import { LedgerService } from './ledger.service';
import { ExpenditureRequests } from './expenditure-requests';
import { ImportRequests } from './import-requests';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const ExpenditureRequestDto = requestForm(ExpenditureFormDto);

/** The expenditure ledger: list, record, reverse and import. No edit and no delete, by design. */
@ReadAccess()
@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly list: LedgerListService,
    private readonly imports: LedgerImportService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly requests: ExpenditureRequests,
    private readonly importRequests: ImportRequests,
    private readonly approvals: ApprovalsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('ledger/index')
  async index(@FilterQuery() query: LedgerQueryDto) {
    const filter: LedgerFilter = {
      grantId: query.grantId,
      category: query.category,
      share: query.share,
      from: query.from,
      to: query.to,
      reference: query.reference,
      asOf: query.asOf,
    };
    const size = query.size ?? LEDGER_PAGE_SIZE;
    const page = await this.list.list(filter, this.position(query), size);
    const keep = { ...filter, size: query.size };
    const first = page.items[0];
    const last = page.items[page.items.length - 1];
    return {
      pageTitle: 'Expenditure ledger',
      page,
      query,
      grants: await this.lookup.choices(),
      categories: COST_CATEGORIES,
      shares: SHARES,
      filtered: Object.values(filter).some((value) => value !== undefined),
      downloads: downloadLinks(filter),
      pager: {
        first: page.hasPrevious ? link(keep) : undefined,
        previous:
          page.hasPrevious && first ? link(keep, { before: formatCursor(first) }) : undefined,
        next: page.hasNext && last ? link(keep, { after: formatCursor(last) }) : undefined,
        last: page.hasNext ? link(keep, { before: END_CURSOR }) : undefined,
        restart: page.items.length === 0 && page.count > 0 ? link(keep) : undefined,
      },
    };
  }

  @Get('new')
  @ManagerAccess()
  @Render('ledger/new')
  async newForm(@Query() query: NewEntryQueryDto) {
    if (query.grantId) await this.lookup.grant(query.grantId);
    const values = query.revise
      ? await this.approvals.revisionValues(query.revise, 'expenditure', query.grantId ?? 0)
      : { grantId: query.grantId, share: 'federal', incurredOn: this.clock.today() };
    return { ...(await this.formModel(query.grantId)), values };
  }

  /** Records the entry, or, above APPROVAL_THRESHOLD, files it as a request for approval. */
  @Post()
  @ManagerAccess()
  create(@Body() body: unknown, @Res() res: Response) {
    const chosen = Number((body as Record<string, unknown> | undefined)?.grantId);
    const form = {
      body,
      view: 'ledger/new',
      model: () => this.formModel(Number.isSafeInteger(chosen) && chosen > 0 ? chosen : undefined),
    };
    if (this.requests.needsApproval(body)) {
      return submitForm(res, {
        ...form,
        dto: ExpenditureRequestDto,
        save: (typed) => this.requests.submit(typed),
        redirectTo: (request) => `/approvals/${request.id}`,
        flash: requestedFlash,
      });
    }
    return submitForm(res, {
      ...form,
      dto: ExpenditureFormDto,
      save: (typed) => this.ledger.record(typed),
      redirectTo: (entry) => `/ledger/${entry.id}`,
      flash: (entry) =>
        `Entry #${entry.id} recorded: ${formatMoney(entry.amountCents)} ${entry.share === 'federal' ? 'federal' : 'cost share'}, reference ${entry.reference}.`,
    });
  }

  // Declared before ':id' so that "import" is not taken for an id.
  @Get('import')
  @ManagerAccess()
  @Render('ledger/import')
  importForm() {
    return this.importModel();
  }

  /** A file with the header row and one example row, to fill in with a spreadsheet. */
  @Get('import/template.csv')
  @ManagerAccess()
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="ledger-import-template.csv"')
  @Header('Cache-Control', 'no-store')
  importTemplate(): string {
    return IMPORT_TEMPLATE;
  }

  @Post('import')
  @ManagerAccess()
  async preview(@Req() req: UploadRequest, @Res() res: Response) {
    try {
      if (req.uploadError) throw new ImportFileError(req.uploadError);
      if (!req.file) throw new ImportFileError('Choose a CSV file to import.');
      const preview = await this.imports.preview({
        name: req.file.originalname,
        bytes: req.file.buffer,
      });
      res.status(preview.ok ? 200 : 422).render('ledger/preview', this.previewModel(preview));
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      res.status(422).render('ledger/import', { ...this.importModel(), fileError: error.message });
    }
  }

  @Post('import/commit')
  @ManagerAccess()
  async commit(@Req() req: UploadRequest, @Res() res: Response) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      if (req.uploadError) throw new ImportFileError(req.uploadError);
      const { csv, sha256, fileName, token } = body;
      if (typeof csv !== 'string' || typeof sha256 !== 'string' || typeof fileName !== 'string') {
        throw new ImportFileError(
          'The commit form is incomplete. Nothing was written: upload the file again and commit from its preview.',
        );
      }
      const encoded = csv.replace(/\s+/g, '');
      if (!BASE64.test(encoded)) {
        throw new ImportFileError(
          'The previewed file came back damaged. Nothing was written: upload the file again.',
        );
      }
      const file = { name: fileName, bytes: Buffer.from(encoded, 'base64') };
      const approval = await this.imports.approvalNeeded(file);
      if (approval.needed) {
        await this.requestImport(res, file, sha256, body, approval);
        return;
      }
      const result = await this.imports.commit(
        file,
        sha256,
        typeof token === 'string' ? token : '',
      );
      setFlash(
        res,
        `Imported ${result.count} ${result.count === 1 ? 'entry' : 'entries'} from ${fileName}, ${formatMoney(result.totalCents)} in all.`,
      );
      res.redirect(303, '/ledger');
    } catch (error) {
      if (error instanceof ImportRejectedError) {
        res.status(422).render('ledger/preview', {
          ...this.previewModel(error.preview),
          rejected: true,
        });
        return;
      }
      if (error instanceof AlreadyImportedError) {
        res.status(422).render('ledger/import', {
          ...this.importModel(),
          alreadyImported: error.before,
        });
        return;
      }
      if (!(error instanceof ImportFileError)) throw error;
      res.status(422).render('ledger/import', { ...this.importModel(), fileError: error.message });
    }
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('ledger/show', await this.showModel(id));
  }

  /**
   * The reversal form's first step: checks the reason and that the entry can be reversed, and shows
   * what the reversal will write, to confirm or cancel. Writes nothing.
   */
  @Post(':id/reverse')
  @ManagerAccess()
  async confirmReversal(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    const entry = await this.ledger.findOne(id);
    const values = body && typeof body === 'object' ? body : {};
    const { value, errors } = await validateForm(ReversalFormDto, body);
    let refused: FieldErrors = errors;
    if (Object.keys(refused).length === 0) {
      try {
        await this.ledger.checkReversible(id);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        refused = error.errors;
      }
    }
    if (Object.keys(refused).length > 0) {
      const model = await this.showModel(id);
      res.status(422).render('ledger/show', {
        ...model,
        values,
        ...errorPage(model.pageTitle, refused),
      });
      return;
    }
    res.status(200).render('ledger/reverse-confirm', {
      pageTitle: `Confirm the reversal of entry #${entry.id} — ${entry.awardNumber}`,
      entry,
      reversalCents: -entry.amountCents,
      reason: value.reason,
    });
  }

  /** The confirmation's "Reverse entry": the one route that writes a reversal (once per entry). */
  @Post(':id/reverse/confirm')
  @ManagerAccess()
  async reverse(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.ledger.findOne(id);
    return submitForm(res, {
      dto: ReversalFormDto,
      body,
      view: 'ledger/show',
      model: () => this.showModel(id),
      save: (form) => this.ledger.reverse(id, form.reason),
      redirectTo: (reversal) => `/ledger/${reversal.id}`,
      flash: (reversal) =>
        `Entry #${id} reversed by entry #${reversal.id} (${formatMoney(reversal.amountCents)}).`,
    });
  }

  private position(query: LedgerQueryDto): PagePosition {
    if (query.after && query.before) {
      throw new BadRequestException('Give after or before, not both');
    }
    const cursor = (name: string, value: string): Cursor => {
      const parsed = parseCursor(value);
      if (!parsed) {
        throw new BadRequestException(
          `${name} must be a list position with a real date (YYYY-MM-DD_id)`,
        );
      }
      return parsed;
    };
    if (query.after) return { after: cursor('after', query.after) };
    if (query.before === END_CURSOR) return { before: END_CURSOR };
    if (query.before) return { before: cursor('before', query.before) };
    return {};
  }

  private async formModel(grantId?: number) {
    // Only active grants take spending; the one the user chose stays listed whatever its status.
    const grants = await this.lookup.choices({ activeOnly: true, keep: grantId });
    const grant = grantId ? grants.find((g) => g.id === grantId) : undefined;
    const budgetPeriods = grant ? await this.lookup.budgetPeriods(grant.id) : [];
    return {
      pageTitle: 'Record an expenditure',
      grants,
      grant,
      budgetPeriods,
      categories: COST_CATEGORIES,
      shares: SHARES,
      today: this.clock.today(),
      thresholdCents: approvalThresholdCents(this.config),
    };
  }

  private async showModel(id: number) {
    const entry = await this.ledger.findOne(id);
    const related = await this.ledger.related(entry);
    const grant = await this.lookup.find(entry.grantId);
    const period = (await this.lookup.budgetPeriods(entry.grantId)).find(
      (p) => p.number === entry.budgetPeriod,
    );
    const booksOpen = grant?.status === 'active' || grant?.status === 'suspended';
    return {
      pageTitle: `Ledger entry #${entry.id} — ${entry.awardNumber}`,
      entry,
      grant,
      period,
      reversal: entry.reversedBy !== null ? related : null,
      original: entry.reversalOf !== null ? related : null,
      canReverse: entry.reversalOf === null && entry.reversedBy === null && booksOpen,
      booksClosed: !booksOpen,
      history: await this.audit.describedHistory('expenditure', id),
    };
  }

  private importModel() {
    return {
      pageTitle: 'Import expenditures',
      columns: Object.keys(IMPORT_COLUMNS),
      categories: CATEGORY_CHOICES,
      dateForms: ACCEPTED_DATE_FORMS,
      maxRows: MAX_IMPORT_ROWS,
      maxMegabytes: IMPORT_MAX_BYTES / 1024 / 1024,
    };
  }

  /**
   * A file above APPROVAL_THRESHOLD is filed as a request from its preview (ImportRequests); a
   * refusal (no justification, several grants) shows the preview again with the message.
   */
  private async requestImport(
    res: Response,
    file: ImportFile,
    sha256: string,
    body: Record<string, unknown>,
    approval: ImportApproval,
  ): Promise<void> {
    const justification = typeof body.justification === 'string' ? body.justification : '';
    const token = typeof body.token === 'string' ? body.token : '';
    try {
      const request = await this.importRequests.submit(
        file,
        sha256,
        token,
        justification,
        approval,
      );
      setFlash(res, requestedFlash(request));
      res.redirect(303, `/approvals/${request.id}`);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      res.status(422).render('ledger/preview', {
        ...this.previewModel(await this.imports.preview(file)),
        ...errorPage(`Import preview — ${file.name}`, error.errors),
        values: { justification },
      });
    }
  }

  private previewModel(preview: ImportPreview) {
    const totalCents = preview.federalCents + preview.costShareCents;
    return {
      pageTitle: `Import preview — ${preview.fileName}`,
      preview,
      columns: Object.keys(IMPORT_COLUMNS),
      totalCents,
      // Above APPROVAL_THRESHOLD the commit form files a request instead (ImportRequests).
      needsApproval: this.ledger.needsApproval(totalCents),
      thresholdCents: approvalThresholdCents(this.config),
    };
  }
}

/**
 * The /reports/ledger downloads of the entries the list shows: the same filters but reference, which
 * the report does not take (the view says so when it is set).
 */
function downloadLinks(filter: LedgerFilter) {
  const { reference: _reference, ...kept } = filter;
  void _reference;
  const query = (extra: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...kept, ...extra })) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  return {
    csv: `/reports/ledger.csv${query()}`,
    csvBom: `/reports/ledger.csv${query({ bom: '1' })}`,
    xlsx: `/reports/ledger.xlsx${query()}`,
    manifest: `/reports/ledger.manifest.json${query()}`,
    withoutReference: Boolean(filter.reference),
  };
}

/** A list link that keeps the filters and page size, plus a position. */
function link(
  filters: Record<string, string | number | undefined>,
  position: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...position })) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `/ledger?${query}` : '/ledger';
}
