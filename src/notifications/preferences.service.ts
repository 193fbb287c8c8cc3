import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { WritePath } from '../common/database/write-path';

/** A user's own choice of digest, audited like every change to a user. */
@Injectable()
export class PreferencesService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
  ) {}

  async wantsDigest(userId: number): Promise<boolean> {
    return (await this.users.findOneByOrFail({ id: userId })).wantsDigest;
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
