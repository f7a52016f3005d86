/**
 * 免申即享 (issue 11): an enterprise's facts on file as the platform holds them — its own statement (enterprise_facts)
 * beside each department's value with its provenance (source, batch, as-of date, loader) — read as of any date.
 * Where both exist and differ, both are shown and the one the policy's reading chooses is used
 * (interpretations.yaml#free-application-department-value: the department's wins).
 */
import { sql } from 'kysely';
import type { PlatformContext } from '../claims/context.ts';
import type { Db } from '../db/transaction.ts';
import type { JsonObject, JsonValue } from '../db/schema.ts';
import { getVisibleEnterprise } from '../enterprises/directory.ts';
import type { Principal } from '../identity/users.ts';
import { factSources, sourceOfFact, winningValue } from './sources.ts';

export interface DepartmentValue {
  valueId: number;
  value: JsonValue;
  source: string;
  department: string;
  batchId: number;
  asOf: string;
  loadedBy: string;
  loadedAt: Date;
}

export interface FactOnFile {
  fact: string;
  label: string;
  labelEn: string;
  /** the enterprise's own statement, with who stated it and when */
  statement: { value: JsonValue; by: number | null; at: string | null } | null;
  /** the department's value as of the date asked, with its provenance */
  department: DepartmentValue | null;
  /** the department's earlier values (newest first), never erased */
  history: DepartmentValue[];
  /** the statement and the department's value both exist and differ */
  differs: boolean;
  /** which the 免申即享 scan uses */
  used: 'department' | 'statement' | null;
  /** the source that holds the fact (who answers an objection), if a department holds it */
  heldBy: { source: string; department: string } | null;
  /** an objection waiting for the department's answer */
  openCorrectionId: number | null;
}

export interface FactsOnFileView {
  uscc: string;
  year: number;
  asOf: string;
  rule: 'department' | 'enterprise';
  facts: FactOnFile[];
}

/**
 * The department values of enterprises in a year as of a date: of each fact, the value of the newest as-of on or
 * before `asOf` (of one as-of, the newest batch). One query for many enterprises (the scan reads them in pages).
 */
export async function departmentValuesAsOf(db: Db, usccs: string[], year: number | null, asOf: string): Promise<Map<string, Map<number, Map<string, DepartmentValue>>>> {
  const out = new Map<string, Map<number, Map<string, DepartmentValue>>>();
  if (!usccs.length) return out;
  const rows = await sql<{ id: number; enterprise_uscc: string; year: number; fact: string; value: JsonValue; as_of: string; batch_id: number; source_id: string; department_id: string; loaded_by: string; loaded_at: Date }>`
    select distinct on (v.enterprise_uscc, v.year, v.fact)
           v.id, v.enterprise_uscc, v.year, v.fact, v.value, v.as_of, v.batch_id, b.source_id, b.department_id, u.username as loaded_by, b.loaded_at
      from fact_values v
      join fact_batches b on b.id = v.batch_id
      join users u on u.id = b.loaded_by
     where v.enterprise_uscc in (${sql.join(usccs)}) and v.as_of <= ${asOf}::date ${year === null ? sql`` : sql`and v.year = ${year}`}
     order by v.enterprise_uscc, v.year, v.fact, v.as_of desc, v.batch_id desc`.execute(db);
  for (const r of rows.rows) {
    let byYear = out.get(r.enterprise_uscc);
    if (!byYear) out.set(r.enterprise_uscc, (byYear = new Map()));
    let facts = byYear.get(r.year);
    if (!facts) byYear.set(r.year, (facts = new Map()));
    facts.set(r.fact, toValue(r));
  }
  return out;
}

function toValue(r: { id: number; value: JsonValue; source_id: string; department_id: string; batch_id: number; as_of: string; loaded_by: string; loaded_at: Date }): DepartmentValue {
  return { valueId: Number(r.id), value: r.value, source: r.source_id, department: r.department_id, batchId: Number(r.batch_id), asOf: r.as_of, loadedBy: r.loaded_by, loadedAt: r.loaded_at };
}

/** The facts the 免申即享 scan evaluates for an enterprise-year: the statement, with the winning department values over it. */
export function effectiveFacts(ctx: PlatformContext, statement: JsonObject, department: Map<string, DepartmentValue> | undefined): JsonObject {
  const rule = winningValue(factSources(), ctx.engine.policy);
  const out: JsonObject = { ...statement };
  for (const [fact, v] of department ?? []) {
    if (rule === 'department' || !(fact in out)) out[fact] = v.value;
  }
  return out;
}

/** The statement as the engine reads it (money in fen), so that 300万元 and 3,000,000 元 compare equal. */
function normalised(ctx: PlatformContext, year: number, facts: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(facts)) {
    try {
      const parsed = ctx.engine.parse({ year, facts: { [k]: v } }).facts[k];
      out[k] = (parsed === undefined ? v : parsed) as JsonValue;
    } catch {
      out[k] = v; // a statement the present policy no longer reads is shown as it was written
    }
  }
  return out;
}

/** The view of the portal and of officials who may see the enterprise. */
export async function factsOnFileView(ctx: PlatformContext, user: Principal, uscc: string, year: number, asOf?: string): Promise<FactsOnFileView> {
  const enterprise = await getVisibleEnterprise(ctx, user, uscc);
  const date = asOf ?? ctx.today();
  const rules = factSources();
  const rule = winningValue(rules, ctx.engine.policy);
  const stated = await ctx.db.selectFrom('enterprise_facts').select(['facts', 'fact_sources']).where('enterprise_uscc', '=', enterprise.uscc).where('year', '=', year).executeTakeFirst();
  const current = (await departmentValuesAsOf(ctx.db, [enterprise.uscc], year, date)).get(enterprise.uscc)?.get(year) ?? new Map();
  const all = await ctx.db
    .selectFrom('fact_values as v')
    .innerJoin('fact_batches as b', 'b.id', 'v.batch_id')
    .innerJoin('users as u', 'u.id', 'b.loaded_by')
    .select(['v.id', 'v.fact', 'v.value', 'v.as_of', 'v.batch_id', 'b.source_id', 'b.department_id', 'u.username as loaded_by', 'b.loaded_at'])
    .where('v.enterprise_uscc', '=', enterprise.uscc)
    .where('v.year', '=', year)
    .orderBy('v.as_of', 'desc')
    .orderBy('v.batch_id', 'desc')
    .execute();
  const open = await ctx.db.selectFrom('fact_corrections').select(['id', 'fact']).where('enterprise_uscc', '=', enterprise.uscc).where('year', '=', year).where('status', '=', 'open').execute();
  const statementFacts = normalised(ctx, year, (stated?.facts ?? {}) as JsonObject);
  const statementSources = (stated?.fact_sources ?? {}) as Record<string, { by?: number; at?: string }>;
  const names = new Set<string>([...Object.keys(statementFacts), ...all.map((r) => r.fact)]);
  const facts: FactOnFile[] = [];
  for (const decl of ctx.engine.policy.facts.values()) {
    if (!names.has(decl.name)) continue;
    const st = decl.name in statementFacts ? { value: statementFacts[decl.name], by: statementSources[decl.name]?.by ?? null, at: statementSources[decl.name]?.at ?? null } : null;
    const dep = current.get(decl.name) ?? null;
    const held = sourceOfFact(rules, decl.name);
    const differs = !!(st && dep && JSON.stringify(st.value) !== JSON.stringify(dep.value));
    facts.push({
      fact: decl.name,
      label: decl.label,
      labelEn: decl.labelEn,
      statement: st,
      department: dep,
      history: all.filter((r) => r.fact === decl.name && Number(r.id) !== dep?.valueId).map((r) => toValue({ ...r, id: Number(r.id) })),
      differs,
      used: dep && (rule === 'department' || !st) ? 'department' : st ? 'statement' : null,
      heldBy: held ? { source: held.id, department: held.department } : null,
      openCorrectionId: open.find((o) => o.fact === decl.name)?.id ?? null,
    });
  }
  return { uscc: enterprise.uscc, year, asOf: date, rule, facts };
}
