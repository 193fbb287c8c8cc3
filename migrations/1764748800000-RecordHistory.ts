import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * System-versioned history (SQL:2011 style) for every table a report reads as of a date and that can
 * change after it is written. Each table T gets T_history: the same columns, plus recorded_from and
 * recorded_to (UTC ISO timestamps). Triggers keep it in the same transaction as the change:
 *
 * - an INSERT opens a version (recorded_from = now, recorded_to NULL);
 * - an UPDATE closes the current version and opens the new one;
 * - a DELETE closes the current version.
 *
 * "Now" is the transaction's recording time: the app may set it (recording_clock on SQLite, the
 * transaction-local setting tracker.recorded_at on PostgreSQL) to record a story on its own dates —
 * the demo does — and otherwise it is the database's clock. History rows are append-only apart from
 * closing a version once: triggers refuse any other UPDATE and every DELETE.
 *
 * Append-only tables need no history: amendments and TRL assessments carry created_at, ledger
 * entries recorded_on, and none of them is ever updated (see common/as-of.ts).
 *
 * Rows that exist when this migration runs become their first version, recorded from their own
 * created_at (or their parent's): what they were before that is in the audit trail only.
 */
export const VERSIONED: ReadonlyArray<{ table: string; key: string[]; since: string }> = [
  { table: 'programs', key: ['id'], since: 't.created_at' },
  { table: 'recipients', key: ['id'], since: 't.created_at' },
  { table: 'grants', key: ['id'], since: 't.created_at' },
  {
    table: 'budget_periods',
    key: ['id'],
    since: '(SELECT g.created_at FROM grants g WHERE g.id = t.grant_id)',
  },
  { table: 'budgets', key: ['id'], since: 't.created_at' },
  {
    table: 'budget_lines',
    key: ['id'],
    since: `COALESCE((SELECT b.created_at FROM budgets b WHERE b.grant_id = t.grant_id),
                     (SELECT g.created_at FROM grants g WHERE g.id = t.grant_id))`,
  },
  {
    table: 'planned_spend',
    key: ['grant_id', 'budget_period', 'category', 'month'],
    since: `COALESCE((SELECT b.updated_at FROM budgets b WHERE b.grant_id = t.grant_id),
                     (SELECT g.created_at FROM grants g WHERE g.id = t.grant_id))`,
  },
  { table: 'milestones', key: ['id'], since: 't.created_at' },
  { table: 'technologies', key: ['id'], since: 't.created_at' },
  {
    table: 'technology_elements',
    key: ['technology_id', 'element'],
    since: '(SELECT x.created_at FROM technologies x WHERE x.id = t.technology_id)',
  },
  {
    table: 'grant_technologies',
    key: ['grant_id', 'technology_id'],
    since: `(SELECT MAX(g.created_at, x.created_at) FROM grants g, technologies x
              WHERE g.id = t.grant_id AND x.id = t.technology_id)`,
  },
];

const SQLITE_NOW = `COALESCE((SELECT at FROM recording_clock WHERE id = 1),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
const POSTGRES_NOW = `COALESCE(NULLIF(current_setting('tracker.recorded_at', true), ''),
  to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
const HISTORY_IS_APPEND_ONLY = 'record history is append-only';

export class RecordHistory1764748800000 implements MigrationInterface {
  name = 'RecordHistory1764748800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'recording_clock',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'at', type: 'varchar', isNullable: true },
        ],
        checks: [{ expression: '"id" = 1' }],
      }),
    );

    for (const { table, key, since } of VERSIONED) {
      const base = await queryRunner.getTable(table);
      if (!base) throw new Error(`RecordHistory: no table ${table}`);
      const columns = base.columns.map((column) => column.name);
      const history = `${table}_history`;
      await queryRunner.createTable(
        new Table({
          name: history,
          columns: [
            {
              name: 'history_id',
              type: 'integer',
              isPrimary: true,
              isGenerated: true,
              generationStrategy: 'increment',
            },
            ...base.columns.map((column) => ({
              name: column.name,
              type: column.type,
              isNullable: true,
            })),
            { name: 'recorded_from', type: 'varchar' },
            { name: 'recorded_to', type: 'varchar', isNullable: true },
          ],
        }),
      );
      await queryRunner.createIndex(
        history,
        new TableIndex({
          name: `IDX_${history}_key`,
          columnNames: [...key, 'recorded_to'],
        }),
      );
      if (columns.includes('grant_id') && key[0] !== 'grant_id') {
        await queryRunner.createIndex(
          history,
          new TableIndex({
            name: `IDX_${history}_grant`,
            columnNames: ['grant_id', 'recorded_from'],
          }),
        );
      }

      const list = columns.map((c) => `"${c}"`).join(', ');
      const sinceSql = postgres ? since.replace('MAX(', 'GREATEST(') : since;
      await queryRunner.query(
        `INSERT INTO "${history}" (${list}, recorded_from)
           SELECT ${columns.map((c) => `t."${c}"`).join(', ')},
                  COALESCE(${sinceSql}, '1970-01-01T00:00:00.000Z')
             FROM "${table}" t`,
      );

      const values = (row: string) => columns.map((c) => `${row}."${c}"`).join(', ');
      const matches = key.map((c) => `"${c}" = OLD."${c}"`).join(' AND ');
      if (postgres) {
        await queryRunner.query(`
          CREATE FUNCTION "${history}_keep"() RETURNS trigger AS $$
          DECLARE at varchar := ${POSTGRES_NOW};
          BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
              UPDATE "${history}" SET recorded_to = at WHERE ${matches} AND recorded_to IS NULL;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
              INSERT INTO "${history}" (${list}, recorded_from) VALUES (${values('NEW')}, at);
            END IF;
            RETURN NULL;
          END $$ LANGUAGE plpgsql`);
        await queryRunner.query(
          `CREATE TRIGGER "${history}_keep" AFTER INSERT OR UPDATE OR DELETE ON "${table}"
             FOR EACH ROW EXECUTE FUNCTION "${history}_keep"()`,
        );
        await queryRunner.query(`
          CREATE FUNCTION "${history}_append_only"() RETURNS trigger AS $$
          BEGIN
            IF TG_OP = 'DELETE' OR OLD.recorded_to IS NOT NULL OR NEW.recorded_to IS NULL
               OR NEW.recorded_from <> OLD.recorded_from THEN
              RAISE EXCEPTION '${HISTORY_IS_APPEND_ONLY}';
            END IF;
            RETURN NEW;
          END $$ LANGUAGE plpgsql`);
        await queryRunner.query(
          `CREATE TRIGGER "${history}_append_only" BEFORE UPDATE OR DELETE ON "${history}"
             FOR EACH ROW EXECUTE FUNCTION "${history}_append_only"()`,
        );
      } else {
        await queryRunner.query(
          `CREATE TRIGGER "${history}_insert" AFTER INSERT ON "${table}" BEGIN
             INSERT INTO "${history}" (${list}, recorded_from) VALUES (${values('NEW')}, ${SQLITE_NOW});
           END`,
        );
        await queryRunner.query(
          `CREATE TRIGGER "${history}_update" AFTER UPDATE ON "${table}" BEGIN
             UPDATE "${history}" SET recorded_to = ${SQLITE_NOW} WHERE ${matches} AND recorded_to IS NULL;
             INSERT INTO "${history}" (${list}, recorded_from) VALUES (${values('NEW')}, ${SQLITE_NOW});
           END`,
        );
        await queryRunner.query(
          `CREATE TRIGGER "${history}_delete" AFTER DELETE ON "${table}" BEGIN
             UPDATE "${history}" SET recorded_to = ${SQLITE_NOW} WHERE ${matches} AND recorded_to IS NULL;
           END`,
        );
        await queryRunner.query(
          `CREATE TRIGGER "${history}_no_rewrite" BEFORE UPDATE ON "${history}"
             WHEN OLD.recorded_to IS NOT NULL OR NEW.recorded_to IS NULL
               OR NEW.recorded_from <> OLD.recorded_from
           BEGIN SELECT RAISE(ABORT, '${HISTORY_IS_APPEND_ONLY}'); END`,
        );
        await queryRunner.query(
          `CREATE TRIGGER "${history}_no_delete" BEFORE DELETE ON "${history}"
           BEGIN SELECT RAISE(ABORT, '${HISTORY_IS_APPEND_ONLY}'); END`,
        );
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const { table } of [...VERSIONED].reverse()) {
      const history = `${table}_history`;
      if (postgres) {
        await queryRunner.query(`DROP TRIGGER "${history}_keep" ON "${table}"`);
        await queryRunner.query(`DROP TRIGGER "${history}_append_only" ON "${history}"`);
        await queryRunner.query(`DROP FUNCTION "${history}_keep"()`);
        await queryRunner.query(`DROP FUNCTION "${history}_append_only"()`);
      } else {
        for (const trigger of ['insert', 'update', 'delete', 'no_rewrite', 'no_delete']) {
          await queryRunner.query(`DROP TRIGGER "${history}_${trigger}"`);
        }
      }
      await queryRunner.dropTable(history);
    }
    await queryRunner.dropTable('recording_clock');
  }
}
