import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { setFlash } from '../common/flash';
import { expectedVersion, FormError, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { AdminAccess } from '../common/http/access.decorators';
import { ChangeRoleDto, CreateUserDto } from './dto/create-user.dto';
import { ROLES } from './user.entity';
import { UsersService } from './users.service';

@Controller('admin/users')
@AdminAccess()
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Render('admin/users/index')
  async index() {
    return { pageTitle: 'Users', users: await this.users.list(), roles: ROLES };
  }

  @Get('new')
  @Render('admin/users/new')
  newForm() {
    return { pageTitle: 'New user', roles: ROLES, values: { role: 'auditor' } };
  }

  @Post()
  create(@Body() body: unknown, @Res() res: Response) {
    return submitForm(res, {
      dto: CreateUserDto,
      body,
      // The password is never sent back into the form.
      values: body && typeof body === 'object' ? { ...body, password: undefined } : {},
      view: 'admin/users/new',
      model: () => ({ pageTitle: 'New user', roles: ROLES }),
      save: (form) => this.users.create(form),
      redirectTo: (user) => `/admin/users/${user.id}`,
      flash: (user) => `Account ${user.email} created as ${user.role.replaceAll('_', ' ')}.`,
    });
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('admin/users/show', await this.showModel(id));
  }

  @Post(':id/role')
  async changeRole(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return submitForm(res, {
      dto: ChangeRoleDto,
      body,
      view: 'admin/users/show',
      model: () => this.showModel(id),
      save: (form) =>
        this.users.changeRole(id, expectedVersion(body), form.role, form.alsoApproves === 'true'),
      redirectTo: () => `/admin/users/${id}`,
      flash: (user) =>
        `${user.email} is now ${user.role.replaceAll('_', ' ')}${user.alsoApproves ? ' and also approves other people’s requests' : ''}.`,
    });
  }

  @Post(':id/deactivate')
  deactivate(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    return this.setActive(id, false, res);
  }

  @Post(':id/activate')
  activate(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    return this.setActive(id, true, res);
  }

  private async setActive(id: number, active: boolean, res: Response) {
    try {
      const user = await this.users.setActive(id, active);
      setFlash(
        res,
        `${user.email} ${active ? 'can sign in again' : 'is deactivated and signed out everywhere'}.`,
      );
      res.redirect(303, `/admin/users/${id}`);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      res
        .status(409)
        .render('admin/users/show', { ...(await this.showModel(id)), errors: error.errors });
    }
  }

  private async showModel(id: number) {
    const user = await this.users.findOne(id);
    return {
      pageTitle: user.email,
      user,
      roles: ROLES,
      history: await this.audit.describedHistory('user', id),
    };
  }
}
