import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/common/config';
import { ReconciliationService } from '../src/reports/reconciliation.service';
import { reconciliationPage } from '../src/reports/reconciliation.page';
async function main() {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ ...loadConfig(), SEED_DEMO: false }), { logger: false });
  const report = await ctx.get(ReconciliationService).report('2026-12-02');
  const page = reconciliationPage(report, {});
  console.log(report.rows.length, page.programs.length, page.page.items.length, page.page.total);
  await ctx.close();
}
void main();
