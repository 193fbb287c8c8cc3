import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { centsTransformer } from '../common/database/columns';

/**
 * A committed import: one row per previewed file, written in the same transaction as its entries.
 * The preview's one-time token and the file's SHA-256 are unique, so a preview is committed at most
 * once and the same file is never imported twice, however many commits arrive at once.
 */
@Entity('ledger_imports')
@Unique(['token'])
@Unique(['sha256'])
export class LedgerImport {
  @PrimaryGeneratedColumn()
  id: number;

  /** The nonce of the preview's signed commit token. */
  @Column('varchar')
  token: string;

  @Column('varchar')
  sha256: string;

  @Column('varchar')
  fileName: string;

  @Column('integer')
  rowCount: number;

  @Column('bigint', { transformer: centsTransformer })
  totalCents: number;

  @Column('integer')
  firstEntryId: number;

  @Column('integer')
  lastEntryId: number;

  /** Email of who committed it, and when (UTC ISO-8601). */
  @Column('varchar')
  committedBy: string;

  @Column('varchar')
  committedAt: string;
}
