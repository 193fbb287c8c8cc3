import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

// Table API, so the same migration runs on SQLite and PostgreSQL. Vocabularies are spelled out here
// (not imported from src) so that this migration keeps meaning what it meant when it shipped.
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
const longText = (name: string): TableColumnOptions => ({ name, type: 'text', default: "''" });
const int = (name: string, primary = false): TableColumnOptions => ({
  name,
  type: 'integer',
  isPrimary: primary,
});
const version: TableColumnOptions = { name: 'version', type: 'integer', default: 1 };
const timestamps = [text('created_at'), text('updated_at')];
const oneOf = (column: string, values: string[]) =>
  `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
const references = (column: string, table: string) => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
});

const PATHWAYS = ['extraction', 'separation', 'recycling', 'metallization', 'substitution'];
const FEEDSTOCKS = [
  'coal_fly_ash',
  'acid_mine_drainage',
  'phosphogypsum',
  'end_of_life_magnets',
  'e_waste',
  'ore',
  'brine',
  'other',
];
const ELEMENTS = [
  'Sc', 'Y', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Co', 'Li', 'Ga', 'Ge', 'graphite', 'PGM',
]; // prettier-ignore

export class TechnologiesMilestones1764403200000 implements MigrationInterface {
  name = 'TechnologiesMilestones1764403200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'technologies',
        columns: [
          id,
          text('name'),
          text('pathway'),
          text('feedstock'),
          int('current_trl'),
          int('target_trl'),
          longText('description'),
          version,
          ...timestamps,
        ],
        uniques: [{ columnNames: ['name'] }],
        checks: [
          { expression: oneOf('pathway', PATHWAYS) },
          { expression: oneOf('feedstock', FEEDSTOCKS) },
          { expression: '"current_trl" BETWEEN 1 AND 9' },
          { expression: '"target_trl" BETWEEN 1 AND 9' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'technology_elements',
        columns: [int('technology_id', true), { ...text('element'), isPrimary: true }],
        foreignKeys: [references('technology_id', 'technologies')],
        indices: [{ columnNames: ['element'] }],
        checks: [{ expression: oneOf('element', ELEMENTS) }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'trl_assessments',
        columns: [
          id,
          int('technology_id'),
          text('assessed_on'),
          int('trl'),
          { name: 'evidence', type: 'text' },
          text('recorded_by'),
          text('created_at'),
        ],
        foreignKeys: [references('technology_id', 'technologies')],
        indices: [{ columnNames: ['technology_id', 'assessed_on'] }],
        checks: [
          { expression: '"trl" BETWEEN 1 AND 9' },
          { expression: 'length("assessed_on") = 10' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'grant_technologies',
        columns: [int('grant_id', true), int('technology_id', true)],
        foreignKeys: [
          references('grant_id', 'grants'),
          references('technology_id', 'technologies'),
        ],
        indices: [{ columnNames: ['technology_id'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'milestones',
        columns: [
          id,
          int('grant_id'),
          int('budget_period'),
          text('title'),
          text('kind'),
          text('due_date'),
          text('status'),
          text('completed_on', true),
          longText('notes'),
          text('decision', true),
          text('decided_on', true),
          longText('rationale'),
          text('decided_by', true),
          version,
          ...timestamps,
        ],
        foreignKeys: [references('grant_id', 'grants')],
        indices: [{ columnNames: ['grant_id', 'budget_period'] }, { columnNames: ['due_date'] }],
        checks: [
          { expression: '"budget_period" >= 1' },
          { expression: oneOf('kind', ['deliverable', 'go_no_go', 'report']) },
          {
            expression: oneOf('status', ['planned', 'in_progress', 'complete', 'missed', 'waived']),
          },
          { expression: 'length("due_date") = 10' },
          { expression: '"completed_on" IS NULL OR length("completed_on") = 10' },
          { expression: `"status" <> 'complete' OR "completed_on" IS NOT NULL` },
          { expression: `("kind" = 'go_no_go') = ("decision" IS NOT NULL)` },
          { expression: `"decision" IS NULL OR ${oneOf('decision', ['pending', 'go', 'no_go'])}` },
          {
            expression: `"decision" IS NULL OR "decision" = 'pending' OR "decided_on" IS NOT NULL`,
          },
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('milestones');
    await queryRunner.dropTable('grant_technologies');
    await queryRunner.dropTable('trl_assessments');
    await queryRunner.dropTable('technology_elements');
    await queryRunner.dropTable('technologies');
  }
}
