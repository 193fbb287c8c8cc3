import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, openDatabase } from '../../database';
import { AppConfig } from '../config';
import { ReadCache } from './read-cache';
import { guardDataSource, WritePath } from './write-path';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => dataSourceOptions(config.DATABASE_PATH),
      dataSourceFactory: async (options) => {
        const dataSource = await openDatabase((options as { database: string }).database);
        guardDataSource(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [
    { provide: WritePath, inject: [DataSource], useFactory: (ds: DataSource) => new WritePath(ds) },
    { provide: ReadCache, inject: [DataSource], useFactory: (ds: DataSource) => new ReadCache(ds) },
  ],
  exports: [WritePath, ReadCache],
})
export class DatabaseModule {}
