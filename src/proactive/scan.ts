/**
 * 免申即享 (issue 11): every enterprise × every incentive that facts decide (an incentive with `scanWhen` and no item:
 * measure 10's R&D-growth and pool rewards), evaluated by the engine on the facts on file — the enterprise's
 * statement with the departments' values over it (on-file.ts, the policy's reading) as of a date, and the ledger's
 * prior awards (caps, one award per event, 就高不重复) — and stored per policy version, year and facts as-of:
 *
 *   eligible     the amount and the engine's explanation (its reasons)
 *   maybe        the facts missing and which department holds each (fact-sources.yaml)
 *   notEligible  why, and what would qualify ("还差…")
 *
 * A run walks the enterprises in USCC order, a page at a time; each page's results are upserted on their key
 * (enterprise, incentive, policy, version, year, as-of) in one transaction with the run's cursor, so a run killed
 * halfway resumes after the last page it finished, with no duplicates and no gaps. A run for a batch covers only the
 * enterprises the batch touched (incremental).
 *
 * The pages run in this process: the same page function is what a job queue's worker would run per shard.
 */
import { sql } from 'kysely';
import type { PlatformContext } from '../claims/context.ts';
import { measureIdOf } from '../claims/context.ts';
import { toJsonb, type JsonObject, type JsonValue } from '../db/schema.ts';
import type { Entitlement } from '../engine/index.ts';
import { KaifangError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { priorAwards } from '../ledger/ledger.ts';
import { departmentValuesAsOf, effectiveFacts } from './on-file.ts';
import { factSources, sourceOfFact } from './sources.ts';

export interface ScanOptions {
  year: number;
  /** the facts as of this date (default: today) */
  asOf?: string;
  /** only these enterprises (a batch's) */
  enterprises?: string[];
  /** the batch the run rescans for, recorded in its scope */
  batchId?: number;
  pageSize?: number;
  /** called after each page with done / total */
  onProgress?: (done: number, total: number) => void;
}

export interface ScanRun {
  id: number;
  year: number;
  factsAsOf: string;
  policyVersion: string;
  total: number;
  done: number;
  finished: boolean;
}

export interface MissingFact {
  fact: string;
  label: string;
  source: string | null;
  department: string | null;
}

/** The incentives the scan decides: found from facts alone (scanWhen), not per item. */
export function scannedIncentives(ctx: PlatformContext) {
  return ctx.engine.policy.incentives.filter((i) => i.scanWhen && !i.item);
}

function missingOf(ctx: PlatformContext, facts: string[]): MissingFact[] {
  const rules = factSources();
  return facts.map((f) => {
    const s = sourceOfFact(rules, f);
    return { fact: f, label: ctx.engine.policy.facts.get(f)?.label ?? f, source: s?.id ?? null, department: s?.department ?? null };
  });
}

/** One incentive's finding from the engine's entitlement (or its absence: none of its facts is on file). */
export function classify(ctx: PlatformContext, incentiveId: string, ent: Entitlement | undefined): { status: 'eligible' | 'maybe' | 'notEligible'; amountFen: number | null; missing: MissingFact[]; reasons: Array<{ code: string; zh: string; en: string }> } {
  const inc = ctx.engine.policy.incentivesById.get(incentiveId)!;
  if (!ent) return { status: 'maybe', amountFen: null, missing: missingOf(ctx, inc.scanWhen ?? []), reasons: [] };
  const ex = ent.explanation;
  const reasons: Array<{ code: string; zh: string; en: string }> = (ex?.reasons ?? []).map((r) => ({ code: r.code, zh: r.zh, en: r.en }));
  if (ex?.whatWouldQualify) reasons.push({ code: 'what_would_qualify', zh: ex.whatWouldQualify.zh, en: ex.whatWouldQualify.en });
  if (ent.status === 'eligible' && (ent.amountFen ?? 0) > 0) return { status: 'eligible', amountFen: ent.amountFen, missing: [], reasons: [{ code: 'summary', zh: ex?.summary.zh ?? '', en: ex?.summary.en ?? '' }] };
  const missing = (ex?.reasons ?? []).filter((r) => r.code === 'missing_fact' && r.fact).map((r) => r.fact!);
  if (missing.length) return { status: 'maybe', amountFen: null, missing: missingOf(ctx, [...new Set(missing)]), reasons };
  return { status: 'notEligible', amountFen: ent.amountFen ?? 0, missing: [], reasons };
}

function toRun(r: { id: number; year: number; facts_as_of: string; policy_version: string; total: number; done: number; finished_at: Date | null }): ScanRun {
  return { id: Number(r.id), year: r.year, factsAsOf: r.facts_as_of, policyVersion: r.policy_version, total: r.total, done: r.done, finished: r.finished_at !== null };
}

/** Officials who see every enterprise's results start scans: the lead departments, finance, the auditor reads. */
function authorizeScan(user: Principal | null): void {
  if (user && user.role !== 'departmentReviewer' && user.role !== 'finance' && user.role !== 'admin') {
    throw new KaifangError({ code: 'forbidden', zh: '无权发起免申即享扫描', en: 'not allowed to start a no-application scan' });
  }
}

/** Creates a run (every enterprise, or the given ones) without doing any of it. */
export async function startScan(ctx: PlatformContext, user: Principal | null, opts: ScanOptions): Promise<ScanRun> {
  authorizeScan(user);
  const asOf = opts.asOf ?? ctx.today();
  const total = opts.enterprises
    ? opts.enterprises.length
    : Number((await ctx.db.selectFrom('enterprises').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const row = await ctx.db
    .insertInto('scan_runs')
    .values({
      policy_id: ctx.engine.policy.id,
      policy_version: ctx.engine.policy.version,
      year: opts.year,
      facts_as_of: asOf,
      scope: toJsonb(opts.enterprises ? { enterprises: [...opts.enterprises].sort(), batchId: opts.batchId ?? null } : { all: true }),
      total,
      started_by: user?.id ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRun(row);
}

/** Does the next page of a run; returns false when there was none (the run is finished). */
export async function scanPage(ctx: PlatformContext, runId: number, pageSize = 500): Promise<boolean> {
  const run = await ctx.db.selectFrom('scan_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  if (run.finished_at) return false;
  const scope = run.scope as { all?: boolean; enterprises?: string[] };
  let q = ctx.db.selectFrom('enterprises').select(['uscc', 'name', 'area_id', 'industry_class']).orderBy('uscc').limit(pageSize);
  if (run.cursor) q = q.where('uscc', '>', run.cursor);
  if (scope.enterprises) q = scope.enterprises.length ? q.where('uscc', 'in', scope.enterprises) : q.where(sql<boolean>`false`);
  const page = await q.execute();
  if (!page.length) {
    await ctx.db.updateTable('scan_runs').set({ finished_at: new Date() }).where('id', '=', runId).where('finished_at', 'is', null).execute();
    return false;
  }
  const usccs = page.map((e) => e.uscc);
  const statements = new Map((await ctx.db.selectFrom('enterprise_facts').select(['enterprise_uscc', 'facts']).where('enterprise_uscc', 'in', usccs).where('year', '=', run.year).execute()).map((r) => [r.enterprise_uscc, r.facts as JsonObject]));
  const department = await departmentValuesAsOf(ctx.db, usccs, run.year, run.facts_as_of);
  const incentives = scannedIncentives(ctx);
  const rows: Array<Record<string, unknown>> = [];
  for (const e of page) {
    const facts: Record<string, unknown> = effectiveFacts(ctx, statements.get(e.uscc) ?? {}, department.get(e.uscc)?.get(run.year));
    if (ctx.engine.policy.facts.has('industryClass')) facts.industryClass = e.industry_class;
    let entitlements: Entitlement[] = [];
    let factsUsed: JsonObject = {};
    try {
      const ey = ctx.engine.parse({ year: run.year, enterprise: { uscc: e.uscc, name: e.name, area: e.area_id }, facts });
      ey.priorAwards.push(...(await priorAwards(ctx.db, e.uscc, ctx.engine.policy.id, incentives.map((i) => i.id))));
      entitlements = ctx.engine.evaluate(ey, { asOf: run.facts_as_of }).entitlements;
      factsUsed = ey.facts as JsonObject;
    } catch (err) {
      // facts the present policy refuses (an old statement): every incentive is "maybe" until they are corrected
      if (!(err instanceof KaifangError)) throw err;
    }
    for (const inc of incentives) {
      const ent = entitlements.find((x) => x.incentive === inc.id && x.implicit);
      const c = classify(ctx, inc.id, ent);
      const used: JsonObject = {};
      for (const f of inc.scanWhen ?? []) if (factsUsed[f] !== undefined) used[f] = factsUsed[f] as JsonValue;
      rows.push({
        enterprise_uscc: e.uscc,
        incentive_id: inc.id,
        policy_id: run.policy_id,
        policy_version: run.policy_version,
        year: run.year,
        facts_as_of: run.facts_as_of,
        measure_id: measureIdOf(inc.measure),
        area_id: e.area_id,
        status: c.status,
        amount_fen: c.status === 'eligible' ? c.amountFen : null,
        missing: toJsonb(c.missing),
        reasons: toJsonb(c.reasons),
        facts: toJsonb(used),
        run_id: runId,
      });
    }
  }
  await ctx.db.transaction().execute(async (trx) => {
    // the cursor moves only with the page's results: a crash before this commit redoes the page, after it skips it
    const moved = await trx.updateTable('scan_runs').set({ cursor: usccs[usccs.length - 1], done: sql`done + ${page.length}` }).where('id', '=', runId).where(sql<boolean>`cursor is not distinct from ${run.cursor}`).executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return; // another worker did this page first
    await trx
      .insertInto('scan_results')
      .values(rows as never)
      .onConflict((oc) =>
        oc.columns(['enterprise_uscc', 'incentive_id', 'policy_id', 'policy_version', 'year', 'facts_as_of']).doUpdateSet((eb) => ({
          measure_id: eb.ref('excluded.measure_id'),
          area_id: eb.ref('excluded.area_id'),
          status: eb.ref('excluded.status'),
          amount_fen: eb.ref('excluded.amount_fen'),
          missing: eb.ref('excluded.missing'),
          reasons: eb.ref('excluded.reasons'),
          facts: eb.ref('excluded.facts'),
          run_id: eb.ref('excluded.run_id'),
          scanned_at: sql`now()`,
        })),
      )
      .execute();
  });
  return true;
}

/** Runs a scan to its end in this process (the PGlite default; a resumed run continues after its cursor). */
export async function runScan(ctx: PlatformContext, user: Principal | null, opts: ScanOptions & { resume?: number }): Promise<ScanRun> {
  const run = opts.resume ? await getRun(ctx, opts.resume) : await startScan(ctx, user, opts);
  while (await scanPage(ctx, run.id, opts.pageSize)) {
    if (opts.onProgress) {
      const r = await getRun(ctx, run.id);
      opts.onProgress(r.done, r.total);
    }
  }
  return getRun(ctx, run.id);
}

export async function getRun(ctx: PlatformContext, id: number): Promise<ScanRun> {
  const r = await ctx.db.selectFrom('scan_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new KaifangError({ code: 'not_found', zh: '找不到该扫描', en: 'no such scan' });
  return toRun(r);
}

/** Rescans the enterprises a batch touched (incremental), for the batch's year(s). */
export async function rescanBatch(ctx: PlatformContext, user: Principal | null, batchId: number, opts: { asOf?: string; pageSize?: number } = {}): Promise<ScanRun[]> {
  const rows = await ctx.db.selectFrom('fact_values').select(['enterprise_uscc', 'year']).distinct().where('batch_id', '=', batchId).execute();
  const byYear = new Map<number, string[]>();
  for (const r of rows) byYear.set(r.year, [...(byYear.get(r.year) ?? []), r.enterprise_uscc]);
  const runs: ScanRun[] = [];
  for (const [year, enterprises] of [...byYear].sort((a, b) => a[0] - b[0])) runs.push(await runScan(ctx, user, { year, enterprises, batchId, asOf: opts.asOf, pageSize: opts.pageSize }));
  return runs;
}

export interface ScanResult {
  uscc: string;
  incentive: string;
  measure: string;
  area: string;
  status: 'eligible' | 'maybe' | 'notEligible';
  amountFen: number | null;
  missing: MissingFact[];
  reasons: Array<{ code: string; zh: string; en: string }>;
  facts: JsonObject;
  policyVersion: string;
  factsAsOf: string;
}

/** The stored results of one enterprise (the portal's "why was I told this?"), newest as-of first. */
export async function resultsOf(ctx: PlatformContext, uscc: string, year: number): Promise<ScanResult[]> {
  const rows = await ctx.db.selectFrom('scan_results').selectAll().where('enterprise_uscc', '=', uscc).where('year', '=', year).where('policy_id', '=', ctx.engine.policy.id).orderBy('facts_as_of', 'desc').orderBy('incentive_id').execute();
  return rows.map((r) => ({
    uscc: r.enterprise_uscc,
    incentive: r.incentive_id,
    measure: r.measure_id,
    area: r.area_id,
    status: r.status,
    amountFen: r.amount_fen === null ? null : Number(r.amount_fen),
    missing: r.missing as unknown as MissingFact[],
    reasons: r.reasons as unknown as ScanResult['reasons'],
    facts: r.facts,
    policyVersion: r.policy_version,
    factsAsOf: r.facts_as_of,
  }));
}
