import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const calendarIndex = () =>
  new TableIndex({ columnNames: ['calendar_token_hash'], isUnique: true });

/**
 * Notifications (issue 17): each user's inbox (`notifications`: requests awaiting them, decisions on
 * their requests, deadlines of the program's grants), the daily digest's claim rows
 * (`scheduled_runs`: one row per job and office day, so that of several instances exactly one sends
 * a day's digest), and on users the digest choice and the calendar feed's token (its SHA-256 only).
 */
export class Notifications1765094400000 implements MigrationInterface {
  name = 'Notifications1765094400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "users" ADD COLUMN "wants_digest" boolean NOT NULL DEFAULT true',
    );
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "calendar_token_hash" varchar');
    await queryRunner.createIndex('users', calendarIndex());
    await queryRunner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer' },
          { name: 'kind', type: 'varchar' },
          { name: 'title', type: 'varchar', length: '500' },
          { name: 'href', type: 'varchar' },
          { name: 'dedupe_key', type: 'varchar' },
          { name: 'created_at', type: 'varchar' },
          { name: 'read_at', type: 'varchar', isNullable: true },
          { name: 'digested_at', type: 'varchar', isNullable: true },
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        uniques: [{ columnNames: ['user_id', 'dedupe_key'] }],
        indices: [{ columnNames: ['user_id', 'read_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'scheduled_runs',
        columns: [
          { name: 'job', type: 'varchar', isPrimary: true },
          { name: 'run_date', type: 'varchar', isPrimary: true },
          { name: 'claimed_by', type: 'varchar' },
          { name: 'claimed_at', type: 'varchar' },
          { name: 'finished_at', type: 'varchar', isNullable: true },
          { name: 'sent', type: 'integer', default: 0 },
          { name: 'note', type: 'text', default: "''" },
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('scheduled_runs');
    await queryRunner.dropTable('notifications');
    await queryRunner.dropIndex('users', calendarIndex());
    // DROP COLUMN in place (SQLite 3.35+): dropColumn() would rebuild the users table on SQLite and
    // rewrite the role CHECK that the earlier migrations' down() look for.
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "calendar_token_hash"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "wants_digest"');
  }
}
