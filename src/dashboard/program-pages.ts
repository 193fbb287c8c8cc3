import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { refuseFilters } from '../common/http/filter-query';

/** The dashboard's query parameter for the page of a program's grants: `?p7=2`. */
export const programPageParam = (programId: number) => `p${programId}`;

const PARAM = /^p([1-9]\d{0,8})$/;
const PAGE = /^\d{1,7}$/;

/** Program id → the page of its grants to show. */
export type ProgramPages = ReadonlyMap<number, number>;

/**
 * Every `p<programId>` parameter of the query, so that paging through one program keeps the others
 * where they are. A blank one means page 1; anything but a whole number from 1 is refused with the
 * parameter's own message. A DTO cannot declare parameters named after ids, hence this reader.
 */
export function readProgramPages(raw: Record<string, unknown>): {
  pages: Map<number, number>;
  errors: Record<string, string>;
} {
  const pages = new Map<number, number>();
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const match = PARAM.exec(key);
    if (!match || value === '') continue;
    const page = typeof value === 'string' && PAGE.test(value) ? Number(value) : 0;
    if (page >= 1) pages.set(Number(match[1]), page);
    else
      errors[key] =
        `${key} (the page of program ${match[1]}’s grants) must be a whole number, 1 or more`;
  }
  return { pages, errors };
}

/**
 * `@ProgramPagesQuery() pages: ProgramPages`: the pages asked for; a refused one is left out (that
 * program shows its first page) and answered as `@FilterQuery()` answers: status 400 and the
 * message in `filterErrors`, for the `filter-notes` partial.
 */
export const ProgramPagesQuery = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ProgramPages => {
    const http = context.switchToHttp();
    const raw = http.getRequest<Request>().query as Record<string, unknown>;
    const { pages, errors } = readProgramPages(raw);
    if (Object.keys(errors).length > 0) refuseFilters(errors, raw, http.getResponse<Response>());
    return pages;
  },
);
