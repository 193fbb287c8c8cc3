import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * One event per predecessor: a second writer that read a stale chain head would fork the chain (two
 * events pointing at the same previous hash). With this index the database refuses the second one.
 */
export class AuditChainUnique1764576000000 implements MigrationInterface {
  name = 'AuditChainUnique1764576000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({
        name: 'UQ_audit_events_prev_hash',
        columnNames: ['prev_hash'],
        isUnique: true,
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_events', 'UQ_audit_events_prev_hash');
  }
}
