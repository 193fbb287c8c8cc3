import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BOM_FOR_EXCEL_MESSAGE, OptionalAsOf, OptionalBom } from '../../common/as-of-query.dto';
import {
  BlankToUndefined,
  IsIsoDate,
  IsOnOrBefore,
  OptionalQueryId,
} from '../../common/validation';
import { MILESTONE_KINDS, MilestoneKind } from '../../milestones/milestone.entity';

/**
 * What every register takes: `asOf`, `bom=1` for the CSV (a byte-order mark for Excel), and `after`,
 * the HTML view's keyset cursor. Anything malformed is a 400 that says what it expects, asOf first
 * (hence composed, like ReportQueryDto, rather than extending AsOfQuery).
 */
export class RegisterQueryDto {
  @OptionalAsOf()
  asOf?: string;

  @OptionalBom(BOM_FOR_EXCEL_MESSAGE)
  bom?: '0' | '1';

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(400)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'after must be a page link of this report.' })
  after?: string;
}

export class MilestonesRegisterQueryDto extends RegisterQueryDto {
  @OptionalQueryId('grantId must be a grant id, a whole number.')
  grantId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(MILESTONE_KINDS, { message: `kind must be one of ${MILESTONE_KINDS.join(', ')}.` })
  kind?: MilestoneKind;
}

export class AuditRegisterQueryDto extends RegisterQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'from must be a real date as YYYY-MM-DD.' })
  @IsOnOrBefore('to')
  from?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'to must be a real date as YYYY-MM-DD.' })
  to?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @Matches(/^[a-z_]+$/, {
    message: 'entityType must be a record type such as grant or expenditure.',
  })
  entityType?: string;

  @OptionalQueryId('entityId must be a record id, a whole number.')
  entityId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'actor must be a user’s email address.' })
  actor?: string;
}
