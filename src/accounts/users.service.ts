import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ReadCache } from '../common/database/read-cache';
import { WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { Actor, runAs } from '../common/request-context';
import { CreateUserDto } from './dto/create-user.dto';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { SessionRecord } from './session.entity';
import { Role, User } from './user.entity';

export const actorOf = (user: User): Actor => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
});

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly cache: ReadCache,
  ) {}

  list(): Promise<User[]> {
    return this.users.find({ order: { active: 'DESC', email: 'ASC' } });
  }

  async findOne(id: number): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(`User ${id} does not exist.`);
    return user;
  }

  /** Read on every request (the signed-in user): cached until a write to users ends. Frozen. */
  findActive(id: number): Promise<Readonly<User> | null> {
    return this.cache.get(['users'], `active:${id}`, () =>
      this.users.findOneBy({ id, active: true }),
    );
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /** The user whose email and password match, if active; null otherwise (never says which part failed). */
  async authenticate(email: string, password: string): Promise<User | null> {
    const found = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
    // Verify against a dummy hash when the account is unknown, so timing does not reveal which emails exist.
    const ok = await verifyPassword(found?.passwordHash ?? DUMMY_HASH, password);
    return ok && found?.active ? found : null;
  }

  create(form: CreateUserDto): Promise<User> {
    return this.writes.transaction(async (manager) => {
      const email = form.email.toLowerCase();
      const problem = passwordProblem(form.password, email);
      if (problem) throw new FormError({ password: problem });
      if (await manager.existsBy(User, { email })) {
        throw new FormError({ email: `There is already an account for ${email}.` });
      }
      return this.audit.insert(manager, User, 'user', {
        email,
        name: form.name,
        role: form.role,
        passwordHash: await hashPassword(form.password),
        active: true,
      });
    });
  }

  /** ADMIN_EMAIL/ADMIN_PASSWORD at start-up: creates that admin once; later starts leave it alone. */
  async ensureAdmin(email: string, password: string): Promise<User | null> {
    if (await this.users.existsBy({ email: email.toLowerCase() })) return null;
    return this.create(
      Object.assign(new CreateUserDto(), { email, name: 'Administrator', role: 'admin', password }),
    );
  }

  changeRole(id: number, version: number, role: Role, alsoApproves = false): Promise<User> {
    return this.writes.transaction(async (manager) => {
      if (alsoApproves && role !== 'program_manager') {
        throw new FormError({
          alsoApproves:
            'Only a program manager may also approve: an auditor changes nothing, an admin creates the accounts, and an approving official already approves.',
        });
      }
      const user = await this.findOne(id);
      if (user.role === role && user.alsoApproves === alsoApproves) return user;
      if (user.role !== role) await this.keepAnAdmin(manager, user);
      return this.audit.update(
        manager,
        User,
        'user',
        id,
        { role, alsoApproves },
        { action: 'role_change', expectedVersion: version },
      );
    });
  }

  /** Deactivating ends every session the user has, in the same transaction. */
  setActive(id: number, active: boolean): Promise<User> {
    return this.writes.transaction(async (manager) => {
      const user = await this.findOne(id);
      if (user.active === active) return user;
      if (!active) {
        await this.keepAnAdmin(manager, user);
        await manager.delete(SessionRecord, { userId: id });
      }
      return this.audit.update(
        manager,
        User,
        'user',
        id,
        { active },
        { action: active ? 'activate' : 'deactivate' },
      );
    });
  }

  recordLogin(user: User): Promise<void> {
    return runAs(actorOf(user), () =>
      this.writes.transaction(async (manager) => {
        await this.audit.record(manager, {
          action: 'login',
          entityType: 'user',
          entityId: user.id,
        });
      }),
    );
  }

  recordLogout(user: User): Promise<void> {
    return runAs(actorOf(user), () =>
      this.writes.transaction(async (manager) => {
        await this.audit.record(manager, {
          action: 'logout',
          entityType: 'user',
          entityId: user.id,
        });
      }),
    );
  }

  /** A failed or throttled sign-in, attributed to the email that was tried. */
  async recordLoginFailure(
    email: string,
    ip: string,
    action: 'login_failed' | 'login_throttled',
    /** For a throttled attempt: how many refused attempts from this address the event stands for. */
    refusals = 1,
  ): Promise<void> {
    const known = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    const actor = {
      id: null,
      email: email.trim().toLowerCase().slice(0, 200),
      name: 'Anonymous',
      role: 'anonymous',
    };
    await runAs(actor, () =>
      this.writes.transaction(async (manager) => {
        await this.audit.record(manager, {
          action,
          entityType: 'user',
          entityId: known?.id ?? null,
          changes:
            action === 'login_throttled'
              ? { ip: { before: null, after: ip }, refused: { before: null, after: refusals } }
              : { ip: { before: null, after: ip } },
        });
      }),
    );
  }

  /** Refuses to remove the last active admin: nobody could manage accounts afterwards. */
  private async keepAnAdmin(manager: EntityManager, user: User): Promise<void> {
    if (user.role !== 'admin' || !user.active) return;
    const admins = await manager.countBy(User, { role: 'admin', active: true });
    if (admins <= 1) {
      throw new FormError({
        role: `${user.email} is the last active admin; make another admin first.`,
      });
    }
  }
}

// argon2id hash of a random string nobody knows; only used to spend the same time on unknown emails.
const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$0B1ZG3mG2m1fZ8UyqY6v3pG0eTn0o6qKq0pJm8c0uQk';
