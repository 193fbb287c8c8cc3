import { AsOfQuery } from '../../common/as-of-query.dto';
import { OptionalQueryId } from '../../common/validation';

/** `/deadlines?asOf=&grantId=`: the program's deadlines as of a date, or one grant's. */
export class DeadlinesQueryDto extends AsOfQuery {
  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;
}
