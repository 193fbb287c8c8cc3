import { Transform } from 'class-transformer';
import { IsArray, Matches } from 'class-validator';
import { toStringList } from './technology-form.dto';

const ID_MESSAGE = 'Choose from the list only.';

/** The grants linked to a technology: the whole set, as ticked (none ticked sends nothing: no links). */
export class GrantLinksFormDto {
  @Transform(toStringList)
  @IsArray({ message: ID_MESSAGE })
  @Matches(/^[1-9]\d{0,8}$/, { each: true, message: ID_MESSAGE })
  grantIds: string[] = [];
}

/** The technologies linked to a grant: the whole set, as ticked. */
export class TechnologyLinksFormDto {
  @Transform(toStringList)
  @IsArray({ message: ID_MESSAGE })
  @Matches(/^[1-9]\d{0,8}$/, { each: true, message: ID_MESSAGE })
  technologyIds: string[] = [];
}
