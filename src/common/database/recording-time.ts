import { AsyncLocalStorage } from 'node:async_hooks';

const recording = new AsyncLocalStorage<string>();

/**
 * Runs `work` as if the office recorded it at `at` (a UTC ISO timestamp): record history versions
 * (see the RecordHistory migration), audit events, created_at and the ledger's recorded_on all carry
 * that time. For telling a story on its own dates — the demo, and tests of what a past date shows —
 * never for requests: nothing a user sends can reach it.
 */
export function recordingAt<T>(at: string, work: () => Promise<T>): Promise<T> {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at)) {
    throw new Error(`recordingAt needs a UTC ISO timestamp, not ${at}`);
  }
  return recording.run(at, work);
}

/** The recording time set by recordingAt(), if any. */
export const recordingTimeOverride = (): string | undefined => recording.getStore();

/** Now, as the records will show it: the real time unless recordingAt() says otherwise. */
export const nowIso = (): string => recording.getStore() ?? new Date().toISOString();

/**
 * The statements that make the database's history triggers use the recording time, and forget it:
 * on SQLite a one-row table the triggers read (its transaction holds the database alone), on
 * PostgreSQL a setting local to the transaction (`tracker.recorded_at`), which no other connection sees.
 */
export const RECORDING_CLOCK = {
  sqlite: {
    set: `INSERT INTO recording_clock (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
    clear: `DELETE FROM recording_clock`,
  },
  postgres: {
    set: `SELECT set_config('tracker.recorded_at', $1, true)`,
    clear: `SELECT set_config('tracker.recorded_at', '', true)`,
  },
};
