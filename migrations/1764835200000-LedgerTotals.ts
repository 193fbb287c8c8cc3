import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Each grant's running ledger count and total per share, kept by the database on every new entry
 * (the ledger is append-only: its triggers refuse UPDATE and DELETE, so an insert is the only
 * change), with the latest date incurred and recorded. A page as of a date on or after both reads
 * the total instead of summing the grant's entries (ledgerSpentSql in src/common/as-of.ts), and the
 * ledger list's unfiltered totals read these rows (LedgerListService): at a million entries the sum
 * is 110–150 ms of SQLite CPU; the totals are a few thousand rows.
 */
export class LedgerTotals1764835200000 implements MigrationInterface {
  name = 'LedgerTotals1764835200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'ledger_totals',
        columns: [
          { name: 'grant_id', type: 'integer', isPrimary: true },
          { name: 'share', type: 'varchar', isPrimary: true },
          { name: 'entry_count', type: 'integer' },
          { name: 'amount_cents', type: 'bigint' },
          { name: 'last_incurred_on', type: 'varchar' },
          { name: 'last_recorded_on', type: 'varchar' },
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
      `INSERT INTO ledger_totals (grant_id, share, entry_count, amount_cents, last_incurred_on, last_recorded_on)
         SELECT grant_id, share, COUNT(*), SUM(amount_cents), MAX(incurred_on), MAX(recorded_on)
           FROM expenditures GROUP BY grant_id, share`,
    );
    const greatest = postgres ? 'GREATEST' : 'MAX';
    const add = `
      INSERT INTO ledger_totals (grant_id, share, entry_count, amount_cents, last_incurred_on, last_recorded_on)
      VALUES (NEW.grant_id, NEW.share, 1, NEW.amount_cents, NEW.incurred_on, NEW.recorded_on)
      ON CONFLICT (grant_id, share) DO UPDATE SET
        entry_count = ledger_totals.entry_count + 1,
        amount_cents = ledger_totals.amount_cents + excluded.amount_cents,
        last_incurred_on = ${greatest}(ledger_totals.last_incurred_on, excluded.last_incurred_on),
        last_recorded_on = ${greatest}(ledger_totals.last_recorded_on, excluded.last_recorded_on);`;
    if (postgres) {
      await queryRunner.query(
        `CREATE FUNCTION ledger_totals_add() RETURNS trigger AS $$
         BEGIN ${add} RETURN NULL; END $$ LANGUAGE plpgsql`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ledger_totals_add AFTER INSERT ON expenditures
           FOR EACH ROW EXECUTE FUNCTION ledger_totals_add()`,
      );
    } else {
      await queryRunner.query(
        `CREATE TRIGGER ledger_totals_add AFTER INSERT ON expenditures BEGIN ${add} END`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP TRIGGER ledger_totals_add ON expenditures');
      await queryRunner.query('DROP FUNCTION ledger_totals_add()');
    } else {
      await queryRunner.query('DROP TRIGGER ledger_totals_add');
    }
    await queryRunner.dropTable('ledger_totals');
  }
}
