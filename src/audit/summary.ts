/**
 * An audit record as a sentence a person reads: "区工信局 张三 通过了申报 #12 的部门审核并核定金额（30万元）".
 * The actor is named by unit and name (department or area, enterprise, or the platform), the thing acted on by
 * its kind and name, and the action by its catalogue sentence (actions.ts); a reason or an amount in the
 * details is added at the end. Names are looked up once per page of records, not per record.
 */
import { findArea } from '../enterprises/areas.ts';
import type { Db } from '../db/transaction.ts';
import type { JsonObject, Role } from '../db/schema.ts';
import { formatFen } from '../policy/quantities.ts';
import { auditActionInfo, type AuditDomain } from './actions.ts';

export interface AgencyNames {
  get(id: string): { name: string; nameEn?: string } | undefined;
}

export interface SummaryInput {
  actor: string;
  actorUserId: number | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: JsonObject;
}

export interface ActorView {
  username: string;
  displayName: string | null;
  role: Role | null;
  unitZh: string | null;
  unitEn: string | null;
}

export interface RecordReading {
  actionZh: string;
  actionEn: string;
  domain: AuditDomain;
  actorView: ActorView;
  summaryZh: string;
  summaryEn: string;
}

const ROLE_UNIT: Partial<Record<Role, [string, string]>> = {
  finance: ['区财政局', 'District Finance Bureau'],
  auditor: ['审计', 'Audit'],
  admin: ['平台管理员', 'Administrator'],
};

/** Looks up the names a page of records needs (users, enterprises, 公示 batches) in three queries at most. */
export async function describeRecords(db: Db, agencies: AgencyNames, records: SummaryInput[]): Promise<RecordReading[]> {
  const userIds = new Set<number>();
  const usccs = new Set<string>();
  const batchIds = new Set<number>();
  for (const r of records) {
    if (r.actorUserId !== null) userIds.add(Number(r.actorUserId));
    if (r.entity === 'user' && r.entityId && /^\d{1,15}$/.test(r.entityId)) userIds.add(Number(r.entityId));
    if (r.entity === 'enterprise' && r.entityId) usccs.add(r.entityId);
    if (r.entity === 'publicity' && r.entityId && /^\d{1,15}$/.test(r.entityId)) batchIds.add(Number(r.entityId));
  }
  const [users, enterprises, batches] = await Promise.all([
    userIds.size
      ? db.selectFrom('users').select(['id', 'username', 'display_name', 'role', 'area_id', 'department_id', 'enterprise_uscc']).where('id', 'in', [...userIds]).execute()
      : [],
    usccs.size ? db.selectFrom('enterprises').select(['uscc', 'name']).where('uscc', 'in', [...usccs]).execute() : [],
    batchIds.size ? db.selectFrom('publicity_batches').select(['id', 'title']).where('id', 'in', [...batchIds]).execute() : [],
  ]);
  // the actors' enterprises too (an enterprise user is named by its enterprise)
  const actorUsccs = users.map((u) => u.enterprise_uscc).filter((u): u is string => !!u && !usccs.has(u));
  const more = actorUsccs.length ? await db.selectFrom('enterprises').select(['uscc', 'name']).where('uscc', 'in', actorUsccs).execute() : [];
  const userById = new Map(users.map((u) => [Number(u.id), u]));
  const enterpriseName = new Map([...enterprises, ...more].map((e) => [e.uscc, e.name]));
  const batchTitle = new Map(batches.map((b) => [Number(b.id), b.title]));

  const actorOf = (r: SummaryInput): ActorView => {
    const u = r.actorUserId === null ? undefined : userById.get(Number(r.actorUserId));
    if (!u) {
      const platform = r.actorUserId === null;
      return { username: r.actor, displayName: null, role: null, unitZh: platform ? '平台' : null, unitEn: platform ? 'Platform' : null };
    }
    let unit: [string, string] | null = ROLE_UNIT[u.role] ?? null;
    if (u.role === 'departmentReviewer' && u.department_id) {
      const a = agencies.get(u.department_id);
      unit = [a?.name ?? u.department_id, a?.nameEn ?? a?.name ?? u.department_id];
    } else if (u.role === 'areaReviewer' && u.area_id) {
      const a = findArea(u.area_id);
      unit = [a?.shortZh ?? a?.nameZh ?? u.area_id, a?.nameEn ?? u.area_id];
    } else if (u.role === 'enterprise' && u.enterprise_uscc) {
      const n = enterpriseName.get(u.enterprise_uscc) ?? u.enterprise_uscc;
      unit = [n, n];
    }
    return { username: u.username, displayName: u.display_name, role: u.role, unitZh: unit?.[0] ?? null, unitEn: unit?.[1] ?? null };
  };

  const targetOf = (r: SummaryInput): [string, string] => {
    const id = r.entityId;
    const d = r.details ?? {};
    switch (r.entity) {
      case 'claim':
        return [`申报 #${id}`, `claim #${id}`];
      case 'enterprise': {
        const n = id ? enterpriseName.get(id) : undefined;
        return n ? [`企业“${n}”（${id}）`, `enterprise “${n}” (${id})`] : id ? [`企业 ${id}`, `enterprise ${id}`] : ['企业', 'enterprises'];
      }
      case 'user': {
        const u = id && /^\d+$/.test(id) ? userById.get(Number(id)) : undefined;
        const name = u ? `${u.display_name}（${u.username}）` : typeof d.username === 'string' ? d.username : `#${id ?? '?'}`;
        return [`用户 ${name}`, `user ${u ? `${u.display_name} (${u.username})` : name}`];
      }
      case 'publicity': {
        const title = id && /^\d+$/.test(id) ? batchTitle.get(Number(id)) : undefined;
        return title ? [`公示批次 #${id}《${title}》`, `publicity batch #${id} “${title}”`] : [`公示批次 #${id}`, `publicity batch #${id}`];
      }
      case 'budget': {
        const [measure, year] = (id ?? '').split('/');
        const m = measure === 'general' ? ['附则', 'the general provisions'] : [`第${measure}条`, `measure ${measure}`];
        return [`${m[0]} ${year}年度预算`, `the ${year} budget of ${m[1]}`];
      }
      case 'paymentBatch':
        return [`拨付批次 #${id}`, `payment batch #${id}`];
      case 'serviceCase':
        return [`办件 #${id}`, `service case #${id}`];
      case 'serviceRequest':
        return [`诉求 #${id}`, `request #${id}`];
      case 'financingNeed':
        return [`融资需求 #${id}`, `financing need #${id}`];
      case 'assistance':
        return [`帮办事项 #${id}`, `assistance case #${id}`];
      case 'directReport':
        return [`直报报表 #${id}`, `report #${id}`];
      case 'audit_anchor':
        return typeof d.seq === 'number' ? [`锚定至第 ${d.seq} 条`, `up to #${d.seq}`] : [`锚点 #${id}`, `anchor #${id}`];
      case 'calendar':
        return [`${id}年工作日历`, `the ${id} working-day calendar`];
      case 'ledgerEntry':
        return ['奖励台账', 'the award ledger'];
      case 'credit_list':
        return ['信用名单', 'credit lists'];
      default:
        return [`${r.entity}${id ? ` #${id}` : ''}`, `${r.entity}${id ? ` #${id}` : ''}`];
    }
  };

  return records.map((r) => {
    const info = auditActionInfo(r.action);
    const actor = actorOf(r);
    const [tZh, tEn] = targetOf(r);
    const d = r.details ?? {};
    // "申报 #12 的部门审核": a space between a target ending in a digit or letter and the Chinese that follows
    const after = info.sentenceZh.slice(info.sentenceZh.indexOf('{target}') + '{target}'.length);
    let zh = info.sentenceZh.replace('{target}', tZh + (/[0-9A-Za-z]$/.test(tZh) && /^[\u4e00-\u9fff]/.test(after) ? ' ' : ''));
    let en = info.sentenceEn.replace('{target}', tEn);
    if (typeof d.amountFen === 'number' && d.amountFen !== 0) {
      zh += `（${formatFen(Math.abs(d.amountFen))}）`;
      en += ` (${formatFen(Math.abs(d.amountFen), '元').replace('元', ' yuan')})`;
    }
    if (typeof d.reason === 'string' && d.reason.trim()) {
      zh += `，理由：${d.reason.trim()}`;
      en += `; reason: ${d.reason.trim()}`;
    }
    // An enterprise's user is named by its enterprise, which is also its unit: say it once.
    const who = (unit: string | null) => [...new Set([unit, actor.displayName ?? actor.username].filter(Boolean))].join(' ');
    const whoZh = who(actor.unitZh);
    const whoEn = who(actor.unitEn);
    return { actionZh: info.zh, actionEn: info.en, domain: info.domain, actorView: actor, summaryZh: `${whoZh} ${zh}`, summaryEn: `${whoEn} ${en}` };
  });
}
