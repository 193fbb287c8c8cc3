import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { EditConflictError } from '../forms';
import { nowIso } from './columns';

/**
 * Optimistic locking: `UPDATE … WHERE id = ? AND version = ?`, then check the affected count.
 * (TypeORM's save() with @VersionColumn silently accepts a stale version.)
 */
export async function updateVersioned<
  T extends ObjectLiteral & { id: number; version: number; updatedAt: string },
>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  label: string,
  id: number,
  expectedVersion: number,
  changes: Partial<T>,
): Promise<void> {
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1', updatedAt: nowIso() })
    .where('id = :id AND version = :version', { id, version: expectedVersion })
    .execute();
  if (result.affected === 1) return;
  const current = await manager.findOneByOrFail(entity, { id } as never);
  throw new EditConflictError(label, current.version, current.updatedAt);
}
