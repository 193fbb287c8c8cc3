import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsIsoDate, IsMoney, Trim } from '../../common/validation';

export class ProgramFormDto {
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the program name.' })
  @MaxLength(200)
  name: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the funding opportunity number, e.g. DE-FOA-0002483.' })
  @MaxLength(40)
  fundingOpportunity: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the office that runs the program.' })
  @MaxLength(200)
  office: string;

  @IsMoney()
  ceiling: string;

  @IsIsoDate()
  startDate: string;

  @IsIsoDate()
  endDate: string;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'Enter a whole percent from 0 to 100.' })
  @Min(0, { message: 'Enter a whole percent from 0 to 100.' })
  @Max(100, { message: 'Enter a whole percent from 0 to 100.' })
  costSharePercent: number;
}
