/**
 * Enterprises as each role may see them: an enterprise user its own; an area reviewer those of its area; a
 * department reviewer those with a claim under a measure its department leads (it has no other reason to
 * know an enterprise); finance, auditors and administrators all. What a caller may not see does not exist
 * for it (not_found), so codes cannot be probed.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Enterprise, IndustryClass } from '../db/schema.ts';
import { KaifangError } from '../errors.ts';
import { listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import type { PlatformContext } from '../claims/context.ts';
import { findArea } from './areas.ts';
import { parseUscc } from './uscc.ts';

export interface EnterpriseSummary {
  uscc: string;
  name: string;
  areaId: string;
  areaName: string | null;
  industryClass: IndustryClass;
  createdAt: Date;
}

export function enterpriseSummary(row: Enterprise): EnterpriseSummary {
  return { uscc: row.uscc, name: row.name, areaId: row.area_id, areaName: findArea(row.area_id)?.nameZh ?? null, industryClass: row.industry_class, createdAt: row.created_at };
}

export function enterpriseNotFound() {
  return new KaifangError({ code: 'not_found', zh: '找不到该企业，或您无权查看', en: 'enterprise not found, or not yours to see' });
}

function forbidden(zh: string, en: string) {
  return new KaifangError({ code: 'forbidden', zh, en });
}

/** The rows of `enterprises` a caller may see, as one SQL condition. */
function visibleEnterprises(ctx: PlatformContext, user: Principal): RawBuilder<boolean> {
  const scope = listScope(user, 'enterprise.read', ctx.access);
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`true`;
    case 'enterprise':
      return sql<boolean>`enterprises.uscc = ${scope.enterpriseUscc}`;
    case 'area':
      return sql<boolean>`enterprises.area_id = ${scope.areaId}`;
    case 'measures':
      if (!scope.measureIds.length) return sql<boolean>`false`;
      return sql<boolean>`exists (select 1 from claims c where c.enterprise_uscc = enterprises.uscc and c.measure_id in (${sql.join(scope.measureIds)}))`;
    case 'none':
      return sql<boolean>`false`;
  }
}

/** The enterprise if the caller may see it; otherwise not_found (also for a malformed code). */
export async function getVisibleEnterprise(ctx: PlatformContext, user: Principal, usccInput: string): Promise<Enterprise> {
  let uscc: string;
  try {
    uscc = parseUscc(usccInput, 'uscc');
  } catch {
    throw enterpriseNotFound();
  }
  const row = await ctx.db.selectFrom('enterprises').selectAll().where('uscc', '=', uscc).where(visibleEnterprises(ctx, user)).executeTakeFirst();
  if (!row) throw enterpriseNotFound();
  return row;
}

export interface EnterpriseListFilter {
  areaId?: string;
  industryClass?: IndustryClass;
  q?: string;
}

/** A list total above this is given as "more than" (totalCapped) instead of counted to the end. */
export const DIRECTORY_COUNT_CAP = 1000;

/**
 * Officials' list of the enterprises in their scope, in name order; enterprise users use /api/me instead.
 *
 * It reads a page, not the directory: without a search term it walks the name index (per area where one is
 * chosen) and stops at the page. A term of two characters or more seeks to its rarest bigram in
 * enterprise_search_grams (migration 0017), which holds the name beside every bigram, so the matches come in
 * name order and the walk stops at the page too; the full term is still matched (ILIKE) on each. A term of one
 * character walks the name index. `total` is counted up to DIRECTORY_COUNT_CAP; `totalCapped` says there are more.
 */
export async function listVisibleEnterprises(ctx: PlatformContext, user: Principal, filter: EnterpriseListFilter, page = 1, pageSize = 20) {
  if (user.role === 'enterprise') throw forbidden('企业用户不能查看企业名录', 'enterprise users cannot list enterprises');
  if (listScope(user, 'enterprise.read', ctx.access).kind === 'none') throw forbidden('无权查看企业名录', 'not allowed to list enterprises');
  const term = filter.q?.trim() ?? '';
  const like = `%${term.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  // The bigram of the term with the fewest enterprises (each counted only up to a bound: the choice stays cheap).
  const gram = [...term].length >= 2
    ? (
        await sql<{ gram: string }>`
          select g.gram from kaifang_bigrams(${term}) as g (gram)
           order by (select count(*) from (select 1 from enterprise_search_grams x where x.gram = g.gram limit 500) s), g.gram
           limit 1`.execute(ctx.db)
      ).rows[0]?.gram
    : undefined;
  const filtered = () => {
    let q = gram !== undefined
      ? ctx.db.selectFrom('enterprise_search_grams as g').innerJoin('enterprises', 'enterprises.uscc', 'g.uscc').where('g.gram', '=', gram)
      : ctx.db.selectFrom('enterprises');
    q = q.where(visibleEnterprises(ctx, user));
    if (filter.areaId) q = q.where('enterprises.area_id', '=', filter.areaId);
    if (filter.industryClass) q = q.where('enterprises.industry_class', '=', filter.industryClass);
    if (term) q = q.where((eb) => eb.or([eb('enterprises.name', 'ilike', like), eb('enterprises.uscc', 'ilike', like)]));
    return q;
  };
  const ordered = gram !== undefined
    ? filtered().orderBy(sql`g.name`).orderBy(sql`g.uscc`)
    : filtered().orderBy('enterprises.name').orderBy('enterprises.uscc');
  const [rows, counted] = await Promise.all([
    ordered
      .selectAll('enterprises')
      .select(sql<number>`(select count(*) from users u where u.enterprise_uscc = enterprises.uscc)`.as('user_count'))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    sql<{ n: number | string }>`select count(*) as n from (${filtered().select(sql`1`.as('one')).limit(DIRECTORY_COUNT_CAP + 1)}) c`.execute(ctx.db),
  ]);
  const n = Number(counted.rows[0].n);
  return {
    items: rows.map((r) => ({ ...enterpriseSummary(r), userCount: Number(r.user_count) })),
    total: Math.min(n, DIRECTORY_COUNT_CAP),
    totalCapped: n > DIRECTORY_COUNT_CAP,
    page,
    pageSize,
  };
}
