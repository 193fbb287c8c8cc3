import { Check, Column, Entity, OneToMany, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { oneOf } from '../common/database/columns';
import { Feedstock, FEEDSTOCK_CODES, Pathway, PATHWAYS } from './technology.constants';
import { TechnologyElement } from './technology-element.entity';

/** An extraction or recycling technology a grant develops. */
@Entity('technologies')
@Unique(['name'])
@Check(oneOf('pathway', PATHWAYS))
@Check(oneOf('feedstock', FEEDSTOCK_CODES))
@Check('"current_trl" BETWEEN 1 AND 9')
@Check('"target_trl" BETWEEN 1 AND 9')
export class Technology extends VersionedRecord {
  @Column('varchar')
  name: string;

  @Column('varchar')
  pathway: Pathway;

  @Column('varchar')
  feedstock: Feedstock;

  /** The TRL of the latest assessment; written only when an assessment is recorded. */
  @Column('integer')
  currentTrl: number;

  @Column('integer')
  targetTrl: number;

  @Column('text', { default: '' })
  description: string;

  @OneToMany(() => TechnologyElement, (e) => e.technology)
  elements?: TechnologyElement[];
}
