import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Clock } from '../src/common/clock';
import { addDays } from '../src/common/dates';
import { recordingAt } from '../src/common/database/recording-time';
import { REPORT_CATALOG } from '../src/reports/report-catalog';
import { GrantTechnology } from '../src/technologies/grant-technology.entity';
import {
  FIXTURES_RECORDED_AT,
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrant,
  makeMilestone,
  makePlannedSpend,
  makeProgram,
  makeRecipient,
  makeTechnology,
  spend,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import { approveFiled, JUSTIFICATION } from './helpers/approvals';
import { download } from './helpers/downloads';
import { formFields, reverseEntry, submitPageForm } from './helpers/forms';
import { Agent, freshAppPerTest } from './helpers/test-app';

/**
 * The auditors' promise (DESIGN.md §4, issue 14), as a metamorphic property: every CSV and every
 * manifest on /reports for a past date D is the same file, byte for byte, whatever the office does
 * afterwards through the app — while the same reports for today do change.
 */

type Files = Map<string, string>;

interface Office {
  programId: number;
  recipientIds: number[];
  grantIds: number[];
  milestoneIds: number[];
  technologyId: number;
  entryIds: number[];
}

/** A small office, recorded long before D: two grants with budgets, plans, milestones and spending. */
async function buildOffice(t: ReturnType<typeof freshAppPerTest>): Promise<Office> {
  const program = await makeProgram(t, { ceilingCents: 300_000_000 });
  const recipients = [await makeRecipient(t), await makeRecipient(t, { type: 'industry' })];
  const office: Office = {
    programId: program.id,
    recipientIds: recipients.map((r) => r.id),
    grantIds: [],
    milestoneIds: [],
    technologyId: 0,
    entryIds: [],
  };
  for (const [i, recipient] of recipients.entries()) {
    const grant = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      costShareCommittedCents: 10_000_000 * (i + 1),
    });
    office.grantIds.push(grant.id);
    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 50_000_000 });
    await makeAmendment(t, {
      grantId: grant.id,
      federalChangeCents: 25_000_000,
      effectiveDate: '2026-04-01',
    });
    await makeBudget(t, grant.id, [
      [1, 'personnel', 30_000_000, 5_000_000],
      [1, 'travel', 2_000_001, 0],
      [2, 'personnel', 40_000_000, 5_000_000],
      [2, 'supplies', 3_000_000, 0],
    ]);
    await makePlannedSpend(t, grant.id, [
      [1, 'personnel', '2025-06', 2_500_000, 400_000],
      [1, 'travel', '2025-09', 166_667, 0],
      [2, 'personnel', '2026-06', 3_333_333, 400_000],
      [2, 'personnel', '2026-11', 3_333_334, 400_000],
    ]);
    const gate = await makeMilestone(t, {
      grantId: grant.id,
      kind: 'go_no_go',
      dueDate: '2026-03-31',
      decision: 'go',
      decidedOn: '2026-03-20',
      decidedBy: 'manager@example.gov',
      rationale: 'Met the BP1 targets.',
    });
    const deliverable = await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 2,
      dueDate: '2026-09-30',
    });
    office.milestoneIds.push(gate.id, deliverable.id);
    office.entryIds.push(
      (await spend(t, grant.id, '2025-06-15', 1_234_567)).id,
      (await spend(t, grant.id, '2025-09-01', 99, { category: 'travel' })).id,
      (await spend(t, grant.id, '2026-06-10', 2_000_000, { budgetPeriod: 2 })).id,
      (await spend(t, grant.id, '2026-07-01', 300_000, { budgetPeriod: 2, share: 'cost_share' }))
        .id,
    );
  }
  const technology = await makeTechnology(t);
  office.technologyId = technology.id;
  await recordingAt(FIXTURES_RECORDED_AT, () =>
    t.writes.transaction(async (m) => {
      await m.insert(GrantTechnology, { grantId: office.grantIds[0], technologyId: technology.id });
      await t.audit.record(m, {
        action: 'link',
        entityType: 'grant',
        entityId: office.grantIds[0],
      });
    }),
  );
  return office;
}

/**
 * Every CSV and manifest the reports index offers for `asOf`, per grant where the report is, and
 * each grant's page as of that date (its main content).
 */
async function downloadAll(agent: Agent, office: Office, asOf: string): Promise<Files> {
  const files: Files = new Map();
  const urls: string[] = [];
  for (const entry of REPORT_CATALOG.filter((e) => e.csv !== false)) {
    const paths = entry.path.includes(':id')
      ? office.grantIds.map((id) => entry.path.replace(':id', String(id)))
      : [entry.path];
    const extra = entry.parameters.includes('programId') ? `&programId=${office.programId}` : '';
    for (const path of paths) {
      urls.push(`${path}.csv?asOf=${asOf}${extra}`, `${path}.manifest.json?asOf=${asOf}${extra}`);
    }
  }
  // Each grant's page as of the date: the records of the time, budget periods included.
  for (const id of office.grantIds) {
    const url = `/grants/${id}?asOf=${asOf}`;
    const res = await agent.get(url);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    // Less the note of what differs today, which is meant to change.
    const main = /<main[\s\S]*<\/main>/.exec(res.text)?.[0] ?? '';
    files.set(url, main.replace(/<ul [^>]*data-testid="changed-since">[\s\S]*?<\/ul>/, ''));
  }
  for (const url of urls) {
    const { res, bytes } = await download(agent, url);
    if (res.status !== 200)
      throw new Error(`${url} answered ${res.status}: ${bytes.toString('utf8').slice(0, 3000)}`);
    files.set(url, bytes.toString('utf8'));
  }
  return files;
}

const fingerprint = (files: Files) =>
  createHash('sha256')
    .update([...files.values()].join('\u0000'))
    .digest('hex');

/** One thing a program manager does through the app after D; resolves to the response status. */
type Operation = {
  kind: string;
  name: string;
  /** `approver` approves what the manager's forms file as requests. */
  run: (agent: Agent, office: Office, d: string, approver: Agent) => Promise<number>;
};

const grantIndex = fc.integer({ min: 0, max: 1 });
const daysBefore = fc.integer({ min: 0, max: 120 });
const cents = fc.integer({ min: 1, max: 5_000_000 });
const dollars = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

const operations: fc.Arbitrary<Operation> = fc
  .oneof(
    fc
      .record({ g: grantIndex, back: daysBefore, c: cents, up: fc.boolean() })
      .map(({ g, back, c, up }): Operation => ({
        kind: 'amendment',
        name: `${up ? 'increment' : 'deobligation'} of ${c} on grant ${g}, effective D-${back}`,
        run: async (agent, office, d, approver) =>
          approveFiled(
            approver,
            await agent
              .post(`/grants/${office.grantIds[g]}/amendments`)
              .type('form')
              .send({
                justification: JUSTIFICATION,
                kind: up ? 'incremental_funding' : 'deobligation',
                effectiveDate: addDays(d, -back),
                federalChange: up ? dollars(c) : `-${dollars(c)}`,
                note: 'Entered late',
              }),
          ),
      })),
    fc
      .record({ g: grantIndex, c: cents, rename: fc.boolean() })
      .map(({ g, c, rename }): Operation => ({
        kind: 'grant edit',
        name: `grant ${g} edited (${rename ? 'award number and title' : 'cost share'})`,
        run: async (agent, office) => {
          const id = office.grantIds[g];
          const changes: Record<string, string> = rename
            ? {
                awardNumber: `DE-SC99${String(c % 100000).padStart(5, '0')}`,
                title: `Renamed ${c}`,
              }
            : { costShareCommitted: dollars(c * 10) };
          return (await submitPageForm(agent, `/grants/${id}/edit`, `/grants/${id}`, changes))
            .status;
        },
      })),
    fc.record({ r: grantIndex, c: cents }).map(({ r, c }): Operation => ({
      kind: 'recipient edit',
      name: `recipient ${r} renamed`,
      run: async (agent, office) => {
        const id = office.recipientIds[r];
        return (
          await submitPageForm(agent, `/recipients/${id}/edit`, `/recipients/${id}`, {
            name: `Renamed Institute ${c}`,
          })
        ).status;
      },
    })),
    fc.record({ c: cents }).map(({ c }): Operation => ({
      kind: 'program edit',
      name: 'program renamed and its cost-share percent changed',
      run: async (agent, office) =>
        (
          await submitPageForm(
            agent,
            `/programs/${office.programId}/edit`,
            `/programs/${office.programId}`,
            { name: `Renamed Program ${c}`, costSharePercent: String(c % 50) },
          )
        ).status,
    })),
    fc.record({ g: grantIndex, c: cents }).map(({ g, c }): Operation => ({
      kind: 'budget revision',
      name: `budget of grant ${g} revised`,
      run: async (agent, office, _d, approver) => {
        const id = office.grantIds[g];
        // Moves money between BP1's two lines: the budget's total stays the same.
        const moved = c % 2_000_001;
        return approveFiled(
          approver,
          await submitPageForm(agent, `/grants/${id}/budget/edit`, `/grants/${id}/budget`, {
            'lines[1][personnel][federal]': dollars(30_000_000 + moved),
            'lines[1][travel][federal]': dollars(2_000_001 - moved),
            justification: JUSTIFICATION,
          }),
        );
      },
    })),
    fc
      .record({ g: grantIndex, shift: fc.integer({ min: 1, max: 20 }) })
      .map(({ g, shift }): Operation => ({
        kind: 'budget periods edit',
        name: `budget periods of grant ${g}: BP1 end moved ${shift} days`,
        run: async (agent, office) => {
          const id = office.grantIds[g];
          const end = addDays('2026-03-31', shift);
          return (
            await submitPageForm(
              agent,
              `/grants/${id}/budget-periods/edit`,
              `/grants/${id}/budget-periods`,
              { 'periods[0][endDate]': end, 'periods[1][startDate]': addDays(end, 1) },
            )
          ).status;
        },
      })),
    fc
      .record({ g: grantIndex, months: fc.integer({ min: 1, max: 12 }) })
      .map(({ g, months }): Operation => ({
        kind: 'no-cost extension',
        name: `no-cost extension of grant ${g} by ${months} months`,
        run: async (agent, office, d, approver) =>
          approveFiled(
            approver,
            await agent
              .post(`/grants/${office.grantIds[g]}/amendments`)
              .type('form')
              .send({
                justification: JUSTIFICATION,
                kind: 'no_cost_extension',
                effectiveDate: d,
                federalChange: '0.00',
                newEndDate: addDays('2028-03-31', months * 30),
                note: 'Extension',
              }),
          ),
      })),
    fc.record({ c: cents, back: daysBefore }).map(({ c, back }): Operation => ({
      kind: 'new grant',
      name: `new grant with an award back-dated to D-${back}`,
      run: async (agent, office, d, approver) => {
        const created = await agent
          .post('/grants')
          .type('form')
          .send({
            programId: String(office.programId),
            recipientId: String(office.recipientIds[0]),
            awardNumber: `DE-SC77${String(c % 100000).padStart(5, '0')}`,
            title: 'A late award',
            piName: 'Dr. Late',
            piEmail: 'late@example.edu',
            status: 'active',
            startDate: '2025-04-01',
            endDate: '2028-03-31',
            costShareCommitted: '0.00',
          });
        const id = /\/grants\/(\d+)/.exec(created.headers.location ?? '')?.[1];
        if (!id) return created.status;
        return approveFiled(
          approver,
          await agent
            .post(`/grants/${id}/amendments`)
            .type('form')
            .send({
              justification: JUSTIFICATION,
              kind: 'initial',
              effectiveDate: addDays(d, -back),
              federalChange: dollars(c),
              note: '',
            }),
        );
      },
    })),
    fc.record({ m: fc.integer({ min: 0, max: 3 }), c: cents }).map(({ m, c }): Operation => ({
      kind: 'milestone edit',
      name: `milestone ${m} edited`,
      run: async (agent, office) => {
        const id = office.milestoneIds[m];
        return (
          await submitPageForm(agent, `/milestones/${id}/edit`, `/milestones/${id}`, {
            title: `Retitled milestone ${c}`,
            notes: 'Changed after the fact',
          })
        ).status;
      },
    })),
    fc
      .record({ back: daysBefore, trl: fc.integer({ min: 1, max: 9 }) })
      .map(({ back, trl }): Operation => ({
        kind: 'TRL assessment',
        name: `TRL ${trl} assessment back-dated to D-${back}`,
        run: async (agent, office, d) =>
          (
            await agent
              .post(`/technologies/${office.technologyId}/assessments`)
              .type('form')
              .send({ assessedOn: addDays(d, -back), trl: String(trl), evidence: 'Late report' })
          ).status,
      })),
    fc
      .record({ g: grantIndex, back: fc.integer({ min: 0, max: 60 }), c: cents })
      .map(({ g, back, c }): Operation => ({
        kind: 'expenditure',
        name: `expenditure of ${c} on grant ${g}, incurred D-${back}`,
        run: async (agent, office, d) =>
          (
            await agent
              .post('/ledger')
              .type('form')
              .send({
                grantId: String(office.grantIds[g]),
                budgetPeriod: '2',
                category: 'supplies',
                incurredOn: addDays(d, -back),
                amount: dollars(c),
                share: 'federal',
                reference: `LATE-${c}`,
                memo: '',
              })
          ).status,
      })),
    fc.record({ e: fc.integer({ min: 0, max: 7 }) }).map(({ e }): Operation => ({
      kind: 'reversal',
      name: `entry ${e} reversed`,
      run: async (agent, office) =>
        (await reverseEntry(agent, office.entryIds[e], 'Charged to the wrong award')).status,
    })),
    fc.record({ g: grantIndex }).map(({ g }): Operation => ({
      kind: 'technology links',
      name: `technology links of grant ${g} changed`,
      run: async (agent, office) => {
        const id = office.grantIds[g];
        const page = (await agent.get(`/grants/${id}/technologies/edit`)).text;
        const linked = new RegExp(`value="${office.technologyId}"[^>]*checked`).test(page);
        const res = await submitPageForm(
          agent,
          `/grants/${id}/technologies/edit`,
          `/grants/${id}/technologies`,
          linked ? { technologyIds: null } : { technologyIds: String(office.technologyId) },
        );
        return res.status;
      },
    })),
    fc
      .record({ g: grantIndex, back: fc.integer({ min: 0, max: 60 }), c: cents })
      .map(({ g, back, c }): Operation => ({
        kind: 'go/no-go decision',
        name: `a BP2 go/no-go on grant ${g} added and decided, dated D-${back}`,
        run: async (agent, office, d, approver) => {
          const id = office.grantIds[g];
          const created = await agent
            .post(`/grants/${id}/milestones`)
            .type('form')
            .send({
              title: `Mid-BP2 review ${c}`,
              kind: 'go_no_go',
              budgetPeriod: '2',
              dueDate: '2026-10-31',
              status: 'planned',
              notes: '',
            });
          const milestone = /\/milestones\/(\d+)/.exec(created.headers.location ?? '')?.[1];
          if (!milestone) return created.status;
          return approveFiled(
            approver,
            await submitPageForm(
              agent,
              `/milestones/${milestone}`,
              `/milestones/${milestone}/decision`,
              {
                decision: c % 2 ? 'go' : 'no_go',
                decidedOn: addDays(d, -back),
                rationale: 'Decided late',
                justification: JUSTIFICATION,
              },
            ),
          );
        },
      })),
    fc
      .record({ g: grantIndex, back: fc.integer({ min: 0, max: 60 }), c: cents })
      .map(({ g, back, c }): Operation => ({
        kind: 'import',
        name: `a one-row import on grant ${g}, incurred D-${back}`,
        run: async (agent, office, d) => {
          const award = /DE-SC\d+/.exec(
            (await agent.get(`/grants/${office.grantIds[g]}`)).text,
          )?.[0];
          const file =
            'award_number,budget_period,category,incurred_on,amount,share,reference,memo\n' +
            `${award},2,supplies,${addDays(d, -back)},${dollars(c)},federal,IMP-${c},late file\n`;
          const preview = await agent
            .post('/ledger/import')
            .attach('file', Buffer.from(file), `late-${c}.csv`);
          const fields = formFields(preview.text, '/ledger/import/commit');
          let commit = agent.post('/ledger/import/commit');
          for (const [name, value] of fields) commit = commit.field(name, value);
          return (await commit).status;
        },
      })),
    fc
      .record({ c: cents, element: fc.constantFrom('La', 'Ce', 'Sc', 'Y') })
      .map(({ c, element }): Operation => ({
        kind: 'technology edit',
        name: `technology renamed, its target elements now ${element}`,
        run: async (agent, office) => {
          const id = office.technologyId;
          return (
            await submitPageForm(agent, `/technologies/${id}/edit`, `/technologies/${id}`, {
              name: `Renamed extraction line ${c}`,
              elements: element,
              targetTrl: String(6 + (c % 4)),
            })
          ).status;
        },
      })),
  )
  .map((op) => Object.assign(op, { [fc.toStringMethod]: () => op.name }));

describe('As-of integrity: a past date’s reports never change (property)', () => {
  const t = freshAppPerTest();
  let office: Office;
  let d: string;
  let today: string;
  let pastFiles: Files;
  let todayFiles: Files;
  let auditor: Agent;

  beforeAll(async () => {
    office = await buildOffice(t);
    today = t.app.get(Clock).today();
    d = addDays(today, -1);
    auditor = await t.as('auditor');
    await t.snapshot(); // every later reset goes back to the office as built
  });

  it('should serve byte-identical CSVs and manifests for D after any later work, while today’s change', async () => {
    pastFiles = await downloadAll(auditor, office, d);
    todayFiles = await downloadAll(auditor, office, today);
    expect(pastFiles.size).toBeGreaterThan(20);
    // The office existed on D: every register has rows, the ledger has its money.
    expect(pastFiles.get(`/reports/grants.csv?asOf=${d}`)?.split('\n').length).toBeGreaterThan(2);

    await fc.assert(
      fc.asyncProperty(fc.array(operations, { minLength: 1, maxLength: 5 }), async (ops) => {
        await t.reset();
        let accepted = 0;
        for (const op of ops) {
          const status = await op.run(t.http(), office, d, t.approver());
          if (status === 303) accepted += 1;
        }
        const after = await downloadAll(auditor, office, d);
        for (const [url, body] of pastFiles) expect([url, after.get(url)]).toEqual([url, body]);
        if (accepted > 0) {
          expect(fingerprint(await downloadAll(auditor, office, today))).not.toBe(
            fingerprint(todayFiles),
          );
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
  }, 90_000); // two dozen downloads twice, and slower with the other suites running beside it

  it('should offer later work of every kind that the app accepts (the property is not vacuous)', async () => {
    const accepted = new Set<string>();
    const kinds = new Set<string>();
    for (const op of fc.sample(operations, { numRuns: 120, seed: 42 })) {
      kinds.add(op.kind);
      if (accepted.has(op.kind)) continue;
      await t.reset();
      if ((await op.run(t.http(), office, d, t.approver())) === 303) accepted.add(op.kind);
    }
    expect([...kinds].filter((kind) => !accepted.has(kind))).toEqual([]);
    expect(kinds.size).toBe(16);
  });
});
