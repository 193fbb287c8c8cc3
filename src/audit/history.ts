import type { AuditEvent } from './audit-event.entity';
import { describeEvents, EventView, RecordNames } from './audit-display';

export type { EventView } from './audit-display';

/**
 * Events with their changes unpacked for a table of label: before → after (see audit-display.ts).
 * Without `names`, grants read `Grant #7`; AuditService.describe() looks their award numbers up.
 */
export function describeChanges(events: AuditEvent[], names: RecordNames = {}): EventView[] {
  return describeEvents(events, names);
}
