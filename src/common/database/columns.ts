import { ValueTransformer } from 'typeorm';

/** PostgreSQL returns BIGINT as a string; cents stay exact JavaScript integers up to 2^53. */
export const centsTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export const nowIso = (): string => new Date().toISOString();
