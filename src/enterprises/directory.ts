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

/** Officials' list of the enterprises in their scope; enterprise users use /api/me instead. */
export async function listVisibleEnterprises(ctx: PlatformContext, user: Principal, filter: EnterpriseListFilter, page = 1, pageSize = 20) {
  if (user.role === 'enterprise') throw forbidden('企业用户不能查看企业名录', 'enterprise users cannot list enterprises');
  if (listScope(user, 'enterprise.read', ctx.access).kind === 'none') throw forbidden('无权查看企业名录', 'not allowed to list enterprises');
  let q = ctx.db.selectFrom('enterprises').where(visibleEnterprises(ctx, user));
  if (filter.areaId) q = q.where('enterprises.area_id', '=', filter.areaId);
  if (filter.industryClass) q = q.where('enterprises.industry_class', '=', filter.industryClass);
  if (filter.q?.trim()) {
    const like = `%${filter.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('enterprises.name', 'ilike', like), eb('enterprises.uscc', 'ilike', like)]));
  }
  const total = Number((await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q
    .selectAll('enterprises')
    .orderBy('enterprises.name')
    .orderBy('enterprises.uscc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { items: rows.map(enterpriseSummary), total, page, pageSize };
}
