import type { AuditEvent, FieldChange } from './audit-event.entity';

export interface EventView extends AuditEvent {
  fields: { name: string; before: string; after: string }[];
}

/** Audit values are JSON scalars (strings, numbers, booleans) or null. */
const show = (value: unknown): string =>
  value === null || value === undefined
    ? '—'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/** Events with their changes unpacked for a table of field: before → after. */
export function describeChanges(events: AuditEvent[]): EventView[] {
  return events.map((event) => {
    const changes = JSON.parse(event.changes) as Record<string, FieldChange>;
    const fields = Object.entries(changes).map(([name, change]) => ({
      name,
      before: show(change.before),
      after: show(change.after),
    }));
    return { ...event, fields };
  });
}
