import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Technology } from './technology.entity';

/** A dated TRL assessment with its evidence. Never edited or deleted: the history is the record. */
@Entity('trl_assessments')
@Index(['technologyId', 'assessedOn'])
@Check('"trl" BETWEEN 1 AND 9')
@Check('length("assessed_on") = 10')
export class TrlAssessment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  technologyId: number;

  @ManyToOne(() => Technology)
  @JoinColumn({ name: 'technology_id' })
  technology?: Technology;

  @Column('varchar')
  assessedOn: string;

  @Column('integer')
  trl: number;

  @Column('text')
  evidence: string;

  /** The email of the user who recorded it (kept as text: it must outlive the account). */
  @Column('varchar')
  recordedBy: string;

  @Column('varchar')
  createdAt: string;
}
