/**
 * One enterprise as the administrator keeps it (and as officials who may read it see it, read-only): the register's
 * entry, its facts on file year by year with the source of each value (who stated it, when), its users, how many
 * claims it has by state, and its credit status. The claims themselves stay out of the administrator's reach
 * (access.ts: no claims or money for admin) — only their number is shown.
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { creditEntries, creditStatus } from '../credit/credit.ts';
import { can } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { enterpriseSummary, getVisibleEnterprise } from './directory.ts';

export interface FactSource {
  userId: number | null;
  name: string | null;
  username: string | null;
  role: string | null;
  at: string | null;
}

export async function getEnterpriseProfile(ctx: PlatformContext, user: Principal, uscc: string, ip?: string | null) {
  const row = await getVisibleEnterprise(ctx, user, uscc);
  const factRows = await ctx.db.selectFrom('enterprise_facts').selectAll().where('enterprise_uscc', '=', row.uscc).orderBy('year', 'desc').execute();

  const userIds = new Set<number>();
  for (const f of factRows) {
    if (f.updated_by !== null) userIds.add(Number(f.updated_by));
    for (const s of Object.values((f.fact_sources ?? {}) as Record<string, { by?: number | null }>)) if (typeof s?.by === 'number') userIds.add(s.by);
  }
  const people = userIds.size ? await ctx.db.selectFrom('users').select(['id', 'display_name', 'username', 'role']).where('id', 'in', [...userIds]).execute() : [];
  const byId = new Map(people.map((p) => [Number(p.id), p]));
  const source = (by: number | null | undefined, at: string | null): FactSource => {
    const p = by === null || by === undefined ? undefined : byId.get(by);
    return { userId: by ?? null, name: p?.display_name ?? null, username: p?.username ?? null, role: p?.role ?? null, at };
  };
  const factYears = factRows.map((f) => {
    const sources = (f.fact_sources ?? {}) as Record<string, { by?: number | null; at?: string } | undefined>;
    return {
      year: f.year,
      updatedAt: f.updated_at,
      updatedBy: source(f.updated_by === null ? null : Number(f.updated_by), f.updated_at.toISOString()),
      facts: Object.entries(f.facts).map(([name, value]) => {
        const s = sources[name];
        // Rows written before sources were kept (migration 0018): the row's last writer is the best we know.
        return { name, value, source: s ? source(s.by ?? null, s.at ?? null) : source(f.updated_by === null ? null : Number(f.updated_by), f.updated_at.toISOString()), sourceIsRow: !s };
      }),
    };
  });

  const users = can(user, 'user.read', {}, ctx.access) && user.role !== 'enterprise'
    ? (
        await ctx.db
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'enterprise_admin', 'disabled_at', 'last_login_at', 'created_at'])
          .where('enterprise_uscc', '=', row.uscc)
          .orderBy('id')
          .execute()
      ).map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, enterpriseAdmin: u.enterprise_admin, status: u.disabled_at ? 'disabled' : 'active', lastLoginAt: u.last_login_at, createdAt: u.created_at }))
    : null;

  const { rows: states } = await sql<{ state: string; n: string | number }>`select state, count(*) as n from claims where enterprise_uscc = ${row.uscc} group by state order by state`.execute(ctx.db);
  const byState = Object.fromEntries(states.map((s) => [s.state, Number(s.n)]));
  const claims = { total: states.reduce((s, x) => s + Number(x.n), 0), byState };

  const today = ctx.today();
  const credit = { ...(await creditStatus(ctx.db, row.uscc, today)), history: (await creditEntries(ctx.db, { uscc: row.uscc }, 1, 100)).items };

  if (user.role !== 'enterprise') await appendAudit(ctx.db, actorOf(user, ip), { action: 'enterprise.profile.read', entity: 'enterprise', entityId: row.uscc, details: { years: factYears.map((f) => f.year) } });
  return { enterprise: { ...enterpriseSummary(row), updatedAt: row.updated_at }, factYears, users, claims, credit, canEdit: can(user, 'enterprise.update', {}, ctx.access) };
}
