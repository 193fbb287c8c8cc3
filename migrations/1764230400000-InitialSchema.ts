import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

// Written with TypeORM's Table API so that the same migration runs on SQLite and PostgreSQL.
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
const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
const cents = (name: string): TableColumnOptions => ({ name, type: 'bigint' });
const version: TableColumnOptions = { name: 'version', type: 'integer', default: 1 };
const timestamps = [text('created_at'), text('updated_at')];
const isoDate = (column: string) => `length("${column}") = 10`;
/** A start and end date, both calendar dates, the end not before the start (or strictly after). */
const datedPeriod = (strict: boolean) => [
  { expression: isoDate('start_date') },
  { expression: isoDate('end_date') },
  { expression: `"start_date" ${strict ? '<' : '<='} "end_date"` },
];
const oneOf = (column: string, values: string[]) =>
  `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;

export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'programs',
        columns: [
          id,
          text('name'),
          text('funding_opportunity'),
          text('office'),
          cents('ceiling_cents'),
          text('start_date'),
          text('end_date'),
          int('cost_share_percent'),
          { name: 'illustrative', type: 'boolean', default: 'false' },
          version,
          ...timestamps,
        ],
        checks: [
          { expression: '"ceiling_cents" >= 0' },
          { expression: '"cost_share_percent" BETWEEN 0 AND 100' },
          ...datedPeriod(true),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'recipients',
        columns: [
          id,
          text('name'),
          text('type'),
          text('state'),
          text('uei', true),
          version,
          ...timestamps,
        ],
        uniques: [{ columnNames: ['uei'] }],
        checks: [
          {
            expression: oneOf('type', [
              'university',
              'national_laboratory',
              'industry',
              'nonprofit',
              'state_local_tribal',
            ]),
          },
          { expression: 'length("state") = 2' },
          { expression: '"uei" IS NULL OR length("uei") = 12' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'grants',
        columns: [
          id,
          int('program_id'),
          int('recipient_id'),
          text('award_number'),
          text('title'),
          text('pi_name'),
          text('pi_email'),
          text('status'),
          text('start_date'),
          text('end_date'),
          cents('cost_share_committed_cents'),
          version,
          ...timestamps,
        ],
        uniques: [{ columnNames: ['award_number'] }],
        foreignKeys: [
          {
            columnNames: ['program_id'],
            referencedTableName: 'programs',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['recipient_id'],
            referencedTableName: 'recipients',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ columnNames: ['program_id'] }, { columnNames: ['recipient_id'] }],
        checks: [
          { expression: oneOf('status', ['draft', 'active', 'suspended', 'closed', 'terminated']) },
          { expression: '"cost_share_committed_cents" >= 0' },
          ...datedPeriod(true),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'budget_periods',
        columns: [id, int('grant_id'), int('number'), text('start_date'), text('end_date')],
        uniques: [{ columnNames: ['grant_id', 'number'] }],
        foreignKeys: [
          {
            columnNames: ['grant_id'],
            referencedTableName: 'grants',
            referencedColumnNames: ['id'],
          },
        ],
        checks: [{ expression: '"number" >= 1' }, ...datedPeriod(false)],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'amendments',
        columns: [
          id,
          int('grant_id'),
          int('number'),
          text('effective_date'),
          text('kind'),
          cents('federal_change_cents'),
          text('new_end_date', true),
          { name: 'note', type: 'text', default: "''" },
          text('created_at'),
        ],
        uniques: [{ columnNames: ['grant_id', 'number'] }],
        foreignKeys: [
          {
            columnNames: ['grant_id'],
            referencedTableName: 'grants',
            referencedColumnNames: ['id'],
          },
        ],
        checks: [
          { expression: '"number" >= 0' },
          {
            expression: oneOf('kind', [
              'initial',
              'incremental_funding',
              'deobligation',
              'no_cost_extension',
              'rebudget',
              'other',
            ]),
          },
          { expression: isoDate('effective_date') },
          { expression: '"new_end_date" IS NULL OR length("new_end_date") = 10' },
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('amendments');
    await queryRunner.dropTable('budget_periods');
    await queryRunner.dropTable('grants');
    await queryRunner.dropTable('recipients');
    await queryRunner.dropTable('programs');
  }
}
