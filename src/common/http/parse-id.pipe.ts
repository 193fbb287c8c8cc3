import { Injectable, NotFoundException, PipeTransform } from '@nestjs/common';

/** Route ids: anything but a positive integer is simply a record that does not exist. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9]\d{0,15}$/.test(value))
      throw new NotFoundException(`No record has the id "${value}".`);
    return Number(value);
  }
}
