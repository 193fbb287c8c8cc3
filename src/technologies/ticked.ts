import { toStringList } from './dto/technology-form.dto';

/** The values of a checkbox group as the form sent them, to tick them again on a re-rendered form. */
export function tickedIds(body: unknown, field: string): string[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : [];
  const list = toStringList({ value });
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}
