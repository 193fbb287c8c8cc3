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
const oneOf = (column: string, values: string[]) =>
  `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
const userFk = (column: string) => ({
  columnNames: [column],
  referencedTableName: 'users',
  referencedColumnNames: ['id'],
});

const KINDS = ['amendment', 'budget_revision', 'go_no_go', 'expenditure', 'import'];
const STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'];
const OLD_ROLES = `"role" IN ('admin', 'program_manager', 'auditor')`;
const NEW_ROLES = `"role" IN ('admin', 'program_manager', 'approving_official', 'auditor')`;

/** Segregation of duties, in the database: whoever decides a request is never the one who made it. */
const SOD_REQUEST = `"status" NOT IN ('approved', 'rejected') OR ("decided_by" IS NOT NULL AND "decided_by" <> "requested_by")`;
const SOD_REVISION = `"outcome" IS NULL OR "outcome" = 'withdrawn' OR ("decided_by" IS NOT NULL AND "decided_by" <> "submitted_by")`;

const OUTCOME = `"outcome" IS NULL OR ${oneOf('outcome', ['approved', 'rejected', 'withdrawn'])}`;
const FIXED = 'approval requests keep their kind, grant and requester, and a final decision stands';
const REVISION_FIXED = 'a submitted revision is never changed or removed, and is decided once';

/**
 * Approvals (GAO Green Book principle 10; 2 CFR 200.303): an amendment, a budget revision, a go/no-go
 * decision or a large expenditure is first an `approval_requests` row, and takes effect only when a
 * person other than its requester approves it. Each submission (the first and every resubmission
 * after a rejection) is kept as an `approval_revisions` row with its own outcome. CHECK constraints
 * refuse a decision by the requester on either table; triggers keep the requester, the kind and the
 * grant fixed, keep approved and withdrawn requests final, and keep revisions append-only.
 *
 * Users gain the approving official role, and a program manager may also approve (`also_approves`):
 * the only combination of roles under which the rule above still separates the two duties.
 */
export class Approvals1765008000000 implements MigrationInterface {
  name = 'Approvals1765008000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const pg = this.isPostgres(queryRunner);
    await this.replaceRoleCheck(queryRunner, OLD_ROLES, NEW_ROLES);
    await queryRunner.query(
      'ALTER TABLE "users" ADD COLUMN "also_approves" boolean NOT NULL DEFAULT false',
    );

    await queryRunner.createTable(
      new Table({
        name: 'approval_requests',
        columns: [
          id,
          { name: 'version', type: 'integer', default: 1 },
          text('created_at'),
          text('updated_at'),
          text('kind'),
          int('grant_id'),
          int('target_id', true),
          { name: 'revision', type: 'integer', default: 1 },
          text('status'),
          { name: 'summary', type: 'varchar', length: '500' },
          { name: 'amount_cents', type: 'bigint', default: 0 },
          text('effective_date', true),
          { name: 'payload', type: 'text' },
          { name: 'justification', type: 'text' },
          int('requested_by'),
          text('requested_at'),
          int('decided_by', true),
          text('decided_at', true),
          { name: 'decision_note', type: 'text', default: "''" },
          text('result_type', true),
          int('result_id', true),
        ],
        foreignKeys: [
          {
            columnNames: ['grant_id'],
            referencedTableName: 'grants',
            referencedColumnNames: ['id'],
          },
          userFk('requested_by'),
          userFk('decided_by'),
        ],
        indices: [
          { columnNames: ['status', 'requested_at'] },
          { columnNames: ['grant_id', 'status'] },
          { columnNames: ['requested_by', 'status'] },
          { columnNames: ['result_type', 'result_id'] },
        ],
        checks: [
          { expression: oneOf('kind', KINDS) },
          { expression: oneOf('status', STATUSES) },
          { expression: SOD_REQUEST },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'approval_revisions',
        columns: [
          id,
          int('request_id'),
          int('revision'),
          { name: 'summary', type: 'varchar', length: '500' },
          { name: 'amount_cents', type: 'bigint', default: 0 },
          text('effective_date', true),
          { name: 'payload', type: 'text' },
          { name: 'justification', type: 'text' },
          int('submitted_by'),
          text('submitted_at'),
          text('outcome', true),
          int('decided_by', true),
          text('decided_at', true),
          { name: 'note', type: 'text', default: "''" },
        ],
        foreignKeys: [
          {
            columnNames: ['request_id'],
            referencedTableName: 'approval_requests',
            referencedColumnNames: ['id'],
          },
          userFk('submitted_by'),
          userFk('decided_by'),
        ],
        uniques: [{ columnNames: ['request_id', 'revision'] }],
        checks: [{ expression: OUTCOME }, { expression: SOD_REVISION }],
      }),
    );

    if (pg) await this.postgresTriggers(queryRunner);
    else await this.sqliteTriggers(queryRunner);
  }

  private async sqliteTriggers(queryRunner: QueryRunner): Promise<void> {
    const raise = (message: string) => `BEGIN SELECT RAISE(ABORT, '${message}'); END`;
    for (const sql of [
      `CREATE TRIGGER approval_requests_fixed BEFORE UPDATE ON approval_requests
         WHEN NEW.requested_by <> OLD.requested_by OR NEW.kind <> OLD.kind OR NEW.grant_id <> OLD.grant_id
           OR OLD.status IN ('approved', 'withdrawn') ${raise(FIXED)}`,
      `CREATE TRIGGER approval_requests_no_delete BEFORE DELETE ON approval_requests ${raise(FIXED)}`,
      `CREATE TRIGGER approval_revisions_requester BEFORE INSERT ON approval_revisions
         WHEN NEW.submitted_by <> (SELECT requested_by FROM approval_requests WHERE id = NEW.request_id)
         ${raise("a revision is submitted by its request''s requester")}`,
      `CREATE TRIGGER approval_revisions_fixed BEFORE UPDATE ON approval_revisions
         WHEN OLD.outcome IS NOT NULL OR NEW.request_id <> OLD.request_id OR NEW.revision <> OLD.revision
           OR NEW.payload <> OLD.payload OR NEW.justification <> OLD.justification
           OR NEW.submitted_by <> OLD.submitted_by ${raise(REVISION_FIXED)}`,
      `CREATE TRIGGER approval_revisions_no_delete BEFORE DELETE ON approval_revisions ${raise(REVISION_FIXED)}`,
    ]) {
      await queryRunner.query(sql);
    }
  }

  private async postgresTriggers(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION approval_requests_guard() RETURNS trigger AS $$ BEGIN
      IF TG_OP = 'DELETE' OR NEW.requested_by <> OLD.requested_by OR NEW.kind <> OLD.kind
         OR NEW.grant_id <> OLD.grant_id OR OLD.status IN ('approved', 'withdrawn') THEN
        RAISE EXCEPTION '${FIXED}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
    await queryRunner.query(
      'CREATE TRIGGER approval_requests_guard BEFORE UPDATE OR DELETE ON approval_requests FOR EACH ROW EXECUTE FUNCTION approval_requests_guard()',
    );
    await queryRunner.query(`CREATE FUNCTION approval_revisions_guard() RETURNS trigger AS $$ BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.submitted_by <> (SELECT requested_by FROM approval_requests WHERE id = NEW.request_id) THEN
          RAISE EXCEPTION 'a revision is submitted by its request''s requester';
        END IF;
        RETURN NEW;
      END IF;
      IF TG_OP = 'DELETE' OR OLD.outcome IS NOT NULL OR NEW.request_id <> OLD.request_id
         OR NEW.revision <> OLD.revision OR NEW.payload <> OLD.payload
         OR NEW.justification <> OLD.justification OR NEW.submitted_by <> OLD.submitted_by THEN
        RAISE EXCEPTION '${REVISION_FIXED}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
    await queryRunner.query(
      'CREATE TRIGGER approval_revisions_guard BEFORE INSERT OR UPDATE OR DELETE ON approval_revisions FOR EACH ROW EXECUTE FUNCTION approval_revisions_guard()',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const pg = this.isPostgres(queryRunner);
    const [{ count }] = (await queryRunner.query(
      `SELECT COUNT(*) AS count FROM users WHERE role = 'approving_official'`,
    )) as { count: number | string }[];
    if (Number(count) > 0) {
      throw new Error(
        `${Number(count)} user(s) have the approving official role, which the previous version does not know: change their role before reverting.`,
      );
    }
    if (pg) {
      await queryRunner.query('DROP TRIGGER approval_revisions_guard ON approval_revisions');
      await queryRunner.query('DROP FUNCTION approval_revisions_guard()');
      await queryRunner.query('DROP TRIGGER approval_requests_guard ON approval_requests');
      await queryRunner.query('DROP FUNCTION approval_requests_guard()');
    } else {
      for (const name of [
        'approval_revisions_no_delete',
        'approval_revisions_fixed',
        'approval_revisions_requester',
        'approval_requests_no_delete',
        'approval_requests_fixed',
      ]) {
        await queryRunner.query(`DROP TRIGGER ${name}`);
      }
    }
    await queryRunner.dropTable('approval_revisions');
    await queryRunner.dropTable('approval_requests');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "also_approves"');
    await this.replaceRoleCheck(queryRunner, NEW_ROLES, OLD_ROLES);
  }

  /**
   * Widens (or narrows back) the CHECK on users.role. PostgreSQL alters the constraint. SQLite cannot,
   * and rebuilding `users` would break the tables that reference it, so the stored table definition
   * is edited in place — the procedure SQLite documents for changing a CHECK constraint (ALTER TABLE,
   * section 7: writable_schema, then a new schema_version so every connection reloads it).
   */
  private async replaceRoleCheck(queryRunner: QueryRunner, from: string, to: string) {
    const name = (expression: string) =>
      queryRunner.connection.namingStrategy.checkConstraintName('users', expression);
    if (this.isPostgres(queryRunner)) {
      await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "${name(from)}"`);
      await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "${name(to)}" CHECK (${to})`);
      return;
    }
    const constraint = (expression: string) =>
      `CONSTRAINT "${name(expression)}" CHECK (${expression})`;
    const [{ schema_version: current }] = (await queryRunner.query('PRAGMA schema_version')) as {
      schema_version: number;
    }[];
    await queryRunner.query('PRAGMA writable_schema = ON');
    await queryRunner.query(
      `UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'users'`,
      [constraint(from), constraint(to)],
    );
    await queryRunner.query(`PRAGMA schema_version = ${Number(current) + 1}`);
    await queryRunner.query('PRAGMA writable_schema = OFF');
    const [{ found }] = (await queryRunner.query(
      `SELECT instr(sql, ?) > 0 AS found FROM sqlite_master WHERE type = 'table' AND name = 'users'`,
      [constraint(to)],
    )) as { found: number }[];
    if (!found)
      throw new Error('The users table does not have the role check this migration expects.');
  }

  private isPostgres(queryRunner: QueryRunner): boolean {
    return queryRunner.connection.options.type === 'postgres';
  }
}
