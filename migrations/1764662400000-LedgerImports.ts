import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Committed imports, so that one preview (or one file) is committed at most once. */
export class LedgerImports1764662400000 implements MigrationInterface {
  name = 'LedgerImports1764662400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ledger_imports',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'token', type: 'varchar' },
          { name: 'sha256', type: 'varchar' },
          { name: 'file_name', type: 'varchar' },
          { name: 'row_count', type: 'integer' },
          { name: 'total_cents', type: 'bigint' },
          { name: 'first_entry_id', type: 'integer' },
          { name: 'last_entry_id', type: 'integer' },
          { name: 'committed_by', type: 'varchar' },
          { name: 'committed_at', type: 'varchar' },
        ],
        uniques: [{ columnNames: ['token'] }, { columnNames: ['sha256'] }],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ledger_imports');
  }
}
