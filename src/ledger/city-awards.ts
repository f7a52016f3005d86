/**
 * Same-kind awards an enterprise received from the city (市级), recorded by the lead department of the
 * measure so that 就高不重复 can be applied: at the next decision the engine sets the city award off against
 * the district entitlement (the enterprise gets the higher, never both). A city award is a ledger entry of
 * kind `cityAward`; it is not district money and counts against no district budget.
 */
import { appendAudit } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { parseUscc } from '../enterprises/uscc.ts';
import { actorOf, measureIdOf, type PlatformContext } from '../claims/context.ts';
import { appendLedgerEntry, lockCap } from './ledger.ts';

export interface CityAwardInput {
  uscc: unknown;
  incentive: unknown;
  item?: unknown;
  year: unknown;
  amountFen: unknown;
  reference: unknown;
}

export interface CityAward {
  id: number;
  uscc: string;
  incentive: string;
  measureId: string;
  item: string;
  year: number;
  amountFen: number;
  reference: string;
}

export async function recordCityAward(ctx: PlatformContext, user: Principal, input: CityAwardInput, ip?: string | null): Promise<CityAward> {
  const errors: KaifangError[] = [];
  const policy = ctx.engine.policy;
  let uscc = '';
  try {
    uscc = parseUscc(input.uscc, 'uscc');
  } catch (e) {
    errors.push(e as KaifangError);
  }
  const inc = typeof input.incentive === 'string' ? policy.incentivesById.get(input.incentive) : undefined;
  if (!inc) {
    errors.push(new KaifangError({ code: 'unknown_incentive', path: 'incentive', zh: '请选择政策中的奖励项目', en: "incentive must be one of the policy's incentives" }));
  } else if (!inc.highestNotBoth) {
    errors.push(new KaifangError({ code: 'not_highest_not_both', path: 'incentive', zh: `“${inc.title}”不适用就高不重复，无需登记市级奖励`, en: 'this incentive is not subject to highest-not-both; a city award has no effect on it' }));
  }
  const item = input.item === undefined || input.item === null ? '' : input.item;
  if (typeof item !== 'string' || item.length > 200) errors.push(new KaifangError({ code: 'wrong_type', path: 'item', zh: '申报对象名称应为200字以内的文字', en: 'item must be text of at most 200 characters' }));
  const year = input.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) errors.push(new KaifangError({ code: 'bad_year', path: 'year', zh: '年度应为四位数年份，如2020', en: 'year must be a four-digit year' }));
  const amountFen = input.amountFen;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen <= 0) errors.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: '市级奖励金额应为正整数（分）', en: 'amountFen must be a positive integer (fen)' }));
  const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
  if (!reference || reference.length > 200) errors.push(new KaifangError({ code: 'required', path: 'reference', zh: '请填写市级奖励的文件号或凭据（200字以内）', en: 'reference (the city document or record, at most 200 characters) is required' }));
  if (errors.length) throw new ValidationError(errors);

  const measureId = measureIdOf(inc!.measure);
  authorize(user, 'ledger.recordCityAward', { measureId, policyId: policy.id }, ctx.access);
  const enterprise = await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', '=', uscc).executeTakeFirst();
  if (!enterprise) throw new ValidationError([new KaifangError({ code: 'unknown_enterprise', path: 'uscc', zh: `企业 ${uscc} 未登记`, en: `enterprise ${uscc} is not registered` })]);

  return ctx.db.transaction().execute(async (trx) => {
    // Under the same lock as decisions about this enterprise's incentive: a decision sees the city award or runs before it.
    await lockCap(trx, { enterpriseUscc: uscc, policyId: policy.id, incentiveId: inc!.id, measureId, year: year as number });
    const id = await appendLedgerEntry(trx, {
      enterpriseUscc: uscc,
      policyId: policy.id,
      measureId,
      incentiveId: inc!.id,
      item: (item as string).trim(),
      year: year as number,
      kind: 'cityAward',
      amountFen: amountFen as number,
      reference,
      createdBy: user.id,
    });
    await appendAudit(trx, actorOf(user, ip), { action: 'ledger.cityAward', entity: 'enterprise', entityId: uscc, details: { ledgerEntryId: id, incentive: inc!.id, year: year as number, amountFen: amountFen as number, reference } });
    return { id, uscc, incentive: inc!.id, measureId, item: (item as string).trim(), year: year as number, amountFen: amountFen as number, reference };
  });
}
