import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { AppConfig } from './config';
import { SigningKey } from './signing-key';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        Clock,
        { provide: SigningKey, useValue: new SigningKey(config.SESSION_SECRET) },
      ],
      exports: [AppConfig, Clock, SigningKey],
    };
  }
}
