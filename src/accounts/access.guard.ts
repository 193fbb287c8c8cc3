import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_KEY, AccessRule } from '../common/http/access.decorators';
import { LoginRequiredException } from '../common/http/login-required.exception';
import { rolesOf, type User } from './user.entity';

/** Registered as APP_GUARD: a route without a rule is refused, so nothing is open by accident. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { user?: User }>();
    if (!req.user)
      throw new LoginRequiredException(req.method === 'GET' ? req.originalUrl : undefined);
    if (!rule) throw new ForbiddenException('This page has no access rule, so it is closed.');
    const roles = rolesOf(req.user);
    if (!rule.some((role) => roles.includes(role))) {
      throw new ForbiddenException(
        `Your role (${req.user.role.replaceAll('_', ' ')}) may not do this. Nothing was changed.`,
      );
    }
    return true;
  }
}
