import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ManagerAccess } from '../common/http/access.decorators';
import { expectedContentVersion, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { GrantLookup } from '../grants/grant-lookup';
import { TechnologyLinksFormDto } from './dto/links-form.dto';
import { GrantTechnologiesService } from './grant-technologies.service';
import { TechnologiesService } from './technologies.service';
import { tickedIds } from './ticked';

/** The grant's side of the grant ↔ technology links (the grant page links here). */
@ManagerAccess()
@Controller('grants/:id/technologies')
export class GrantTechnologiesController {
  constructor(
    private readonly technologies: TechnologiesService,
    private readonly links: GrantTechnologiesService,
    private readonly lookup: GrantLookup,
  ) {}

  @Get('edit')
  @Render('technologies/grant-links')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    return this.formModel(id);
  }

  @Post()
  async save(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.lookup.grant(id);
    const version = expectedContentVersion(body);
    return submitForm(res, {
      dto: TechnologyLinksFormDto,
      body,
      view: 'technologies/grant-links',
      model: () => this.formModel(id, tickedIds(body, 'technologyIds')),
      save: (form) => this.links.setTechnologiesOf(id, form.technologyIds, version),
      current: async () => ({ technologies: await this.links.forGrant(id) }),
      redirectTo: () => `/grants/${id}#technologies`,
      flash: (count) => `Technologies of the grant saved (${count}).`,
    });
  }

  /** `ticked` keeps a refused form as it was sent. */
  private async formModel(id: number, ticked?: string[]) {
    const grant = await this.lookup.grant(id);
    const chosen = ticked ?? (await this.links.linkedIds('grant', id)).map(String);
    const options = (await this.technologies.technologyOptions()).map((t) => ({
      ...t,
      checked: chosen.includes(String(t.id)),
    }));
    return {
      pageTitle: `Technologies — ${grant.awardNumber}`,
      grant,
      options,
      values: { version: await this.links.linksVersion('grant', id) },
    };
  }
}
