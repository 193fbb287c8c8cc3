import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Grant } from '../grants/grant.entity';
import { Technology } from './technology.entity';

/** The many-to-many link between grants and the technologies they develop. */
@Entity('grant_technologies')
@Index(['technologyId'])
export class GrantTechnology {
  @PrimaryColumn('integer')
  grantId: number;

  @PrimaryColumn('integer')
  technologyId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  @ManyToOne(() => Technology)
  @JoinColumn({ name: 'technology_id' })
  technology?: Technology;
}
