import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting: recorded on every audit event. Scripts and the demo seed act as "system". */
export interface Actor {
  id: number | null;
  email: string;
  name: string;
  role: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, email: 'system', name: 'System', role: 'system' };

const storage = new AsyncLocalStorage<Actor>();

/** Runs the rest of a request (or a script) as `actor`. */
export function runAs<T>(actor: Actor, work: () => T): T {
  return storage.run(actor, work);
}

export function currentActor(): Actor {
  return storage.getStore() ?? SYSTEM_ACTOR;
}
