import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/*
 * The ledger's count and sum per grant and share, kept by the database as entries are inserted
 * (the ledger is append-only: its triggers refuse UPDATE and DELETE, so an insert is the only
 * change). The ledger list's totals read these few rows instead of summing a million entries.
 */
const UPSERT = `INSERT INTO ledger_totals (grant_id, share, entry_count, amount_cents)
  VALUES (NEW.grant_id, NEW.share, 1, NEW.amount_cents)
  ON CONFLICT (grant_id, share) DO UPDATE
  SET entry_count = ledger_totals.entry_count + 1,
      amount_cents = ledger_totals.amount_cents + excluded.amount_cents`;

export class LedgerTotals1764835200000 implements MigrationInterface {
  name = 'LedgerTotals1764835200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ledger_totals',
        columns: [
          { name: 'grant_id', type: 'integer', isPrimary: true },
          { name: 'share', type: 'varchar', isPrimary: true },
          { name: 'entry_count', type: 'integer' },
          { name: 'amount_cents', type: 'bigint' },
        ],
        foreignKeys: [
          {
            columnNames: ['grant_id'],
            referencedTableName: 'grants',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO ledger_totals (grant_id, share, entry_count, amount_cents)
       SELECT e.grant_id, e.share, COUNT(*), SUM(e.amount_cents) FROM expenditures e
        GROUP BY e.grant_id, e.share`,
    );
    if (this.isPostgres(queryRunner)) {
      await queryRunner.query(
        `CREATE FUNCTION expenditures_count() RETURNS trigger AS $$ BEGIN ${UPSERT}; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await queryRunner.query(
        'CREATE TRIGGER expenditures_totals AFTER INSERT ON expenditures FOR EACH ROW EXECUTE FUNCTION expenditures_count()',
      );
    } else {
      await queryRunner.query(
        `CREATE TRIGGER expenditures_totals AFTER INSERT ON expenditures BEGIN ${UPSERT}; END`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = this.isPostgres(queryRunner);
    await queryRunner.query(
      `DROP TRIGGER expenditures_totals${postgres ? ' ON expenditures' : ''}`,
    );
    if (postgres) await queryRunner.query('DROP FUNCTION expenditures_count()');
    await queryRunner.dropTable('ledger_totals');
  }

  private isPostgres(queryRunner: QueryRunner): boolean {
    return queryRunner.connection.options.type === 'postgres';
  }
}
