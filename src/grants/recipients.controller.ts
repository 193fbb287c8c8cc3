import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { setFlash } from '../common/flash';
import { expectedVersion, FormError, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { RecipientFormDto, US_STATES } from './dto/recipient-form.dto';
import { RECIPIENT_TYPES } from './recipient.entity';
import { RecipientsService } from './recipients.service';

const choices = { types: RECIPIENT_TYPES, states: US_STATES };

@ReadAccess()
@Controller('recipients')
export class RecipientsController {
  constructor(
    private readonly recipients: RecipientsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Render('recipients/index')
  async index() {
    return { pageTitle: 'Recipients', recipients: await this.recipients.list() };
  }

  @Get('new')
  @ManagerAccess()
  @Render('recipients/new')
  newForm() {
    return { pageTitle: 'New recipient', ...choices, values: {} };
  }

  @Post()
  @ManagerAccess()
  create(@Body() body: unknown, @Res() res: Response) {
    return submitForm(res, {
      dto: RecipientFormDto,
      body,
      view: 'recipients/new',
      model: () => ({ pageTitle: 'New recipient', ...choices }),
      save: (form) => this.recipients.create(form),
      redirectTo: (recipient) => `/recipients/${recipient.id}`,
      flash: (recipient) => `Recipient “${recipient.name}” created.`,
    });
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('recipients/show', await this.showModel(id));
  }

  @Get(':id/edit')
  @ManagerAccess()
  @Render('recipients/edit')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    const recipient = await this.recipients.findOne(id);
    return {
      pageTitle: `Edit ${recipient.name}`,
      recipient,
      ...choices,
      values: this.recipients.toFormValues(recipient),
    };
  }

  @Post(':id')
  @ManagerAccess()
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    const recipient = await this.recipients.findOne(id);
    return submitForm(res, {
      dto: RecipientFormDto,
      body,
      view: 'recipients/edit',
      model: () => ({ pageTitle: `Edit ${recipient.name}`, recipient, ...choices }),
      save: (form) => this.recipients.update(id, expectedVersion(body), form),
      current: async () => this.recipients.toFormValues(await this.recipients.findOne(id)),
      redirectTo: () => `/recipients/${id}`,
      flash: (saved) => `Recipient “${saved.name}” saved.`,
    });
  }

  @Post(':id/delete')
  @ManagerAccess()
  async remove(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    try {
      const recipient = await this.recipients.remove(id);
      setFlash(res, `Recipient “${recipient.name}” deleted.`);
      res.redirect(303, '/recipients');
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      res.status(409).render('recipients/show', {
        ...(await this.showModel(id)),
        deleteError: error.errors.delete,
      });
    }
  }

  private async showModel(id: number) {
    const recipient = await this.recipients.findOne(id);
    return {
      pageTitle: recipient.name,
      recipient,
      grants: await this.recipients.grantsOf(id),
      history: await this.audit.describedHistory('recipient', id),
    };
  }
}
