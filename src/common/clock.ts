import { Injectable } from '@nestjs/common';
import { AppConfig } from './config';
import { recordingTimeOverride } from './database/recording-time';
import { todayIn } from './dates';

/** "Today" is the program office's calendar date (APP_TIME_ZONE), not the server's or UTC's. */
@Injectable()
export class Clock {
  constructor(private readonly config: AppConfig) {}

  today(): string {
    const at = recordingTimeOverride();
    return todayIn(this.config.APP_TIME_ZONE, at ? new Date(at) : undefined);
  }
}
