import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const APPEND_ONLY = 'audit events are append-only';

export class AccountsSessionsAudit1764316800000 implements MigrationInterface {
  name = 'AccountsSessionsAudit1764316800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'email', type: 'varchar' },
          { name: 'name', type: 'varchar' },
          { name: 'role', type: 'varchar' },
          { name: 'password_hash', type: 'varchar' },
          { name: 'active', type: 'boolean', default: 'true' },
          { name: 'version', type: 'integer', default: 1 },
          { name: 'created_at', type: 'varchar' },
          { name: 'updated_at', type: 'varchar' },
        ],
        uniques: [{ columnNames: ['email'] }],
        checks: [{ expression: `"role" IN ('admin', 'program_manager', 'auditor')` }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'sid', type: 'varchar', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'data', type: 'text' },
          { name: 'expires_at', type: 'varchar' },
        ],
        indices: [{ columnNames: ['user_id'] }, { columnNames: ['expires_at'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'occurred_at', type: 'varchar' },
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'actor_email', type: 'varchar' },
          { name: 'actor_role', type: 'varchar' },
          { name: 'action', type: 'varchar' },
          { name: 'entity_type', type: 'varchar' },
          { name: 'entity_id', type: 'integer', isNullable: true },
          { name: 'changes', type: 'text' },
          { name: 'prev_hash', type: 'varchar' },
          { name: 'hash', type: 'varchar' },
        ],
        indices: [
          { columnNames: ['entity_type', 'entity_id'] },
          { columnNames: ['actor_id'] },
          { columnNames: ['occurred_at'] },
        ],
      }),
    );

    // The database itself refuses to change or remove an audit event.
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(
        `CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${APPEND_ONLY}'; END $$ LANGUAGE plpgsql`,
      );
      for (const op of ['UPDATE', 'DELETE']) {
        await queryRunner.query(
          `CREATE TRIGGER audit_events_no_${op.toLowerCase()} BEFORE ${op} ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
        );
      }
    } else {
      for (const op of ['UPDATE', 'DELETE']) {
        await queryRunner.query(
          `CREATE TRIGGER audit_events_no_${op.toLowerCase()} BEFORE ${op} ON audit_events BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END`,
        );
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP TRIGGER audit_events_no_update' +
        (this.isPostgres(queryRunner) ? ' ON audit_events' : ''),
    );
    await queryRunner.query(
      'DROP TRIGGER audit_events_no_delete' +
        (this.isPostgres(queryRunner) ? ' ON audit_events' : ''),
    );
    if (this.isPostgres(queryRunner))
      await queryRunner.query('DROP FUNCTION audit_events_append_only()');
    await queryRunner.dropTable('audit_events');
    await queryRunner.dropTable('sessions');
    await queryRunner.dropTable('users');
  }

  private isPostgres(queryRunner: QueryRunner): boolean {
    return queryRunner.connection.options.type === 'postgres';
  }
}
