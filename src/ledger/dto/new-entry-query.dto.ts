import { OptionalQueryId } from '../../common/validation';

/** `/ledger/new?grantId=`: the grant page's link preselects its grant. */
export class NewEntryQueryDto {
  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;

  /** A rejected expenditure request to fill the form with, to revise and resubmit it. */
  @OptionalQueryId('revise must be a request number')
  revise?: number;
}
