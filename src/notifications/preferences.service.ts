import { Injectable } from '@nestjs/common';
import { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { WritePath } from '../common/database/write-path';

/** A user's own choice of digest, audited like every change to a user. */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly writes: WritePath,
    private readonly audit: AuditService,
  ) {}

  async wantsDigest(userId: number): Promise<boolean> {
    const user = await this.writes.transaction((manager) =>
      manager.findOneByOrFail(User, { id: userId }),
    );
    return user.wantsDigest;
  }

  setDigest(userId: number, wantsDigest: boolean): Promise<User> {
    return this.writes.transaction(async (manager) => {
      const user = await manager.findOneByOrFail(User, { id: userId });
      if (user.wantsDigest === wantsDigest) return user;
      return this.audit.update(
        manager,
        User,
        'user',
        userId,
        { wantsDigest },
        { action: 'update' },
      );
    });
  }
}
