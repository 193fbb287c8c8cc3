import { Injectable } from '@nestjs/common';
import type { RequestKindName } from './approval-request.entity';

/** A request as its kind sees it: the grant, the record it acts on, and the form as typed. */
export interface RequestedAction {
  id?: number;
  grantId: number;
  targetId: number | null;
  payload: Record<string, unknown>;
}

/** One line of a request's before/after, as the records stand now. */
export interface RequestChange {
  label: string;
  before: string;
  after: string;
}

/** What approving a request created or changed. */
export interface RequestEffect {
  type: string;
  id: number;
}

/**
 * One kind of request, registered by the feature that owns its rules (amendments by grants, budget
 * revisions by budgets, …), so that approvals never reach into a feature and no feature depends on
 * approvals' pages. `apply` is the action the form used to take at once: it validates the stored form
 * again and runs the feature's own service, in the caller's write transaction, throwing FormError
 * (or EditConflictError) when a rule refuses it now.
 */
export interface RequestKind {
  readonly name: RequestKindName;
  /** "Amendment", "Budget revision", … */
  readonly label: string;
  apply(action: RequestedAction): Promise<RequestEffect>;
  /** What it would change if approved now. */
  changes(action: RequestedAction): Promise<RequestChange[]>;
  /** The feature's form, filled with the request, to revise and resubmit it. */
  revisePath(action: RequestedAction & { id: number }): string;
  /** The page that shows what approving it created or changed. */
  resultPath(action: RequestedAction, effect: RequestEffect): string;
}

/** The kinds of request, each registered by its feature when the app starts (onModuleInit). */
@Injectable()
export class RequestKinds {
  private readonly kinds = new Map<RequestKindName, RequestKind>();

  register(kind: RequestKind): void {
    this.kinds.set(kind.name, kind);
  }

  get(name: RequestKindName): RequestKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new Error(`No request kind "${name}" is registered`);
    return kind;
  }

  label(name: RequestKindName): string {
    return this.kinds.get(name)?.label ?? name;
  }
}
