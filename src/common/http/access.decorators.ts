import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../accounts/user.entity';

export const ACCESS_KEY = 'access';

/** Who may use a route: `public`, or the roles allowed. Every route must say (a test enforces it). */
export type AccessRule = 'public' | readonly Role[];

/** Anyone, signed in or not (the login page). */
export const Public = () => SetMetadata(ACCESS_KEY, 'public' satisfies AccessRule);

/** Any signed-in user: auditors read everything. */
export const ReadAccess = () =>
  SetMetadata(ACCESS_KEY, [
    'admin',
    'program_manager',
    'approving_official',
    'auditor',
  ] satisfies AccessRule);

/** Changes to program data. */
export const ManagerAccess = () =>
  SetMetadata(ACCESS_KEY, ['program_manager'] satisfies AccessRule);

/** Deciding what program managers request (approvals). */
export const ApproverAccess = () =>
  SetMetadata(ACCESS_KEY, ['approving_official'] satisfies AccessRule);

/** User accounts and roles. */
export const AdminAccess = () => SetMetadata(ACCESS_KEY, ['admin'] satisfies AccessRule);
