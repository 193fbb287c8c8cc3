import { EntityManager, ObjectLiteral } from 'typeorm';

/**
 * Raw SQL with `:name` (and `:...list`) parameters, turned into each driver's placeholders, so a
 * query written as SQL (reports, ledger checks, budgets) still runs on SQLite and PostgreSQL.
 */
export function namedQuery<T>(
  manager: EntityManager,
  sql: string,
  params: ObjectLiteral = {},
): Promise<T[]> {
  const [text, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  return manager.query<T[]>(text, values);
}
