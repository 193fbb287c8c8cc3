import { EntityManager, ObjectLiteral } from 'typeorm';

/**
 * Raw SQL with `:name` (and `:...list`) parameters, turned into each driver's placeholders, so the
 * report queries below read as SQL and still run on SQLite and PostgreSQL.
 */
export function namedQuery<T>(
  manager: EntityManager,
  sql: string,
  params: ObjectLiteral = {},
): Promise<T[]> {
  const [text, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  return manager.query<T[]>(text, values);
}
