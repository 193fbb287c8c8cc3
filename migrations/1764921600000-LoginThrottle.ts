import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The sign-in throttle's counts, kept in the database so that every app instance counts the same
 * failures (LoginThrottle). `login_failures` holds, per account or address key, the times of its
 * recent failures (comma-separated milliseconds, at most the limit) and the newest of them, by which
 * stale keys are swept; `login_refusals` holds, per address, when a throttled attempt was last
 * written to the audit trail and how many were refused since.
 */
export class LoginThrottle1764921600000 implements MigrationInterface {
  name = 'LoginThrottle1764921600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'login_failures',
        columns: [
          { name: 'key', type: 'varchar', length: '320', isPrimary: true },
          { name: 'failed_at', type: 'varchar', length: '2000' },
          { name: 'newest_at', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_login_failures_newest', columnNames: ['newest_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'login_refusals',
        columns: [
          { name: 'address', type: 'varchar', length: '100', isPrimary: true },
          { name: 'recorded_at', type: 'bigint' },
          { name: 'since', type: 'integer' },
        ],
        indices: [{ name: 'IDX_login_refusals_recorded', columnNames: ['recorded_at'] }],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('login_refusals');
    await queryRunner.dropTable('login_failures');
  }
}
