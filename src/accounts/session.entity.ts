import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** express-session's sessions, kept in the database so they survive restarts and can be ended per user. */
@Entity('sessions')
export class SessionRecord {
  @PrimaryColumn('varchar')
  sid: string;

  @Index()
  @Column('integer', { nullable: true })
  userId: number | null;

  @Column('text')
  data: string;

  @Index()
  @Column('varchar')
  expiresAt: string;
}
