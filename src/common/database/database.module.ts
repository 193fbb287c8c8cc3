import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseLocation, dataSourceOptions, openDatabase } from '../../database';
import { AppConfig } from '../config';
import { ReadCache } from './read-cache';
import { guardDataSource, WritePath } from './write-path';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => dataSourceOptions(databaseLocation(config)),
      dataSourceFactory: async (options) => {
        const { url, database } = options as { url?: string; database?: string };
        const dataSource = await openDatabase(url ?? database!);
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
