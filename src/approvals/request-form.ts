import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MultiLine } from '../common/forms';
import { OptionalQueryId, Trim } from '../common/validation';
import type { ApprovalRequest } from './approval-request.entity';

/** The fields every request adds to its feature's form. */
export interface RequestFields {
  /** Why it is needed, for the approving official. */
  justification?: string;
  /** The id of the rejected request that this submission revises. */
  revises?: string;
}

type FormClass = new (...args: any[]) => object; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The feature's form DTO with a (required) justification and the hidden `revises` field. */
export function requestForm<T extends FormClass>(Form: T) {
  const required = 'Say why this is needed: the approving official reads it before deciding.';
  class Requested extends Form {
    @Trim()
    @IsString({ message: required })
    @IsNotEmpty({ message: required })
    @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
    @MultiLine()
    justification?: string;

    @IsOptional()
    @Matches(/^\d{1,9}$/, { message: 'The request to revise is not a request number.' })
    revises?: string;
  }
  return Requested as unknown as new () => InstanceType<T> & RequestFields;
}

/** A validated request form, split into the feature's fields and the request's own. */
export function splitRequest<T extends object>(
  value: T & RequestFields,
): { form: Record<string, unknown>; justification: string; revises?: number } {
  const { justification, revises, ...form } = value as RequestFields & Record<string, unknown>;
  return {
    form: JSON.parse(JSON.stringify(form)) as Record<string, unknown>,
    justification: justification ?? '',
    revises: revises ? Number(revises) : undefined,
  };
}

/** `?revise=<id>` on a feature's form: fill it with that rejected request, to resubmit it. */
export class ReviseQueryDto {
  @OptionalQueryId('revise must be a request number')
  revise?: number;
}

/** The flash after a form became a request. */
export const requestedFlash = (request: ApprovalRequest): string =>
  `Request #${request.id} sent for approval${request.revision > 1 ? ` (revision ${request.revision})` : ''}: ${request.summary}. Nothing changes until an approving official approves it.`;
