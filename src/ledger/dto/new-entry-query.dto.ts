import { OptionalQueryId } from '../../common/validation';

/** `/ledger/new?grantId=`: the grant page's link preselects its grant. */
export class NewEntryQueryDto {
  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;
}
