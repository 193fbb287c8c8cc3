import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApprovalRequest } from '../approvals/approval-request.entity';
import { ApprovalsService } from '../approvals/approvals.service';
import {
  RequestChange,
  RequestedAction,
  RequestKind,
  RequestKinds,
} from '../approvals/request-kinds';
import { FormError } from '../common/forms';
import { formatMoney } from '../common/money';
import { GrantLookup } from '../grants/grant-lookup';
import {
  AlreadyImportedError,
  ImportFile,
  ImportApproval,
  ImportFileError,
  ImportRejectedError,
  LedgerImportService,
} from './ledger-import.service';
import { LedgerService } from './ledger.service';

/** What an import request keeps: the previewed file itself and its preview's one-time nonce. */
interface ImportPayload {
  fileName: string;
  /** The file, base64. */
  csv: string;
  sha256: string;
  nonce: string;
}

/**
 * An import whose rows total more than APPROVAL_THRESHOLD is a request: the previewed file is kept
 * with the request, and LedgerImportService writes it (every row checked again, all or nothing) when
 * an approving official approves it. Such a request is for one grant, so that it appears in that
 * grant's queue and page; a larger file naming several grants is split by award number first.
 */
@Injectable()
export class ImportRequests implements RequestKind, OnModuleInit {
  readonly name = 'import' as const;
  readonly label = 'Ledger import';

  constructor(
    private readonly kinds: RequestKinds,
    private readonly approvals: ApprovalsService,
    private readonly imports: LedgerImportService,
    private readonly ledger: LedgerService,
    private readonly lookup: GrantLookup,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /**
   * Files the previewed file as a request. Throws ImportFileError when it is not the previewed file or
   * not this user's preview, AlreadyImportedError when it was imported already, and FormError (the
   * justification's field) when there is no justification or the file names several grants.
   */
  async submit(
    file: ImportFile,
    expectedSha256: string,
    token: string,
    justification: string,
    approval: ImportApproval,
  ): Promise<ApprovalRequest> {
    const { grantIds, rowCount, federalCents, costShareCents } = approval;
    const { sha256, nonce } = this.imports.verified(file, expectedSha256, token);
    if (!nonce) {
      throw new ImportFileError(
        'This request does not come from a preview of this file made by you in the last 24 hours. Nothing was sent: upload the file again and send it from its preview.',
      );
    }
    await this.imports.unused(sha256, nonce);
    if (grantIds.length !== 1) {
      throw new FormError({
        justification:
          'A file above the approval threshold is approved grant by grant: split it into one file per award number and send each for approval.',
      });
    }
    if (justification.trim() === '') {
      throw new FormError({
        justification: 'Say why this is needed: the approving official reads it before deciding.',
      });
    }
    const payload: ImportPayload = {
      fileName: file.name,
      csv: file.bytes.toString('base64'),
      sha256,
      nonce,
    };
    const total = federalCents + costShareCents;
    return this.approvals.submit({
      kind: this.name,
      grantId: grantIds[0],
      payload: { ...payload },
      summary: `Import of ${rowCount} ${rowCount === 1 ? 'entry' : 'entries'} from ${file.name}, ${formatMoney(total)} in all (federal ${formatMoney(federalCents)}, cost share ${formatMoney(costShareCents)})`,
      amountCents: total,
      justification: justification.trim(),
    });
  }

  async apply(action: RequestedAction) {
    const payload = action.payload as unknown as ImportPayload;
    try {
      const result = await this.imports.commitApproved(
        this.fileOf(payload),
        payload.sha256,
        payload.nonce,
      );
      return { type: 'expenditure', id: result.firstId ?? 0 };
    } catch (error) {
      if (error instanceof ImportRejectedError) {
        const lines = error.preview.rows
          .filter((row) => row.errors.length > 0)
          .slice(0, 5)
          .map((row) => `line ${row.line}: ${row.errors.map((e) => e.message).join(' ')}`);
        throw new FormError({
          rows: `${error.preview.errorCount} of its rows fail the ledger's rules now (${lines.join('; ')}).`,
        });
      }
      if (error instanceof AlreadyImportedError || error instanceof ImportFileError) {
        throw new FormError({ rows: error.message });
      }
      throw error;
    }
  }

  async changes(action: RequestedAction): Promise<RequestChange[]> {
    const payload = action.payload as unknown as ImportPayload;
    const preview = await this.imports.preview(this.fileOf(payload));
    const spent = await this.ledger.spentFor(action.grantId);
    const grant = await this.lookup.grant(action.grantId);
    return [
      {
        label: `Federal spending on ${grant.awardNumber}`,
        before: formatMoney(spent.federalCents),
        after: formatMoney(spent.federalCents + preview.federalCents),
      },
      {
        label: `Cost share met on ${grant.awardNumber}`,
        before: formatMoney(spent.costShareCents),
        after: formatMoney(spent.costShareCents + preview.costShareCents),
      },
      {
        label: `Ledger entries from ${payload.fileName}`,
        before: '0',
        after: String(preview.rows.length),
      },
    ];
  }

  /** An import is revised by uploading a corrected file: the import page. */
  revisePath(): string {
    return '/ledger/import';
  }

  resultPath(): string {
    return '/ledger';
  }

  private fileOf(payload: ImportPayload): ImportFile {
    return { name: payload.fileName, bytes: Buffer.from(payload.csv, 'base64') };
  }
}
