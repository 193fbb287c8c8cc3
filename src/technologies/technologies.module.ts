import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Grant } from '../grants/grant.entity';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { GrantTechnologiesController } from './grant-technologies.controller';
import { GrantTechnologiesService } from './grant-technologies.service';
import { GrantTechnology } from './grant-technology.entity';
import { PortfolioService } from './portfolio.service';
import { TechnologiesController } from './technologies.controller';
import { TechnologiesService } from './technologies.service';
import { TechnologyElement } from './technology-element.entity';
import { Technology } from './technology.entity';
import { TrlAssessment } from './trl-assessment.entity';
import { TrlAssessmentsService } from './trl-assessments.service';

/**
 * The technology catalogue, TRL assessments, grant ↔ technology links and the portfolio view. It reads
 * grants through GrantLookupModule (the portfolio's SQL through the grants repository); the grant page
 * (GrantPageModule) imports this module.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Technology,
      TechnologyElement,
      TrlAssessment,
      GrantTechnology,
      Grant,
    ]),
    AuditModule,
    GrantLookupModule,
  ],
  controllers: [TechnologiesController, GrantTechnologiesController],
  providers: [
    TechnologiesService,
    GrantTechnologiesService,
    TrlAssessmentsService,
    PortfolioService,
  ],
  exports: [TechnologiesService, GrantTechnologiesService, TrlAssessmentsService],
})
export class TechnologiesModule {}
