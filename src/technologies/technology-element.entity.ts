import { Check, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { oneOf } from '../common/database/columns';
import { ELEMENT_SYMBOLS, ElementSymbol } from './technology.constants';
import { Technology } from './technology.entity';

/** One target element of a technology (a row each, so "which grants target Dy?" is one join). */
@Entity('technology_elements')
@Index(['element'])
@Check(oneOf('element', ELEMENT_SYMBOLS))
export class TechnologyElement {
  @PrimaryColumn('integer')
  technologyId: number;

  @PrimaryColumn('varchar')
  element: ElementSymbol;

  @ManyToOne(() => Technology, (t) => t.elements)
  @JoinColumn({ name: 'technology_id' })
  technology?: Technology;
}
