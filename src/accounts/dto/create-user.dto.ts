import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation';
import { Role, ROLES } from '../user.entity';

export class CreateUserDto {
  @Trim()
  @IsEmail({}, { message: 'Enter an email address, like name@example.gov.' })
  @MaxLength(200)
  email: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the person’s name.' })
  @MaxLength(200)
  name: string;

  @IsIn(ROLES, { message: 'Choose a role.' })
  role: Role;

  /** Checked against the password policy by UsersService (length, common passwords). */
  @IsString({ message: 'Enter a password.' })
  password: string;
}

export class ChangeRoleDto {
  @IsIn(ROLES, { message: 'Choose a role.' })
  role: Role;

  /** The checkbox: present ("true") when ticked. */
  @IsOptional()
  @IsIn(['true'], { message: 'Tick the box or leave it empty.' })
  alsoApproves?: 'true';
}
