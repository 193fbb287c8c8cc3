import { ValueTransformer } from 'typeorm';

/** PostgreSQL returns BIGINT as a string; cents stay exact JavaScript integers up to 2^53. */
export const centsTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export { nowIso } from './recording-time';

/** A CHECK expression `"kind" IN ('a', 'b')`, written the same way in entities and migrations. */
export const oneOf = (column: string, values: readonly string[]): string =>
  `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
