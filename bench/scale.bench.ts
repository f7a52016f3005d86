/**
 * npm run bench:scale — do the officials' reads stay flat as the claims grow (issue 16)?
 *
 * For each size (10k, 100k, 1M claims; BENCH_SCALE_MAX caps it, default 100000) a scratch PostgreSQL database is
 * seeded by a seeded generator that keeps the platform's invariants: valid USCCs (generateUscc), amounts the
 * engine computes for the claim's facts, decided claims with their award in the ledger, paid ones with their
 * payment, 公示 batches of up to 100 items, and audit records sealed into one chain by the platform's sealer.
 * The kept summaries (migration 0017) are rebuilt once after the bulk load, as the migration does.
 * Then each read is timed as its role would make it (BENCH_SCALE_RUNS times, p50/p99), beside a primary-key
 * lookup of one claim in the same run, and each read's growth factor from the smallest size is printed.
 *
 *   BENCH_SCALE_MAX (100000)   largest size (10000, 100000 or 1000000)
 *   BENCH_SCALE_RUNS (40)      timed runs per read (after 5 warm-up runs)
 *   BENCH_DATABASE_URL         server to create the scratch databases on (default DATABASE_URL or
 *                              postgres://postgres@127.0.0.1:5432/test)
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { Engine } from '../src/engine/index.ts';
import { openDatabase, redactUrl } from '../src/db/open.ts';
import type { Database } from '../src/db/schema.ts';
import { SYSTEM_ACTOR, sealAuditChain, verifyAuditChain } from '../src/audit/audit-log.ts';
import { generateUscc, seededRandom } from '../src/enterprises/uscc.ts';
import { listAreas } from '../src/enterprises/areas.ts';
import { createUser, type Principal } from '../src/identity/users.ts';
import { FAST_SECURITY, TEST_PASSWORD } from '../src/claims/fixture.ts';
import { createPlatformContext, type PlatformContext } from '../src/claims/context.ts';
import { claimFactsDocument, listClaims, queueCounts } from '../src/claims/claims.ts';
import { listPublicityBatches } from '../src/claims/publicity.ts';
import { statsOverview } from '../src/stats/overview.ts';
import { listVisibleEnterprises } from '../src/enterprises/directory.ts';
import { rebuildSummaries } from '../src/db/migrations/0017_reads_stay_flat.ts';

const MAX = Number(process.env.BENCH_SCALE_MAX ?? 100_000);
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 40);
const PG_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= MAX);
const engine = Engine.load();

const WORDS = ['光电', '科技', '纺织', '丝绸', '电子', '装备', '新材料', '智能', '精密', '光通信', '化纤', '机械', '能源', '信息', '医疗'];
const PLACES = ['吴江', '盛泽', '松陵', '同里', '黎里', '震泽', '平望', '七都', '桃源', '汾湖'];

async function scratch(size: number): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kaifang_scale_${size}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Bulk rows through unnest: one statement per chunk, whatever the number of columns. */
async function insertChunks(db: Kysely<Database>, rows: number, chunk: number, write: (from: number, to: number) => Promise<void>) {
  for (let from = 0; from < rows; from += chunk) await write(from, Math.min(rows, from + chunk));
}

interface Seeded {
  users: { finance: Principal; area: Principal; industry: Principal };
  claimIds: [number, number];
  seconds: number;
}

async function seed(db: Kysely<Database>, ctx: PlatformContext, size: number): Promise<Seeded> {
  const t0 = performance.now();
  const random = seededRandom(size);
  const areas = listAreas().map((a) => a.id);
  const user = (username: string, role: string, scope: Record<string, string> = {}) =>
    createUser(db, { username, displayName: username, password: TEST_PASSWORD, role, ...scope }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
  const users = { finance: await user('finance', 'finance'), area: await user('area', 'areaReviewer', { areaId: areas[0] }), industry: await user('industry', 'departmentReviewer', { departmentId: 'industry-it-bureau' }) };

  // Enterprises: one per ten claims.
  const nEnt = Math.max(100, size / 10);
  const usccs = new Set<string>();
  while (usccs.size < nEnt) usccs.add(generateUscc({ random }));
  const ents = [...usccs].map((uscc, i) => ({
    uscc,
    name: `${PLACES[i % PLACES.length]}${WORDS[Math.floor(random() * WORDS.length)]}${WORDS[Math.floor(random() * WORDS.length)]}${i}有限公司`,
    area: areas[Math.floor(random() * areas.length)],
    cls: (['leading', 'highTech', 'other'] as const)[i % 3],
  }));
  await insertChunks(db, ents.length, 5000, async (a, b) => {
    const part = ents.slice(a, b);
    await sql`insert into enterprises (uscc, name, area_id, industry_class)
              select * from unnest(${part.map((e) => e.uscc)}::text[], ${part.map((e) => e.name)}::text[], ${part.map((e) => e.area)}::text[], ${part.map((e) => e.cls)}::text[])`.execute(db);
  });

  // Claims of measure 16 (equipment investment): the amount the engine gives for the facts, per investment.
  const investments = [2000, 2500, 3000, 4000, 6000];
  const amountOf = new Map<number, number>();
  for (const wan of investments) {
    const doc = claimFactsDocument(ctx, { incentive: 'equipment-investment', year: 2020, item: 'x', facts: { equipmentInvestment: `${wan}万元` } }, { uscc: ents[0].uscc, name: ents[0].name, area_id: ents[0].area, industry_class: 'other' }, []);
    amountOf.set(wan, engine.evaluate(doc, { asOf: '2021-03-01' }).entitlements[0].amountFen ?? 0);
  }
  // Where claims stand: most of a district's history is paid.
  const fates: Array<[number, string]> = [[0.03, 'draft'], [0.07, 'submitted'], [0.1, 'departmentReview'], [0.12, 'publicity'], [0.2, 'approved'], [0.9, 'paid'], [0.95, 'rejected'], [1, 'withdrawn']];
  const claims = Array.from({ length: size }, (_, i) => {
    const e = ents[Math.floor(random() * ents.length)];
    const r = random();
    const state = fates.find(([p]) => r < p)![1];
    const wan = investments[Math.floor(random() * investments.length)];
    const month = 1 + Math.floor(random() * 12);
    const submitted = state === 'draft' ? null : `2020-${String(month).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')} ${String(8 + Math.floor(random() * 10)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00+08`;
    return { e, state, wan, item: `设备投资项目${i}`, submitted };
  });
  await insertChunks(db, claims.length, 5000, async (a, b) => {
    const part = claims.slice(a, b);
    await sql`insert into claims (enterprise_uscc, area_id, policy_id, measure_id, incentive_id, item, year, facts, state, submitted_at, created_at)
              select u, ar, ${engine.policy.id}, '16', 'equipment-investment', it, 2020, jsonb_build_object('equipmentInvestment', w || '万元'), st, sub, coalesce(sub, now())
                from unnest(${part.map((c) => c.e.uscc)}::text[], ${part.map((c) => c.e.area)}::text[], ${part.map((c) => c.item)}::text[], ${part.map((c) => String(c.wan))}::text[],
                            ${part.map((c) => c.state)}::text[], ${part.map((c) => c.submitted)}::timestamptz[]) as v (u, ar, it, w, st, sub)`.execute(db);
  });
  // Decisions, awards, payments for the decided; their amounts the engine's.
  const decidedStates = ['publicity', 'approved', 'paid', 'rejected'];
  const ids = (await db.selectFrom('claims').select(['id', 'state', 'facts', 'submitted_at']).where('state', 'in', decidedStates as never).orderBy('id').execute());
  await insertChunks(db, ids.length, 5000, async (a, b) => {
    const part = ids.slice(a, b);
    const amounts = part.map((c) => amountOf.get(Number(String((c.facts as { equipmentInvestment: string }).equipmentInvestment).replace('万元', '')))!);
    await sql`with d as (
                insert into decisions (claim_id, amount_fen, explanation, policy_id, policy_version, decided_by, decided_at)
                select c, a, '{}'::jsonb, ${engine.policy.id}, ${engine.policy.version}, ${users.industry.id}, s + interval '20 days'
                  from unnest(${part.map((c) => c.id)}::bigint[], ${amounts}::bigint[], ${part.map((c) => c.submitted_at)}::timestamptz[]) as v (c, a, s)
                returning id, claim_id, amount_fen, decided_at)
              insert into ledger_entries (enterprise_uscc, policy_id, measure_id, incentive_id, item, year, kind, amount_fen, claim_id, decision_id, created_by, created_at)
              select c.enterprise_uscc, c.policy_id, c.measure_id, c.incentive_id, c.item, c.year, 'award', d.amount_fen, c.id, d.id, ${users.industry.id}, d.decided_at
                from d join claims c on c.id = d.claim_id`.execute(db);
  });
  // A rejected claim had its award reversed (公示 objection upheld).
  await sql`insert into ledger_entries (enterprise_uscc, policy_id, measure_id, incentive_id, item, year, kind, amount_fen, claim_id, reverses_entry_id, note, created_by, created_at)
            select e.enterprise_uscc, e.policy_id, e.measure_id, e.incentive_id, e.item, e.year, 'reversal', -e.amount_fen, e.claim_id, e.id, '公示异议成立', e.created_by, e.created_at + interval '10 days'
              from ledger_entries e join claims c on c.id = e.claim_id where c.state = 'rejected' and e.kind = 'award'`.execute(db);
  await sql`insert into payments (claim_id, ledger_entry_id, voucher_no, amount_fen, paid_on, paid_by)
            select e.claim_id, e.id, 'V-' || e.claim_id, e.amount_fen, (e.created_at + interval '30 days')::date, ${users.finance.id}
              from ledger_entries e join claims c on c.id = e.claim_id where c.state = 'paid' and e.kind = 'award'`.execute(db);
  // 公示 batches of 100 decided claims each, closed but for the ones still in 公示.
  await sql`with numbered as (
              select c.id, c.state, e.decision_id, e.amount_fen, (row_number() over (order by c.id) - 1) / 100 as b
                from claims c join ledger_entries e on e.claim_id = c.id and e.kind = 'award'),
            batches as (
              insert into publicity_batches (policy_id, title, starts_on, ends_on, published_by, closed_at)
              select ${engine.policy.id}, '2020年度政策奖励公示（第' || b || '批）', '2021-01-04', '2021-01-10', ${users.industry.id},
                     case when bool_or(state = 'publicity') then null else '2021-01-11'::timestamptz end
                from numbered group by b order by b
              returning id, title)
            insert into publicity_items (batch_id, claim_id, decision_id, amount_fen)
            select bt.id, n.id, n.decision_id, n.amount_fen from numbered n join batches bt on bt.title = '2020年度政策奖励公示（第' || n.b || '批）'`.execute(db);
  // Audit: every claim's creation and submission, every decision and payment; then the sealer chains them all.
  await sql`insert into audit_log (at, actor, actor_user_id, action, entity, entity_id, details)
            select coalesce(submitted_at, created_at), 'generator', null::bigint, a.action, 'claim', id::text, jsonb_build_object('state', state)
              from claims, (values ('claim.create'), ('claim.submit')) as a (action)
             where a.action = 'claim.create' or submitted_at is not null
            union all
            select decided_at, 'industry', ${users.industry.id}, 'claim.departmentReview.decide', 'claim', claim_id::text, jsonb_build_object('amountFen', amount_fen) from decisions
            union all
            select recorded_at, 'finance', ${users.finance.id}, 'claim.pay', 'claim', claim_id::text, jsonb_build_object('voucherNo', voucher_no) from payments
            order by 1`.execute(db);
  const sealed = await sealAuditChain(db, { batchSize: 5000 });
  for (const s of rebuildSummaries) await sql.raw(s).execute(db);
  await sql`analyze`.execute(db);
  const range = await db.selectFrom('claims').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirstOrThrow();
  console.log(`  seeded ${size.toLocaleString()} claims, ${ents.length.toLocaleString()} enterprises, ${ids.length.toLocaleString()} decided, ${sealed.toLocaleString()} audit records sealed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { users, claimIds: [Number(range.lo), Number(range.hi)], seconds: (performance.now() - t0) / 1000 };
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)], p99: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] };
}

async function main() {
  console.log(`bench:scale on ${redactUrl(PG_URL)} — sizes ${SIZES.map((n) => n.toLocaleString()).join(', ')}; ${RUNS} timed runs per read (one caller)`);
  const results = new Map<string, Map<number, { p50: number; p99: number }>>();
  const note = (read: string, size: number, r: { p50: number; p99: number }) => {
    if (!results.has(read)) results.set(read, new Map());
    results.get(read)!.set(size, r);
  };
  for (const size of SIZES) {
    const s = await scratch(size);
    const opened = await openDatabase({ url: s.url });
    try {
      const ctx = createPlatformContext(opened.db, engine, { today: () => '2021-03-01' });
      const { users, claimIds } = await seed(opened.db, ctx, size);
      const random = seededRandom(7);
      const reads: Array<[string, () => Promise<unknown>]> = [
        ['primary-key lookup of one claim', () => opened.db.selectFrom('claims').selectAll().where('id', '=', claimIds[0] + Math.floor(random() * (claimIds[1] - claimIds[0]))).executeTakeFirst()],
        ['reviewer queue, first page (area)', () => listClaims(ctx, users.area, { queue: 'mine' }, 1, 20)],
        ['reviewer queue, page 50 (area)', () => listClaims(ctx, users.area, { queue: 'mine' }, 50, 20)],
        ['department queue, first page', () => listClaims(ctx, users.industry, { queue: 'mine' }, 1, 20)],
        ['all claims, first page (finance)', () => listClaims(ctx, users.finance, {}, 1, 20)],
        ['queue counts (badges, finance)', () => queueCounts(ctx, users.finance)],
        ['queue counts (badges, area)', () => queueCounts(ctx, users.area)],
        ['leadership overview (finance)', () => statsOverview(ctx, users.finance, 2020)],
        ['leadership overview (area)', () => statsOverview(ctx, users.area, 2020)],
        ['公示 list, first page', () => listPublicityBatches(ctx, users.industry, 1, 20)],
        ['directory search 光电', () => listVisibleEnterprises(ctx, users.finance, { q: '光电' }, 1, 20)],
        ['directory search 光电 (area)', () => listVisibleEnterprises(ctx, users.area, { q: '光电' }, 1, 20)],
        ['directory, first page', () => listVisibleEnterprises(ctx, users.finance, {}, 1, 20)],
      ];
      // The queue's next page by cursor, from the first page's.
      const first = await listClaims(ctx, users.area, { queue: 'mine' }, 1, 20);
      if (first.nextCursor) reads.splice(3, 0, ['reviewer queue, next page by cursor', () => listClaims(ctx, users.area, { queue: 'mine' }, 1, 20, first.nextCursor!)]);
      for (const [name, fn] of reads) note(name, size, await time(fn));
      // Verify from the checkpoint after a full verify: the records added since, only.
      let t = performance.now();
      const full = await verifyAuditChain(opened.db, { recordCheckpoint: true });
      const fullMs = performance.now() - t;
      t = performance.now();
      const inc = await verifyAuditChain(opened.db, { fromCheckpoint: true, recordCheckpoint: true });
      console.log(`  audit verify: full walk ${full.ok ? full.records.toLocaleString() : 'BROKEN'} records ${(fullMs / 1000).toFixed(2)} s; from the checkpoint ${inc.ok ? inc.walked : 'BROKEN'} records ${(performance.now() - t).toFixed(1)} ms`);
      const dead = await sql<{ n_live_tup: string; n_dead_tup: string; size: string }>`
        select n_live_tup, n_dead_tup, pg_size_pretty(pg_total_relation_size('audit_log')) as size from pg_stat_user_tables where relname = 'audit_log'`.execute(opened.db);
      console.log(`  audit_log after sealing: ${dead.rows[0]?.n_live_tup} live, ${dead.rows[0]?.n_dead_tup} dead row versions, ${dead.rows[0]?.size}`);
    } finally {
      await opened.close();
      await s.drop();
    }
  }
  const pk = results.get('primary-key lookup of one claim')!;
  const head = ['read', ...SIZES.map((n) => `${n / 1000}k p50 / p99 ms`), `growth ${SIZES[0] / 1000}k→${SIZES.at(-1)! / 1000}k (p50)`, `p99 ÷ pk p99 at ${SIZES.at(-1)! / 1000}k`];
  console.log('\n| ' + head.join(' | ') + ' |\n|' + head.map(() => '---').join('|') + '|');
  for (const [read, bySize] of results) {
    const cells = SIZES.map((n) => `${bySize.get(n)!.p50.toFixed(2)} / ${bySize.get(n)!.p99.toFixed(2)}`);
    const growth = bySize.get(SIZES.at(-1)!)!.p50 / bySize.get(SIZES[0])!.p50;
    const vsPk = bySize.get(SIZES.at(-1)!)!.p99 / pk.get(SIZES.at(-1)!)!.p99;
    console.log(`| ${read} | ${cells.join(' | ')} | ${growth.toFixed(2)}× | ${vsPk.toFixed(1)}× |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
