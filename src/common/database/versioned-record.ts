import { Column, PrimaryGeneratedColumn } from 'typeorm';

/** The columns every editable record shares: its id, its optimistic-lock version and UTC timestamps. */
export abstract class VersionedRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer', { default: 1 })
  version: number;

  @Column('varchar')
  createdAt: string;

  @Column('varchar')
  updatedAt: string;
}
