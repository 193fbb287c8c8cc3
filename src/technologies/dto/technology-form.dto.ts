import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsIsoDate, Trim } from '../../common/validation';
import {
  ELEMENT_SYMBOLS,
  ElementSymbol,
  Feedstock,
  FEEDSTOCK_CODES,
  Pathway,
  PATHWAYS,
} from '../technology.constants';
import { MultiLine } from '../../common/forms';

export const TRL_MESSAGE = 'TRL is a whole number from 1 to 9';

/**
 * Repeated checkboxes arrive as a string (one ticked), an array (several) or nothing (none); a very
 * long list may come keyed by index. Always an array of strings here.
 */
export const toStringList = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>);
  return value;
};

/** A TRL stays the text the form sent (so a re-rendered form shows it); the service reads the number. */
export const IsTrl = () => Matches(/^[1-9]$/, { message: TRL_MESSAGE });

/** The catalogue fields of a technology: the edit form. The current TRL is not among them. */
export class TechnologyFormDto {
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the technology’s name.' })
  @MaxLength(200, { message: 'Use at most 200 characters.' })
  name: string;

  @IsIn(PATHWAYS, { message: 'Choose the pathway.' })
  pathway: Pathway;

  @IsIn(FEEDSTOCK_CODES, { message: 'Choose the feedstock.' })
  feedstock: Feedstock;

  @Transform(toStringList)
  @IsArray({ message: 'Choose at least one target element.' })
  @ArrayNotEmpty({ message: 'Choose at least one target element.' })
  @IsIn(ELEMENT_SYMBOLS, {
    each: true,
    message: 'Choose target elements from the list only.',
  })
  elements: ElementSymbol[] = [];

  @Trim()
  @IsString({ message: TRL_MESSAGE })
  @IsTrl()
  targetTrl: string;

  @Trim()
  @IsString()
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  description: string = '';
}

/** A new technology also records its first assessment, which sets its current TRL. */
export class NewTechnologyFormDto extends TechnologyFormDto {
  @Trim()
  @IsString({ message: TRL_MESSAGE })
  @IsTrl()
  currentTrl: string;

  @IsIsoDate()
  assessedOn: string;

  @Trim()
  @IsString()
  @IsNotEmpty({
    message: 'Describe the evidence for this TRL (test report, demonstration, review).',
  })
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  evidence: string;
}
