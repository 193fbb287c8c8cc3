import argon2 from 'argon2';
import type { Role } from '../../src/accounts/user.entity';
import { User } from '../../src/accounts/user.entity';
import type { AuditService } from '../../src/audit/audit.service';
import type { WritePath } from '../../src/common/database/write-path';

export const TEST_PASSWORD = 'ledger cobalt harbour violin';

// Cheap argon2id parameters, computed once: tests sign in hundreds of times.
let cheapHash: Promise<string> | undefined;
const testHash = () =>
  (cheapHash ??= argon2.hash(TEST_PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 1024,
    timeCost: 1,
  }));

export async function makeUser(
  t: { writes: WritePath; audit: AuditService },
  overrides: { role: Role; email: string; name?: string; active?: boolean; alsoApproves?: boolean },
): Promise<User> {
  const passwordHash = await testHash();
  return t.writes.transaction((m) =>
    t.audit.insert(m, User, 'user', {
      name: overrides.name ?? overrides.email,
      active: true,
      passwordHash,
      ...overrides,
    }),
  );
}
