import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  ELEMENT_SYMBOLS,
  ElementSymbol,
  Feedstock,
  FEEDSTOCK_CODES,
  Pathway,
  PATHWAYS,
} from '../technology.constants';

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value)
    ? Number(value)
    : blankToUndefined({ value });

/** The catalogue's filters, like the grants list: a value outside its vocabulary is a 400. */
export class TechnologyListQueryDto {
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(PATHWAYS, { message: `pathway must be one of ${PATHWAYS.join(', ')}` })
  pathway?: Pathway;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(FEEDSTOCK_CODES, { message: `feedstock must be one of ${FEEDSTOCK_CODES.join(', ')}` })
  feedstock?: Feedstock;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(ELEMENT_SYMBOLS, { message: `element must be one of ${ELEMENT_SYMBOLS.join(', ')}` })
  element?: ElementSymbol;

  /** The current TRL. */
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'trl must be a whole number from 1 to 9' })
  @Min(1, { message: 'trl must be a whole number from 1 to 9' })
  @Max(9, { message: 'trl must be a whole number from 1 to 9' })
  trl?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be 1 or more' })
  @Max(1_000_000)
  page?: number;
}
