/**
 * 综合金融服务平台 (measure 21: “高效满足中小微企业融资需求，争取到2020年底通过综合金融服务平台解决企业融资规模累计达
 * 1000亿元”). 金融办 (the financial office, service-desk.yaml `financing.owner`) keeps the bank products, each of one
 * branch (a `bank` account: one per branch); an enterprise posts a financing need (amount, term, purpose, security,
 * urgency); the need is matched to every active product whose amount range, longest term and accepted securities fit,
 * each criterion written down as the reason; the banks see only the needs matched to their own products, answer
 * (interested, declined) and record the outcome (granted amount and date). 金融办 and the auditor see the pipeline and
 * the cumulative amount granted against the policy's target (targets.yaml, `financing.target`).
 */
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { isCivilDate } from '../civil-date.ts';
import { toJsonb } from '../db/schema.ts';
import type { Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { audienceOfEnterprise, audienceOfUnit, audienceOfUser } from './requests.ts';
import { serviceDeskRules } from './rules.ts';

export const SECURITIES = { credit: ['信用', 'credit'], collateral: ['抵押', 'collateral'], pledge: ['质押', 'pledge'], guarantee: ['保证担保', 'guarantee'] } as const;
export type Security = keyof typeof SECURITIES;
export const PRODUCT_KINDS = { talentLoan: ['人才贷', 'talent loan'], creditLoan: ['信用贷', 'credit loan'], workingCapital: ['流动资金贷款', 'working-capital loan'], techLoan: ['科技贷', 'tech loan'], mortgageLoan: ['抵押贷款', 'mortgage loan'] } as const;

const problem = (code: string, path: string, zh: string, en: string) => new KaifangError({ code, path, zh, en });
const notFound = () => new KaifangError({ code: 'not_found', zh: '找不到该融资需求，或您无权查看', en: 'not found, or not yours to see' });
const wan = (fen: number) => `${(fen / 1_000_000).toLocaleString('zh-CN', { maximumFractionDigits: 6 })}万元`;

function isFinanceOffice(user: Principal): boolean {
  return user.role === 'departmentReviewer' && user.departmentId === serviceDeskRules().financing.owner;
}
function officeOnly(user: Principal) {
  if (!isFinanceOffice(user)) throw new KaifangError({ code: 'forbidden', zh: '银行产品和融资对接情况由区金融办管理', en: 'bank products and the pipeline are kept by the financial office' });
}

// ── Products ────────────────────────────────────────────────────────────────────────────────────────────────────

export async function addProduct(ctx: PlatformContext, user: Principal, input: Record<string, unknown>, ip?: string | null) {
  officeOnly(user);
  const problems: KaifangError[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) problems.push(problem('required', 'name', '请填写产品名称（不超过100字）', 'name is required (≤ 100 characters)'));
  if (!(typeof input.kind === 'string' && input.kind in PRODUCT_KINDS)) problems.push(problem('invalid_value', 'kind', `产品类别为：${Object.values(PRODUCT_KINDS).map((k) => k[0]).join('、')}`, `kind is one of ${Object.keys(PRODUCT_KINDS).join(', ')}`));
  const fen = (k: string) => (Number.isSafeInteger(input[k]) && (input[k] as number) >= 0 ? (input[k] as number) : null);
  const [minFen, maxFen] = [fen('minFen'), fen('maxFen')];
  if (minFen === null) problems.push(problem('invalid_value', 'minFen', '最低额度为不小于0的整数分', 'minFen is whole fen ≥ 0'));
  if (maxFen === null || (minFen !== null && maxFen < minFen)) problems.push(problem('invalid_value', 'maxFen', '最高额度不能低于最低额度', 'maxFen is at least minFen'));
  const term = Number.isInteger(input.maxTermMonths) && (input.maxTermMonths as number) >= 1 && (input.maxTermMonths as number) <= 360 ? (input.maxTermMonths as number) : null;
  if (!term) problems.push(problem('invalid_value', 'maxTermMonths', '最长期限为1至360个月', 'maxTermMonths is 1–360'));
  const securities = Array.isArray(input.securities) ? input.securities.filter((s): s is Security => typeof s === 'string' && s in SECURITIES) : [];
  if (!securities.length || (Array.isArray(input.securities) && securities.length !== input.securities.length)) problems.push(problem('invalid_value', 'securities', '请选择接受的担保方式（信用、抵押、质押、保证担保）', 'securities: credit, collateral, pledge, guarantee'));
  const bank = Number.isSafeInteger(input.bankUserId) ? await ctx.db.selectFrom('users').select(['id', 'role']).where('id', '=', input.bankUserId as number).executeTakeFirst() : undefined;
  if (!bank || bank.role !== 'bank') problems.push(problem('invalid_value', 'bankUserId', '请选择银行网点账户', 'bankUserId is a bank account'));
  if (problems.length) throw new ValidationError(problems);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('financing_products')
      .values({ bank_user_id: Number(bank!.id), name, kind: input.kind as string, min_fen: minFen!, max_fen: maxFen!, max_term_months: term!, securities: toJsonb(securities), created_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'financing.product.add', entity: 'financingProduct', entityId: Number(row.id), details: { name, bankUserId: Number(bank!.id), audience: [audienceOfUser(Number(bank!.id))] } });
    return Number(row.id);
  });
  return { id };
}

export async function listProducts(ctx: PlatformContext, user: Principal) {
  let q = ctx.db.selectFrom('financing_products as p').innerJoin('users as u', 'u.id', 'p.bank_user_id').selectAll('p').select('u.display_name as bank_name');
  if (user.role === 'bank') q = q.where('p.bank_user_id', '=', user.id);
  const rows = await q.orderBy('p.id').execute();
  return {
    items: rows.map((p) => ({ id: Number(p.id), bankUserId: Number(p.bank_user_id), bankName: p.bank_name, name: p.name, kind: p.kind, kindZh: PRODUCT_KINDS[p.kind as keyof typeof PRODUCT_KINDS]?.[0] ?? p.kind, minFen: Number(p.min_fen), maxFen: Number(p.max_fen), maxTermMonths: p.max_term_months, securities: p.securities as Security[], active: p.active })),
  };
}

/** The bank branches' accounts, for 金融办 choosing a product's branch. */
export async function listBanks(ctx: PlatformContext, user: Principal) {
  if (!isFinanceOffice(user) && user.role !== 'auditor') officeOnly(user);
  const rows = await ctx.db.selectFrom('users').select(['id', 'display_name']).where('role', '=', 'bank').where('disabled_at', 'is', null).orderBy('id').execute();
  return { items: rows.map((r) => ({ id: Number(r.id), name: r.display_name })) };
}

// ── Matching ────────────────────────────────────────────────────────────────────────────────────────────────────

interface NeedLike {
  amount_fen: number;
  term_months: number;
  security: string;
}
interface ProductLike {
  min_fen: number;
  max_fen: number;
  max_term_months: number;
  securities: unknown;
}

/** Whether a product fits a need, and why (each criterion, met or not). */
export function matchReasons(need: NeedLike, p: ProductLike): { fits: boolean; reasons: Array<{ met: boolean; zh: string; en: string }> } {
  const amount = Number(need.amount_fen);
  const inRange = amount >= Number(p.min_fen) && amount <= Number(p.max_fen);
  const termOk = need.term_months <= p.max_term_months;
  const secs = p.securities as string[];
  const secOk = secs.includes(need.security);
  const secZh = SECURITIES[need.security as Security]?.[0] ?? need.security;
  const reasons = [
    { met: inRange, zh: `金额${wan(amount)}${inRange ? '在' : '不在'}产品额度${wan(Number(p.min_fen))}至${wan(Number(p.max_fen))}内`, en: `the amount ${inRange ? 'is' : 'is not'} within the product's range` },
    { met: termOk, zh: `期限${need.term_months}个月${termOk ? '不超过' : '超过'}产品最长${p.max_term_months}个月`, en: `the term ${termOk ? 'is within' : 'exceeds'} the product's ${p.max_term_months} months` },
    { met: secOk, zh: `担保方式“${secZh}”${secOk ? '为产品所接受' : '不为产品所接受'}`, en: `the security ${need.security} is ${secOk ? '' : 'not '}accepted` },
  ];
  return { fits: inRange && termOk && secOk, reasons };
}

async function matchNeed(trx: Db, need: NeedLike & { id: number }): Promise<number[]> {
  const products = await trx.selectFrom('financing_products').selectAll().where('active', '=', true).execute();
  const banks: number[] = [];
  for (const p of products) {
    const m = matchReasons(need, p);
    if (!m.fits) continue;
    await trx
      .insertInto('financing_matches')
      .values({ need_id: need.id, product_id: Number(p.id), bank_user_id: Number(p.bank_user_id), reasons: toJsonb(m.reasons) })
      .onConflict((oc) => oc.columns(['need_id', 'product_id']).doNothing())
      .execute();
    banks.push(Number(p.bank_user_id));
  }
  return [...new Set(banks)];
}

// ── Needs ───────────────────────────────────────────────────────────────────────────────────────────────────────

export async function postNeed(ctx: PlatformContext, user: Principal, input: Record<string, unknown>, ip?: string | null) {
  authorize(user, 'financing.post', { enterpriseUscc: user.enterpriseUscc });
  const problems: KaifangError[] = [];
  const amount = Number.isSafeInteger(input.amountFen) && (input.amountFen as number) > 0 ? (input.amountFen as number) : null;
  if (!amount) problems.push(problem('invalid_value', 'amountFen', '融资金额须大于0（整数分）', 'amountFen is whole fen > 0'));
  const term = Number.isInteger(input.termMonths) && (input.termMonths as number) >= 1 && (input.termMonths as number) <= 360 ? (input.termMonths as number) : null;
  if (!term) problems.push(problem('invalid_value', 'termMonths', '期限为1至360个月', 'termMonths is 1–360'));
  const purpose = typeof input.purpose === 'string' ? input.purpose.trim() : '';
  if (!purpose || purpose.length > 500) problems.push(problem('required', 'purpose', '请填写资金用途（不超过500字）', 'purpose is required (≤ 500 characters)'));
  if (!(typeof input.security === 'string' && input.security in SECURITIES)) problems.push(problem('invalid_value', 'security', '担保方式为信用、抵押、质押或保证担保', 'security is credit, collateral, pledge or guarantee'));
  const urgency = input.urgency === 'urgent' ? 'urgent' : 'normal';
  if (problems.length) throw new ValidationError(problems);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('financing_needs')
      .values({ enterprise_uscc: user.enterpriseUscc!, amount_fen: amount!, term_months: term!, purpose, security: input.security as string, urgency, posted_on: ctx.today(), posted_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const nid = Number(row.id);
    const banks = await matchNeed(trx, { id: nid, amount_fen: amount!, term_months: term!, security: input.security as string });
    await appendAudit(trx, actorOf(user, ip), {
      action: 'financing.need.post',
      entity: 'financingNeed',
      entityId: nid,
      details: { amountFen: amount, matchedBanks: banks.length, audience: [...banks.map(audienceOfUser), audienceOfUnit({ kind: 'department', id: serviceDeskRules().financing.owner })] },
    });
    return nid;
  });
  return getNeed(ctx, user, id);
}

/** A need as the caller may see it: the enterprise all its matches; a bank only its own matches (else 404). */
export async function getNeed(ctx: PlatformContext, user: Principal, id: number) {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const n = await ctx.db.selectFrom('financing_needs as n').innerJoin('enterprises as e', 'e.uscc', 'n.enterprise_uscc').selectAll('n').select('e.name').where('n.id', '=', id).executeTakeFirst();
  if (!n) throw notFound();
  let mq = ctx.db
    .selectFrom('financing_matches as m')
    .innerJoin('financing_products as p', 'p.id', 'm.product_id')
    .innerJoin('users as u', 'u.id', 'm.bank_user_id')
    .selectAll('m')
    .select(['p.name as product_name', 'p.kind', 'u.display_name as bank_name'])
    .where('m.need_id', '=', n.id);
  if (user.role === 'bank') mq = mq.where('m.bank_user_id', '=', user.id);
  else if (!(user.role === 'enterprise' && user.enterpriseUscc === n.enterprise_uscc) && !isFinanceOffice(user) && user.role !== 'auditor') throw notFound();
  const matches = await mq.orderBy('m.id').execute();
  if (user.role === 'bank' && !matches.length) throw notFound();
  return {
    id: Number(n.id),
    enterpriseUscc: n.enterprise_uscc,
    enterpriseName: n.name,
    amountFen: Number(n.amount_fen),
    termMonths: n.term_months,
    purpose: n.purpose,
    security: n.security,
    urgency: n.urgency,
    postedOn: n.posted_on,
    matches: matches.map((m) => ({
      id: Number(m.id),
      productName: m.product_name,
      kindZh: PRODUCT_KINDS[m.kind as keyof typeof PRODUCT_KINDS]?.[0] ?? m.kind,
      bankName: m.bank_name,
      reasons: m.reasons as Array<{ met: boolean; zh: string; en: string }>,
      status: m.status,
      note: m.note,
      grantedFen: m.granted_fen === null ? null : Number(m.granted_fen),
      grantedOn: m.granted_on,
    })),
  };
}

/** The enterprise its own needs; a bank the needs matched to it; 金融办 and the auditor all. */
export async function listNeeds(ctx: PlatformContext, user: Principal) {
  let q = ctx.db.selectFrom('financing_needs as n').select('n.id');
  if (user.role === 'enterprise') q = q.where('n.enterprise_uscc', '=', user.enterpriseUscc ?? '');
  else if (user.role === 'bank') q = q.where('n.id', 'in', ctx.db.selectFrom('financing_matches').select('need_id').where('bank_user_id', '=', user.id));
  else if (!isFinanceOffice(user) && user.role !== 'auditor') throw new KaifangError({ code: 'forbidden', zh: '融资需求仅供企业本身、匹配的银行、区金融办和审计查看', en: 'needs are for their enterprise, matched banks, the financial office and the auditor' });
  const ids = await q.orderBy('n.id', 'desc').limit(200).execute();
  const items = [];
  for (const { id } of ids) items.push(await getNeed(ctx, user, Number(id)));
  return { items };
}

/** The bank answers a match of its own: interested, declined, or granted with the amount and date. */
export async function respondToMatch(ctx: PlatformContext, user: Principal, matchId: number, input: Record<string, unknown>, ip?: string | null) {
  authorize(user, 'financing.respond');
  const status = input.status;
  const problems: KaifangError[] = [];
  if (status !== 'interested' && status !== 'declined' && status !== 'granted') problems.push(problem('invalid_value', 'status', '答复为有意向、不予受理或已放款', 'status is interested, declined or granted'));
  const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim().slice(0, 1000) : null;
  const m = Number.isSafeInteger(matchId) ? await ctx.db.selectFrom('financing_matches as m').innerJoin('financing_needs as n', 'n.id', 'm.need_id').selectAll('m').select(['n.amount_fen', 'n.enterprise_uscc']).where('m.id', '=', matchId).executeTakeFirst() : undefined;
  if (!m || Number(m.bank_user_id) !== user.id) throw notFound();
  let grantedFen: number | null = null;
  let grantedOn: string | null = null;
  if (status === 'granted') {
    grantedFen = Number.isSafeInteger(input.grantedFen) && (input.grantedFen as number) > 0 ? (input.grantedFen as number) : null;
    if (!grantedFen || grantedFen > Number(m.amount_fen)) problems.push(problem('invalid_value', 'grantedFen', `放款金额须大于0且不超过需求金额${wan(Number(m.amount_fen))}`, 'grantedFen is > 0 and at most the need'));
    grantedOn = isCivilDate(input.grantedOn) && (input.grantedOn as string) <= ctx.today() ? (input.grantedOn as string) : null;
    if (!grantedOn) problems.push(problem('invalid_value', 'grantedOn', '放款日期格式为 YYYY-MM-DD，且不晚于今天', 'grantedOn is a date not after today'));
  }
  if (m.status === 'granted') problems.push(problem('invalid_state', 'status', '已放款的对接不能再更改', 'a granted match is final'));
  if (problems.length) throw new ValidationError(problems);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('financing_matches').set({ status: status as 'interested', note, granted_fen: grantedFen, granted_on: grantedOn, answered_at: new Date() }).where('id', '=', m.id).execute();
    await appendAudit(trx, actorOf(user, ip), {
      action: 'financing.match.respond',
      entity: 'financingNeed',
      entityId: Number(m.need_id),
      details: { status, amountFen: grantedFen ?? undefined, audience: [audienceOfEnterprise(m.enterprise_uscc), audienceOfUnit({ kind: 'department', id: serviceDeskRules().financing.owner })] },
    });
  });
  return getNeed(ctx, user, Number(m.need_id));
}

/** 金融办's pipeline: needs and matches by status, and the amount granted so far against the policy's target. */
export async function financingPipeline(ctx: PlatformContext, user: Principal) {
  if (!isFinanceOffice(user) && user.role !== 'auditor') officeOnly(user);
  const rules = serviceDeskRules();
  const target = ctx.engine.policy.targets.find((t) => t.id === rules.financing.target);
  const targetValue = target && typeof target.value === 'number' ? target.value : null;
  const unitFen: Record<string, number> = { 亿元: 10_000_000_000, 万元: 1_000_000, 元: 100 };
  const targetFen = targetValue !== null && target && unitFen[target.unit] ? targetValue * unitFen[target.unit] : null;
  const needs = await ctx.db.selectFrom('financing_needs').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('amount_fen').as('fen')]).executeTakeFirstOrThrow();
  const byStatus = await ctx.db.selectFrom('financing_matches').select(['status', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.sum<string>('granted_fen').as('fen')]).groupBy('status').execute();
  const unmatched = await ctx.db.selectFrom('financing_needs as n').select((eb) => eb.fn.countAll<string>().as('n')).where(({ not, exists, selectFrom }) => not(exists(selectFrom('financing_matches as m').select('m.id').whereRef('m.need_id', '=', 'n.id')))).executeTakeFirstOrThrow();
  const grantedFen = byStatus.reduce((s, r) => s + Number(r.fen ?? 0), 0);
  return {
    needs: Number(needs.n),
    needsAmountFen: Number(needs.fen ?? 0),
    unmatchedNeeds: Number(unmatched.n),
    matches: Object.fromEntries(['pending', 'interested', 'declined', 'granted'].map((s) => [s, Number(byStatus.find((r) => r.status === s)?.n ?? 0)])),
    grantedFen,
    target: target ? { id: target.id, title: target.title, clause: target.clause, value: targetValue, unit: target.unit, deadline: target.deadline, targetFen, progressPercent: targetFen ? Math.round((grantedFen / targetFen) * 1_000_000) / 10_000 : null } : null,
  };
}
