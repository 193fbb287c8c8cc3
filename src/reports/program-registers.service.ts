import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import { asOfOrToday } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { MILESTONE_KINDS } from '../milestones/milestone.entity';
import { namedQuery } from '../common/database/named-query';
import { AuditService } from '../audit/audit.service';
import type { AuditEvent } from '../audit/audit-event.entity';
import type { FieldView, Shown } from '../audit/audit-display';
import { auditRegister, AUDIT_KEY_SHAPE, AuditRegisterRow } from './audit-register';
import { COST_SHARE_KEY_SHAPE, costShareRegister } from './cost-share-register';
import {
  AuditRegisterQueryDto,
  MilestonesRegisterQueryDto,
  RegisterQueryDto,
} from './dto/program-registers-query.dto';
import { Register } from './keyset';
import { MILESTONE_KEY_SHAPE, milestonesRegister } from './milestones-register';
import { PageCell, pageCells, registerPage } from './register-page';
import { ServedReport } from './report-routes';
import { TECHNOLOGY_KEY_SHAPE, technologiesRegister } from './technologies-register';

export type RegisterName = 'milestones' | 'technologies' | 'cost-share' | 'audit';

/** A report with what its page, links and manifest need to say about how it was asked for. */
export interface BuiltRegister {
  name: RegisterName;
  asOf: string;
  /** The report's own parameters as given (asOf and bom apart), for links and the manifest. */
  parameters: Record<string, string>;
  report: Register<unknown>;
  keyShape: ('string' | 'number')[];
}

export interface FilterField {
  id: string;
  label: string;
  hint?: string;
  type: 'date' | 'text' | 'select';
  value: string;
  options?: { value: string; label: string; selected: boolean }[];
}

export interface RegisterCell extends PageCell {
  /** The audit trail's changes read as labelled fields (the stored JSON is `text`). */
  fields?: FieldView[];
  /** The audit trail's record, linked to its page. */
  record?: Shown | null;
}

const TITLES: Record<RegisterName, { title: string; description: string }> = {
  milestones: {
    title: 'Milestones and go/no-go decisions',
    description:
      'Every milestone with its status as of the date: a completion or decision dated later shows as not yet made (the decision reads pending).',
  },
  technologies: {
    title: 'Technologies with TRL history',
    description:
      'One row per TRL assessment made on or before the date, with the technology’s pathway, feedstock, target elements, target TRL and linked awards.',
  },
  'cost-share': {
    title: 'Cost share',
    description:
      'Per grant: the program’s required percent of the total project cost, the recipient’s commitment, and the cost share met in the ledger as of the date.',
  },
  audit: {
    title: 'Audit trail',
    description:
      'Every recorded change and sign-in up to the end of the date, in the order of its hash chain. The page reads each change as labelled values; the CSV has the changes exactly as stored (and each row here shows them too).',
  },
};

const given = (values: Record<string, string | number | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );

/**
 * Builds the registers of /reports (milestones, technologies, cost share, the audit trail) from a
 * validated query, and shapes one HTML page of any of them. The rows of the page, the CSV and the
 * manifest all come from the same Register, so they cannot disagree.
 */
@Injectable()
export class ProgramRegistersService {
  constructor(
    @InjectEntityManager() private readonly manager: EntityManager,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly auditTrail: AuditService,
  ) {}

  milestones(query: MilestonesRegisterQueryDto): BuiltRegister {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return {
      name: 'milestones',
      asOf,
      parameters: given({ grantId: query.grantId, kind: query.kind }),
      report: milestonesRegister(this.manager, {
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
        grantId: query.grantId,
        kind: query.kind,
      }) as Register<unknown>,
      keyShape: MILESTONE_KEY_SHAPE,
    };
  }

  technologies(query: RegisterQueryDto): BuiltRegister {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return {
      name: 'technologies',
      asOf,
      parameters: {},
      report: technologiesRegister(this.manager, {
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
      }) as Register<unknown>,
      keyShape: TECHNOLOGY_KEY_SHAPE,
    };
  }

  costShare(query: RegisterQueryDto): BuiltRegister {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return {
      name: 'cost-share',
      asOf,
      parameters: {},
      report: costShareRegister(this.manager, {
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
      }) as Register<unknown>,
      keyShape: COST_SHARE_KEY_SHAPE,
    };
  }

  audit(query: AuditRegisterQueryDto): BuiltRegister {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    const actor = query.actor?.trim().toLowerCase();
    return {
      name: 'audit',
      asOf,
      parameters: given({
        from: query.from,
        to: query.to,
        entityType: query.entityType,
        entityId: query.entityId,
        actor,
      }),
      report: auditRegister(this.manager, {
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
        from: query.from,
        to: query.to,
        entityType: query.entityType,
        entityId: query.entityId,
        actor,
      }) as Register<unknown>,
      keyShape: AUDIT_KEY_SHAPE,
    };
  }

  /** A register as report-routes.ts serves it: its page (from the keyset cursor `after`), its CSV. */
  served(built: BuiltRegister, after: string | undefined): ServedReport {
    const { asOf, parameters, report } = built;
    return { asOf, parameters, csv: report, page: () => this.page(built, after) };
  }

  /** The view model of views/reports/program-register.hbs: one keyset page of rows and the links. */
  private async page(built: BuiltRegister, after: string | undefined) {
    const { name, asOf, parameters, report } = built;
    const columns = report.columns.map((c) => c.name);
    return registerPage(
      {
        report,
        path: `/reports/${name}`,
        ...TITLES[name],
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
        parameters,
        keyShape: built.keyShape,
        after,
      },
      (rows) => this.readableAudit(name, pageCells(report, rows), rows, columns),
      { isAudit: name === 'audit', fields: await this.fields(name, parameters) },
    );
  }

  /**
   * On the audit page, the changes cell also reads as labelled fields and the record cell links to
   * it (audit-display.ts, as in every History); the CSV is untouched and keeps the stored JSON.
   */
  private async readableAudit(
    name: RegisterName,
    rows: RegisterCell[][],
    records: unknown[],
    columns: string[],
  ): Promise<RegisterCell[][]> {
    if (name !== 'audit') return rows;
    const events = (records as AuditRegisterRow[]).map((r): AuditEvent => ({
      ...r,
      actorId: null,
    }));
    const described = await this.auditTrail.describe(events);
    return rows.map((cells, i) =>
      cells.map((cell, c) =>
        columns[c] === 'changes'
          ? { ...cell, fields: described[i].fields }
          : columns[c] === 'entity_id'
            ? { ...cell, record: described[i].record }
            : cell,
      ),
    );
  }

  private async fields(
    name: RegisterName,
    parameters: Record<string, string>,
  ): Promise<FilterField[]> {
    if (name === 'milestones') {
      const grants = await namedQuery<{ id: number; awardNumber: string }>(
        this.manager,
        'SELECT g.id AS "id", g.award_number AS "awardNumber" FROM grants g ORDER BY g.award_number',
      );
      return [
        {
          id: 'grantId',
          label: 'Grant',
          type: 'select',
          value: parameters.grantId ?? '',
          options: grants.map((g) => ({
            value: String(g.id),
            label: g.awardNumber,
            selected: String(g.id) === parameters.grantId,
          })),
        },
        {
          id: 'kind',
          label: 'Kind',
          type: 'select',
          value: parameters.kind ?? '',
          options: MILESTONE_KINDS.map((kind) => ({
            value: kind,
            label: kind.replace(/_/g, ' '),
            selected: kind === parameters.kind,
          })),
        },
      ];
    }
    if (name === 'audit') {
      const zone = this.config.APP_TIME_ZONE;
      return [
        {
          id: 'from',
          label: 'From',
          hint: `Calendar day in ${zone}`,
          type: 'date',
          value: parameters.from ?? '',
        },
        {
          id: 'to',
          label: 'To',
          hint: `Calendar day in ${zone}`,
          type: 'date',
          value: parameters.to ?? '',
        },
        {
          id: 'entityType',
          label: 'Record type',
          hint: 'For example grant',
          type: 'text',
          value: parameters.entityType ?? '',
        },
        { id: 'entityId', label: 'Record id', type: 'text', value: parameters.entityId ?? '' },
        { id: 'actor', label: 'User (email)', type: 'text', value: parameters.actor ?? '' },
      ];
    }
    return [];
  }
}
