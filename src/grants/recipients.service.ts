import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { RecipientFormDto } from './dto/recipient-form.dto';
import { Grant } from './grant.entity';
import { Recipient } from './recipient.entity';

export interface RecipientRow extends Recipient {
  grantCount: number;
}

@Injectable()
export class RecipientsService {
  constructor(
    @InjectRepository(Recipient) private readonly recipients: Repository<Recipient>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<RecipientRow[]> {
    const { entities, raw } = await this.recipients
      .createQueryBuilder('r')
      .addSelect('(SELECT COUNT(*) FROM grants g WHERE g.recipient_id = r.id)', 'grant_count')
      .orderBy('r.name', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getRawAndEntities<{ grant_count: number | string }>();
    return entities.map((recipient, i) => ({
      ...recipient,
      grantCount: Number(raw[i].grant_count),
    }));
  }

  /** For select boxes. */
  options(): Promise<Recipient[]> {
    return this.recipients.find({ order: { name: 'ASC' } });
  }

  async findOne(id: number): Promise<Recipient> {
    const recipient = await this.recipients.findOneBy({ id });
    if (!recipient) throw new NotFoundException(`Recipient ${id} does not exist.`);
    return recipient;
  }

  grantsOf(recipientId: number): Promise<Grant[]> {
    return this.recipients.manager.find(Grant, {
      where: { recipientId },
      order: { awardNumber: 'ASC' },
    });
  }

  create(form: RecipientFormDto): Promise<Recipient> {
    return this.writes.transaction(async (manager) => {
      await this.checkUei(manager, form.uei);
      return this.audit.insert(manager, Recipient, 'recipient', { ...this.fields(form) });
    });
  }

  update(id: number, version: number, form: RecipientFormDto): Promise<Recipient> {
    return this.writes.transaction(async (manager) => {
      await this.findOne(id);
      await this.checkUei(manager, form.uei, id);
      await this.audit.update(manager, Recipient, 'recipient', id, this.fields(form), {
        expectedVersion: version,
      });
      return this.findOne(id);
    });
  }

  /** Rule 8: a recipient that grants depend on cannot be deleted. */
  remove(id: number): Promise<Recipient> {
    return this.writes.transaction(async (manager) => {
      const recipient = await this.findOne(id);
      const grants = await manager.countBy(Grant, { recipientId: id });
      if (grants > 0) {
        throw new FormError({
          delete: `${recipient.name} is the recipient of ${grants} grant${grants === 1 ? '' : 's'}, so it cannot be deleted: the awards must keep pointing at it.`,
        });
      }
      await this.audit.remove(manager, Recipient, 'recipient', id);
      return recipient;
    });
  }

  toFormValues(recipient: Recipient): Record<string, string | number> {
    return {
      name: recipient.name,
      type: recipient.type,
      state: recipient.state,
      uei: recipient.uei ?? '',
      version: recipient.version,
    };
  }

  private fields(form: RecipientFormDto) {
    return {
      name: form.name,
      type: form.type,
      state: form.state,
      uei: form.uei ? form.uei.toUpperCase() : null,
    };
  }

  private async checkUei(
    manager: EntityManager,
    uei: string | null,
    ownId?: number,
  ): Promise<void> {
    if (!uei) return;
    const other = await manager.findOneBy(Recipient, { uei: uei.toUpperCase() });
    if (other && other.id !== ownId) {
      throw new FormError({ uei: `UEI ${other.uei} already belongs to ${other.name}.` });
    }
  }
}
