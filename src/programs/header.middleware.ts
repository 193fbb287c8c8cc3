import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProgramsService } from './programs.service';

/** Puts the program into every page's header. */
@Injectable()
export class HeaderMiddleware implements NestMiddleware {
  constructor(private readonly programs: ProgramsService) {}

  async use(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      res.locals.headerProgram = await this.programs.first();
      next();
    } catch (error) {
      next(error);
    }
  }
}
