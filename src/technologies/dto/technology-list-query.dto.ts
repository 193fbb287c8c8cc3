import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BlankToUndefined, QueryInt } from '../../common/validation';
import {
  ELEMENT_SYMBOLS,
  ElementSymbol,
  Feedstock,
  FEEDSTOCK_CODES,
  Pathway,
  PATHWAYS,
} from '../technology.constants';

/** The catalogue's filters, like the grants list: a value outside its vocabulary is a 400. */
export class TechnologyListQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(PATHWAYS, { message: `pathway must be one of ${PATHWAYS.join(', ')}` })
  pathway?: Pathway;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(FEEDSTOCK_CODES, { message: `feedstock must be one of ${FEEDSTOCK_CODES.join(', ')}` })
  feedstock?: Feedstock;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(ELEMENT_SYMBOLS, { message: `element must be one of ${ELEMENT_SYMBOLS.join(', ')}` })
  element?: ElementSymbol;

  /** The current TRL. */
  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'trl must be a whole number from 1 to 9' })
  @Min(1, { message: 'trl must be a whole number from 1 to 9' })
  @Max(9, { message: 'trl must be a whole number from 1 to 9' })
  trl?: number;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be 1 or more' })
  @Max(1_000_000)
  page?: number;
}
