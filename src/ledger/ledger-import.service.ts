import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CsvError, parse } from 'csv-parse/sync';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { nowIso } from '../common/database/columns';
import { formatTimestamp } from '../common/dates';
import { namedQuery } from '../common/database/named-query';
import { lockRows, WritePath } from '../common/database/write-path';
import { FieldErrors, validateForm } from '../common/forms';
import { parseMoney } from '../common/money';
import { currentActor } from '../common/request-context';
import { SigningKey } from '../common/signing-key';
import { ExpenditureFormDto } from './dto/expenditure-form.dto';
import { Expenditure } from './expenditure.entity';
import { LedgerBatch } from './ledger-checks';
import { LedgerImport } from './ledger-import.entity';
import {
  ACCEPTED_DATE_FORMS,
  CATEGORY_CHOICES,
  importCategory,
  importDate,
  importShare,
} from './import-values';
import { EntryInput, LedgerService } from './ledger.service';

/** The import file's columns (docs/ledger-import.md), and the form field each one fills. */
export const IMPORT_COLUMNS = {
  award_number: 'grantId',
  budget_period: 'budgetPeriod',
  category: 'category',
  incurred_on: 'incurredOn',
  amount: 'amount',
  share: 'share',
  reference: 'reference',
  memo: 'memo',
} as const;
export type ImportColumn = keyof typeof IMPORT_COLUMNS;
const COLUMN_NAMES = Object.keys(IMPORT_COLUMNS) as ImportColumn[];
const COLUMN_OF_FIELD = Object.fromEntries(
  COLUMN_NAMES.map((column) => [IMPORT_COLUMNS[column], column]),
) as Record<string, ImportColumn>;

export const MAX_IMPORT_ROWS = 5000;

/** The file as uploaded, or as the preview's commit form sends it back. */
export interface ImportFile {
  name: string;
  bytes: Buffer;
}

export interface ImportRowError {
  column: ImportColumn | 'row';
  message: string;
}

export interface ImportRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  values: Record<ImportColumn, string>;
  /** Null when the amount is not a dollar amount. */
  amountCents: number | null;
  errors: ImportRowError[];
}

export interface ImportGrantTotal {
  awardNumber: string;
  known: boolean;
  rows: number;
  federalCents: number;
  costShareCents: number;
}

export interface ImportPreview {
  fileName: string;
  sha256: string;
  /** The file itself, base64: the preview's commit form carries it back, so the server keeps nothing. */
  base64: string;
  rows: ImportRow[];
  okCount: number;
  errorCount: number;
  ok: boolean;
  totals: ImportGrantTotal[];
  federalCents: number;
  costShareCents: number;
  /** The signed one-time token the commit form carries back (see commitToken). */
  token: string;
  /** When this very file was imported before: committing it again is refused. */
  alreadyImported: ImportedBefore | null;
}

/** An earlier commit of the same preview or file, told the way the refusal says it. */
export interface ImportedBefore {
  message: string;
  firstEntryId: number;
  lastEntryId: number;
}

/** Whether committing a file waits for approval, and what a request for it would say. */
export interface ImportApproval {
  needed: boolean;
  /** The grants its rows name: a request is for one. */
  grantIds: number[];
  rowCount: number;
  federalCents: number;
  costShareCents: number;
}

export interface ImportResult {
  count: number;
  totalCents: number;
  sha256: string;
  firstId: number | null;
}

/** The whole file is refused (not CSV, no header, too many rows…): shown next to the file field. */
export class ImportFileError extends Error {}

/** The preview, or the same file, was committed already: nothing is written a second time. */
export class AlreadyImportedError extends Error {
  constructor(readonly before: ImportedBefore) {
    super(before.message);
  }
}

/** How long a preview may wait for its commit. */
export const PREVIEW_VALID_MS = 24 * 60 * 60_000;

/** Some rows fail the rules: nothing is written; the preview shows why. */
export class ImportRejectedError extends Error {
  constructor(readonly preview: ImportPreview) {
    super(
      `${preview.errorCount} row(s) of ${preview.fileName} failed the checks; nothing was written.`,
    );
  }
}

/** A row as read from the file, before any check. */
export interface ParsedRow {
  line: number;
  values: Record<ImportColumn, string>;
  /** Set when the row has more or fewer values than the header has columns. */
  shapeError: string | null;
}

interface CheckedRow extends ImportRow {
  entry: EntryInput | null;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function importedBefore(earlier: LedgerImport, what: 'preview' | 'file'): ImportedBefore {
  const when = formatTimestamp(earlier.committedAt);
  const entries =
    earlier.firstEntryId === earlier.lastEntryId
      ? `entry ${earlier.firstEntryId}`
      : `entries ${earlier.firstEntryId}–${earlier.lastEntryId}`;
  const subject =
    what === 'preview'
      ? `This preview of ${earlier.fileName} was already committed`
      : `This file (${earlier.fileName}, the same SHA-256) was already imported`;
  return {
    message: `${subject} by ${earlier.committedBy} on ${when}: ${earlier.rowCount} ${earlier.rowCount === 1 ? 'row' : 'rows'}, ${entries}. Nothing was written again.`,
    firstEntryId: earlier.firstEntryId,
    lastEntryId: earlier.lastEntryId,
  };
}

/**
 * CSV import of expenditures. The preview and the commit run the same checks (LedgerService.checkEntry,
 * the form's rules) over the whole file, rows earlier in the file counting toward the obligation limit
 * of later ones; the commit repeats them inside its one write transaction and writes every row or none.
 */
@Injectable()
export class LedgerImportService {
  constructor(
    @InjectRepository(Expenditure) private readonly entries: Repository<Expenditure>,
    private readonly ledger: LedgerService,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly key: SigningKey,
  ) {}

  /** Checks every row; writes nothing. */
  async preview(file: ImportFile): Promise<ImportPreview> {
    const rows = parseImportFile(file);
    const preview = this.summarise(file, await this.check(this.entries.manager, rows));
    const earlier = await this.entries.manager.findOneBy(LedgerImport, { sha256: preview.sha256 });
    if (earlier) return { ...preview, ok: false, alreadyImported: importedBefore(earlier, 'file') };
    return { ...preview, token: this.commitToken(preview.sha256) };
  }

  /**
   * The commit form's token: a fresh nonce, the file's SHA-256, who previewed it and when, signed with
   * the app's key. Only a preview made by this app can be committed, only by the person who made it,
   * within a day, and only once: the nonce is stored (unique) in the commit's own transaction.
   */
  private commitToken(sha256: string, now = Date.now()): string {
    const claims = [randomBytes(16).toString('hex'), sha256, String(currentActor().id ?? ''), now];
    const text = claims.join('.');
    return `${text}.${this.key.sign('import', text)}`;
  }

  /** The token's nonce when it is one of ours, for this file and this user, and not expired. */
  private nonceOf(token: string, sha256: string, now = Date.now()): string | null {
    const [nonce, tokenSha, userId, issuedAt, signature] = token.split('.');
    const text = [nonce, tokenSha, userId, issuedAt].join('.');
    const valid =
      signature !== undefined &&
      this.key.verify('import', text, signature) &&
      tokenSha === sha256 &&
      userId === String(currentActor().id ?? '') &&
      now - Number(issuedAt) < PREVIEW_VALID_MS;
    return valid ? nonce : null;
  }

  /**
   * Re-reads the previewed file (its SHA-256 must match what the preview showed), re-checks every row
   * inside one write transaction and writes them all, each with its audit event, plus one `import`
   * event; or, when any row fails, throws ImportRejectedError and writes nothing.
   */
  commit(file: ImportFile, expectedSha256: string, token: string): Promise<ImportResult> {
    const { sha256, nonce } = this.verified(file, expectedSha256, token);
    return this.write(file, sha256, nonce, false);
  }

  /**
   * The file's SHA-256 (it must be the one the preview showed) and the commit token's nonce, or null
   * when the token is not this user's, for this file, from the last 24 hours.
   */
  verified(
    file: ImportFile,
    expectedSha256: string,
    token: string,
  ): { sha256: string; nonce: string | null } {
    const sha256 = sha256Of(file.bytes);
    if (sha256 !== expectedSha256.trim().toLowerCase()) {
      throw new ImportFileError(
        'The file sent for commit is not the file that was previewed (its SHA-256 differs). Nothing was written: upload the file again and check the new preview.',
      );
    }
    return { sha256, nonce: this.nonceOf(token, sha256) };
  }

  /**
   * Whether committing the file waits for an approving official: its rows total more than
   * APPROVAL_THRESHOLD (federal and cost share together). Also the grants it names, since such a
   * request belongs to one grant.
   */
  async approvalNeeded(file: ImportFile): Promise<ImportApproval> {
    const rows = parseImportFile(file);
    const preview = this.summarise(file, await this.check(this.entries.manager, rows));
    return {
      // A file with failing rows is never filed: committing it shows the rows, whatever its total.
      needed:
        preview.ok && this.ledger.needsApproval(preview.federalCents + preview.costShareCents),
      grantIds: await this.grantIdsNamed(this.entries.manager, rows),
      rowCount: preview.rows.length,
      federalCents: preview.federalCents,
      costShareCents: preview.costShareCents,
    };
  }

  /** Writes the file of an approved import request, under the nonce of the requester's preview. */
  commitApproved(file: ImportFile, sha256: string, nonce: string): Promise<ImportResult> {
    if (sha256Of(file.bytes) !== sha256) {
      throw new ImportFileError('The requested file is damaged (its SHA-256 differs).');
    }
    return this.write(file, sha256, nonce, true);
  }

  /** A preview's nonce not yet used, for a file not yet imported: else AlreadyImportedError. */
  async unused(
    sha256: string,
    nonce: string,
    manager: EntityManager = this.entries.manager,
  ): Promise<void> {
    const sameToken = await manager.findOneBy(LedgerImport, { token: nonce });
    if (sameToken) throw new AlreadyImportedError(importedBefore(sameToken, 'preview'));
    const sameFile = await manager.findOneBy(LedgerImport, { sha256 });
    if (sameFile) throw new AlreadyImportedError(importedBefore(sameFile, 'file'));
  }

  /**
   * Re-checks every row inside one write transaction and writes them all, or nothing. Above
   * APPROVAL_THRESHOLD only when `approved` (the import's request was approved).
   */
  private write(
    file: ImportFile,
    sha256: string,
    nonce: string | null,
    approved: boolean,
  ): Promise<ImportResult> {
    const rows = parseImportFile(file);
    return this.writes.transaction(async (manager) => {
      // Every grant the file names, so no entry recorded meanwhile slips past its obligations.
      await lockRows(manager, 'grants', await this.grantIdsNamed(manager, rows));
      if (nonce) await this.unused(sha256, nonce, manager);
      const checked = await this.check(manager, rows);
      const preview = this.summarise(file, checked);
      // Rows that fail are shown whatever sent them; rows that pass are written only from a preview.
      if (!preview.ok) throw new ImportRejectedError(preview);
      if (!nonce) {
        throw new ImportFileError(
          'This commit does not come from a preview of this file made by you in the last 24 hours. Nothing was written: upload the file again and commit from its preview.',
        );
      }
      if (!approved && this.ledger.needsApproval(preview.federalCents + preview.costShareCents)) {
        throw new ImportFileError(
          'This file totals more than the approval threshold: it is imported once an approving official approves it. Nothing was written: send it for approval from its preview.',
        );
      }
      let firstId: number | null = null;
      let lastId = 0;
      for (const row of checked) {
        const saved = await this.ledger.insert(manager, row.entry!);
        firstId ??= saved.id;
        lastId = saved.id;
      }
      const totalCents = preview.federalCents + preview.costShareCents;
      // The unique token and SHA-256 refuse a second commit even if two arrive at the same moment.
      await manager.insert(LedgerImport, {
        token: nonce,
        sha256,
        fileName: file.name,
        rowCount: checked.length,
        totalCents,
        firstEntryId: firstId ?? 0,
        lastEntryId: lastId,
        committedBy: currentActor().email,
        committedAt: nowIso(),
      });
      await this.audit.record(manager, {
        action: 'import',
        entityType: 'ledger_import',
        entityId: null,
        changes: {
          file: { before: null, after: file.name },
          rows: { before: null, after: checked.length },
          totalCents: { before: null, after: totalCents },
          federalCents: { before: null, after: preview.federalCents },
          costShareCents: { before: null, after: preview.costShareCents },
          sha256: { before: null, after: sha256 },
        },
      });
      return { count: checked.length, totalCents, sha256, firstId };
    });
  }

  /** The ids of the grants whose award numbers the file's rows give (in any case). */
  private async grantIdsNamed(manager: EntityManager, rows: ParsedRow[]): Promise<number[]> {
    const awards = [...new Set(rows.map((row) => (row.values.award_number ?? '').toUpperCase()))];
    if (awards.length === 0) return [];
    const found = await namedQuery<{ id: number }>(
      manager,
      'SELECT id AS "id" FROM grants WHERE UPPER(award_number) IN (:...awards)',
      { awards },
    );
    return found.map((g) => Number(g.id));
  }

  private async check(manager: EntityManager, rows: ParsedRow[]): Promise<CheckedRow[]> {
    const batch = this.ledger.batch(manager);
    const checked: CheckedRow[] = [];
    for (const row of rows) checked.push(await this.checkRow(batch, row));
    return checked;
  }

  /** One row through the form's validation and rules; errors keyed by the file's column names. */
  private async checkRow(batch: LedgerBatch, parsed: ParsedRow): Promise<CheckedRow> {
    const { shapeError, ...row } = parsed;
    const money = parseMoney(row.values.amount);
    const amountCents = money.ok ? money.cents : null;
    if (shapeError) {
      return { ...row, amountCents, errors: [{ column: 'row', message: shapeError }], entry: null };
    }
    const errors: FieldErrors = {};
    const award = row.values.award_number;
    const grant = award === '' ? null : await batch.grantByAward(award);
    if (award === '') errors.grantId = 'Enter the award number.';
    else if (!grant) errors.grantId = `No grant has the award number ${award}.`;

    // The row as the form would send it, so it meets the form's own validation.
    const form: Record<string, string> = {};
    for (const column of COLUMN_NAMES) form[IMPORT_COLUMNS[column]] = row.values[column];
    form.grantId = grant ? String(grant.id) : '';
    form.category = importCategory(form.category);
    form.share = importShare(form.share);
    form.incurredOn = importDate(form.incurredOn);
    const { value, errors: formatErrors } = await validateForm(ExpenditureFormDto, form);
    for (const [field, message] of Object.entries(formatErrors)) errors[field] ??= message;
    if (formatErrors.incurredOn) {
      errors.incurredOn = `“${row.values.incurred_on}” is not a date this import reads: use ${ACCEPTED_DATE_FORMS}.`;
    }
    if (formatErrors.category) {
      errors.category = `“${row.values.category}” is not a cost category: use one of ${CATEGORY_CHOICES.map((c) => c.label).join(', ')}.`;
    }
    if (formatErrors.share) {
      errors.share = `“${row.values.share}” is not a share: use Federal or Cost share.`;
    }

    let entry: EntryInput | null = null;
    if (Object.keys(errors).length === 0) {
      entry = LedgerService.toEntry(value);
      Object.assign(errors, await this.ledger.checkEntry(batch, entry));
    }
    const rowErrors = Object.entries(errors).map(([field, message]) => ({
      column: COLUMN_OF_FIELD[field] ?? ('row' as const),
      message,
    }));
    return { ...row, amountCents, errors: rowErrors, entry: rowErrors.length ? null : entry };
  }

  private summarise(file: ImportFile, rows: CheckedRow[]): ImportPreview {
    const totals = new Map<string, ImportGrantTotal>();
    let federalCents = 0;
    let costShareCents = 0;
    for (const row of rows) {
      if (row.amountCents === null) continue;
      const awardNumber = row.values.award_number.toUpperCase();
      const known = !row.errors.some((e) => e.column === 'award_number');
      const total = totals.get(awardNumber) ?? {
        awardNumber,
        known,
        rows: 0,
        federalCents: 0,
        costShareCents: 0,
      };
      total.rows += 1;
      if (row.values.share === 'federal') {
        total.federalCents += row.amountCents;
        federalCents += row.amountCents;
      } else if (row.values.share === 'cost_share') {
        total.costShareCents += row.amountCents;
        costShareCents += row.amountCents;
      }
      totals.set(awardNumber, total);
    }
    const errorCount = rows.filter((row) => row.errors.length > 0).length;
    return {
      fileName: file.name,
      sha256: sha256Of(file.bytes),
      base64: file.bytes.toString('base64'),
      // Only a preview hands out a commit token (see preview()); a refused commit shows none.
      token: '',
      alreadyImported: null,
      rows: rows.map(({ entry: _entry, ...row }) => row),
      okCount: rows.length - errorCount,
      errorCount,
      ok: errorCount === 0,
      totals: [...totals.values()].sort((a, b) => a.awardNumber.localeCompare(b.awardNumber)),
      federalCents,
      costShareCents,
    };
  }
}

/**
 * Reads the file's rows: UTF-8 (a BOM is fine), a header row naming the eight columns in any order,
 * one record per row. Throws ImportFileError for anything that is not such a file.
 */
export function parseImportFile(file: ImportFile): ParsedRow[] {
  if (!/\.csv$/i.test(file.name)) {
    throw new ImportFileError(
      `${file.name || 'The file'} is not a .csv file. Export the sheet as CSV (UTF-8) and upload that.`,
    );
  }
  if (file.bytes.length === 0) throw new ImportFileError('The file is empty.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    throw new ImportFileError(
      'The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.',
    );
  }
  if (text.includes('\u0000')) {
    throw new ImportFileError('The file contains binary data; it is not a CSV file.');
  }

  let records: { record: string[]; info: { bytes: number } }[];
  try {
    // With `info`, each record comes with where it ends; csv-parse's typings do not say so.
    records = parse(file.bytes, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      throw new ImportFileError(`The file could not be read as CSV: ${error.message}`);
    }
    throw error;
  }
  if (records.length === 0) throw new ImportFileError('The file is empty.');

  const header = records[0].record.map((name) => name.trim().toLowerCase());
  const missing = COLUMN_NAMES.filter((column) => !header.includes(column));
  const unknown = header.filter((name) => !(name in IMPORT_COLUMNS));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
    const problems = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unknown.length ? `unknown ${unknown.map((n) => `“${n}”`).join(', ')}` : '',
      repeated.length ? `repeated ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    throw new ImportFileError(
      `The first row must name the columns ${COLUMN_NAMES.join(', ')} (any order): ${problems.join('; ')}.`,
    );
  }
  const dataRows = records.length - 1;
  if (dataRows === 0) throw new ImportFileError('The file has a header row but no entries.');
  if (dataRows > MAX_IMPORT_ROWS) {
    throw new ImportFileError(
      `The file has ${dataRows.toLocaleString('en-US')} rows; import at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} at a time.`,
    );
  }

  const lines = startLines(file.bytes, records);
  return records.slice(1).map(({ record }, i) => {
    const values = Object.fromEntries(
      COLUMN_NAMES.map((column) => [column, (record[header.indexOf(column)] ?? '').trim()]),
    ) as Record<ImportColumn, string>;
    const shapeError =
      record.length === header.length
        ? null
        : `This row has ${record.length} value${record.length === 1 ? '' : 's'}; the header names ${header.length} columns. Check for a missing or extra comma (a value containing a comma must be in double quotes).`;
    return { line: lines[i + 1], values, shapeError };
  });
}

/** The line each record starts on: counted from the byte offset where the previous record ended. */
function startLines(bytes: Buffer, records: { info: { bytes: number } }[]): number[] {
  let line = 1;
  let offset = 0;
  return records.map(({ info }) => {
    // Skip the line breaks (and blank lines) between the previous record and this one.
    while (offset < bytes.length && (bytes[offset] === 0x0a || bytes[offset] === 0x0d)) {
      if (bytes[offset] === 0x0a) line += 1;
      offset += 1;
    }
    const start = line;
    for (let i = offset; i < info.bytes; i++) if (bytes[i] === 0x0a) line += 1;
    offset = info.bytes;
    return start;
  });
}
