import { InitialSchema1764230400000 } from './1764230400000-InitialSchema';

/** Every migration, in order. A new migration is added here as well as in this folder. */
export const MIGRATIONS = [InitialSchema1764230400000];
