import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

// Table API, so the same migration runs on SQLite and PostgreSQL; vocabularies spelled out here so the
// migration keeps meaning what it meant when it shipped.
const id: TableColumnOptions = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
};
const text = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  isNullable: nullable,
});
const int = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
});
const cents = (name: string): TableColumnOptions => ({ name, type: 'bigint' });
const oneOf = (column: string, values: string[]) =>
  `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
const grantFk = {
  columnNames: ['grant_id'],
  referencedTableName: 'grants',
  referencedColumnNames: ['id'],
};

const CATEGORIES = [
  'personnel',
  'fringe_benefits',
  'travel',
  'equipment',
  'supplies',
  'contractual',
  'construction',
  'other',
  'indirect_charges',
];
const APPEND_ONLY = 'ledger entries are append-only: correct one with a reversal';

export class BudgetsLedger1764489600000 implements MigrationInterface {
  name = 'BudgetsLedger1764489600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'budgets',
        columns: [
          id,
          int('grant_id'),
          { name: 'version', type: 'integer', default: 1 },
          text('created_at'),
          text('updated_at'),
        ],
        uniques: [{ columnNames: ['grant_id'] }],
        foreignKeys: [grantFk],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'budget_lines',
        columns: [
          id,
          int('grant_id'),
          int('budget_period'),
          text('category'),
          cents('federal_cents'),
          cents('cost_share_cents'),
        ],
        uniques: [{ columnNames: ['grant_id', 'budget_period', 'category'] }],
        foreignKeys: [grantFk],
        checks: [
          { expression: '"budget_period" >= 1' },
          { expression: oneOf('category', CATEGORIES) },
          { expression: '"federal_cents" >= 0' },
          { expression: '"cost_share_cents" >= 0' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'planned_spend',
        columns: [
          { ...int('grant_id'), isPrimary: true },
          { ...int('budget_period'), isPrimary: true },
          { ...text('category'), isPrimary: true },
          { ...text('month'), isPrimary: true },
          cents('federal_cents'),
          cents('cost_share_cents'),
        ],
        foreignKeys: [grantFk],
        indices: [{ columnNames: ['month', 'federal_cents'] }],
        checks: [
          { expression: oneOf('category', CATEGORIES) },
          { expression: 'length("month") = 7' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'expenditures',
        columns: [
          id,
          int('grant_id'),
          int('budget_period'),
          text('category'),
          text('incurred_on'),
          cents('amount_cents'),
          text('share'),
          text('reference'),
          { name: 'memo', type: 'text', default: "''" },
          int('reversal_of', true),
          text('recorded_by'),
          text('recorded_at'),
          text('recorded_on'),
        ],
        uniques: [{ columnNames: ['reversal_of'] }],
        foreignKeys: [
          grantFk,
          {
            columnNames: ['reversal_of'],
            referencedTableName: 'expenditures',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          { columnNames: ['incurred_on', 'recorded_on', 'share', 'amount_cents'] },
          { columnNames: ['grant_id', 'incurred_on', 'recorded_on', 'share', 'amount_cents'] },
          { columnNames: ['recorded_on'] },
        ],
        checks: [
          { expression: '"budget_period" >= 1' },
          { expression: oneOf('category', CATEGORIES) },
          { expression: oneOf('share', ['federal', 'cost_share']) },
          { expression: 'length("incurred_on") = 10' },
          { expression: 'length("recorded_on") = 10' },
          { expression: '"amount_cents" <> 0' },
          { expression: '("reversal_of" IS NULL) = ("amount_cents" > 0)' },
        ],
      }),
    );

    // The database itself refuses to change or remove a ledger entry.
    if (this.isPostgres(queryRunner)) {
      await queryRunner.query(
        `CREATE FUNCTION expenditures_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${APPEND_ONLY}'; END $$ LANGUAGE plpgsql`,
      );
    }
    for (const op of ['UPDATE', 'DELETE']) {
      await queryRunner.query(
        this.isPostgres(queryRunner)
          ? `CREATE TRIGGER expenditures_no_${op.toLowerCase()} BEFORE ${op} ON expenditures FOR EACH ROW EXECUTE FUNCTION expenditures_append_only()`
          : `CREATE TRIGGER expenditures_no_${op.toLowerCase()} BEFORE ${op} ON expenditures BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const on = this.isPostgres(queryRunner) ? ' ON expenditures' : '';
    await queryRunner.query(`DROP TRIGGER expenditures_no_update${on}`);
    await queryRunner.query(`DROP TRIGGER expenditures_no_delete${on}`);
    if (this.isPostgres(queryRunner)) {
      await queryRunner.query('DROP FUNCTION expenditures_append_only()');
    }
    await queryRunner.dropTable('expenditures');
    await queryRunner.dropTable('planned_spend');
    await queryRunner.dropTable('budget_lines');
    await queryRunner.dropTable('budgets');
  }

  private isPostgres(queryRunner: QueryRunner): boolean {
    return queryRunner.connection.options.type === 'postgres';
  }
}
