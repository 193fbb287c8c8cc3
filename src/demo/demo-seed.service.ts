import { Injectable } from '@nestjs/common';

@Injectable()
export class DemoSeedService {
  async seedIfEmpty(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
