/**
 * The service desk's part of the demo (called from src/demo/seed.ts): liaison leaders and officers of two enterprises,
 * and requests in every state — one transferred, answered late after escalation and rated; one overdue and red in the
 * commerce bureau's queue; one waiting for the enterprise; one answered and waiting for a rating; one new with an area;
 * one reopened and answered again — each step on its own day (the services' today), so the figures have something to
 * say; and a monthly direct report (企业信息直报) answered in the portal and by Excel, and chased.
 */
import type { PlatformContext } from '../claims/context.ts';
import ExcelJS from 'exceljs';
import type { Principal } from '../identity/users.ts';
import { logVisit, visitPeriodOf } from './visits.ts';
import { askForAssistance, assignAgent, recordAssistance } from './assistance.ts';
import { addProduct, postNeed, respondToMatch } from './financing.ts';
import { serviceDeskRules } from './rules.ts';
import { chaseReport, currentPeriod, defineReport, importAnswers, answerReport, reportTemplate } from './direct-reports.ts';
import {
  acknowledgeRequest,
  answerRequest,
  askForInformation,
  assignLiaison,
  escalateOverdue,
  fileRequest,
  rateRequest,
  reopenRequest,
  transferRequest,
} from './requests.ts';

/** 综合金融服务平台: one `bank` account per branch (planned with the other demo users in src/demo/seed.ts). */
export const DEMO_BANKS = [
  { username: 'bank-jsbank', name: '江苏银行吴江支行' },
  { username: 'bank-wjrcb', name: '吴江农村商业银行' },
  { username: 'bank-icbc', name: '中国工商银行吴江分行' },
] as const;

export interface ServiceDeskDemoInput {
  /** a demo account by username */
  user: (username: string) => Principal;
  /** the civil date `offset` days from the demo's today */
  day: (offset: number) => string;
}

export interface ServiceDeskDemo {
  requests: number;
  /** the request that was transferred, escalated, answered late and rated */
  walkedRequestId: number;
  /** the monthly direct report */
  reportId: number;
}

export async function seedServiceDesk(ctx: PlatformContext, { user, day }: ServiceDeskDemoInput): Promise<ServiceDeskDemo> {
  const on = (offset: number): PlatformContext => ({ ...ctx, today: () => day(offset) });
  const admin = user('admin');
  const lanchuan = user('ent-lanchuan');
  const jinlan = user('ent-jinlan');
  const songling = user('ent-songling');
  const industry = user('dept-industry');
  const science = user('dept-science');
  const commerce = user('dept-commerce');
  const financeOffice = user('dept-finance-office');
  const talent = user('dept-talent');

  // 挂钩联系: 盛泽镇's official is the leader of 澜川, the industry bureau's its officer; 松陵's for 松陵智能装备.
  await assignLiaison(ctx, admin, { uscc: lanchuan.enterpriseUscc, userId: user('area-shengze').id, kind: 'leader' });
  await assignLiaison(ctx, admin, { uscc: lanchuan.enterpriseUscc, userId: industry.id, kind: 'officer' });
  await assignLiaison(ctx, admin, { uscc: songling.enterpriseUscc, userId: user('area-songling').id, kind: 'leader' });

  // 1. Transferred, escalated, answered late, rated.
  const walked = await fileRequest(on(-20), lanchuan, { category: 'policy', title: '研发费用加计扣除年度认定', description: '我司2019、2020年度均享受研发费用加计扣除，申报第10条研发投入奖励时年度如何认定？' });
  await acknowledgeRequest(on(-19), industry, walked.id);
  await transferRequest(on(-19), industry, walked.id, { toUnit: 'department:science-technology-bureau', reason: '研发费用认定属区科技局职责' });
  await acknowledgeRequest(on(-18), science, walked.id);
  await escalateOverdue(on(-12));
  await answerRequest(on(-10), science, walked.id, { answer: '以税务部门出具的加计扣除备案年度为准，2019、2020年度连续享受的，符合第10条条件。' });
  await rateRequest(on(-9), lanchuan, walked.id, { rating: 4, comment: '答复清楚，但超过了时限' });

  // 2. Overdue and red in the commerce bureau's queue (escalated to 松陵's leader).
  const overdue = await fileRequest(on(-12), songling, { category: 'trade', title: '境外展会补贴申请渠道', description: '参加汉诺威工业展的展位费补贴如何申请？' });
  await acknowledgeRequest(on(-11), commerce, overdue.id);
  await escalateOverdue(on(-1));

  // 3. Waiting for the enterprise (the clock stands).
  const waiting = await fileRequest(on(-3), lanchuan, { category: 'technology', title: '高企认定辅导', description: '今年拟申报高新技术企业，希望安排认定辅导。' });
  await askForInformation(on(-2), science, waiting.id, { question: '请补充近三年研发费用明细和知识产权清单。' });

  // 4. Answered on time, waiting for the rating.
  const financing = await fileRequest(on(-4), jinlan, { category: 'financing', title: '技改项目融资', description: '新上喷气织机技改项目，需流动资金贷款约800万元。' });
  await acknowledgeRequest(on(-4), financeOffice, financing.id);
  await answerRequest(on(-3), financeOffice, financing.id, { answer: '已推送至苏州综合金融服务平台，江苏银行吴江支行、吴江农商行将于3个工作日内联系贵司。' });

  // 5. New today, with the enterprise's own area (平望).
  await fileRequest(ctx, jinlan, { category: 'local', title: '厂区门口道路积水', description: '雨天厂区门口道路积水，影响货车进出，请协调修缮。' });

  // 6. Rated low, reopened with a reason, answered again and rated.
  const reopened = await fileRequest(on(-16), songling, { category: 'talent', title: '高层次人才公寓', description: '引进的两名博士如何申请人才公寓？' });
  await acknowledgeRequest(on(-16), talent, reopened.id);
  await answerRequest(on(-15), talent, reopened.id, { answer: '请登录人才服务平台申请。' });
  await rateRequest(on(-14), songling, reopened.id, { rating: 2, comment: '答复过于简单' });
  await reopenRequest(on(-14), songling, reopened.id, { reason: '未说明申请条件和所需材料' });
  await answerRequest(on(-13), talent, reopened.id, { answer: '申请条件：博士学位、与企业签订3年以上劳动合同；材料：学位证书、劳动合同、社保缴纳证明。可直接在人才服务平台提交，5个工作日内反馈。' });
  await rateRequest(on(-12), songling, reopened.id, { rating: 5 });

  // 企业信息直报: 区工信局's monthly report for 盛泽 and 平望, two periods; the earlier answered by two (one by Excel),
  // the current by one, the rest chased.
  const current = currentPeriod('month', day(0));
  const [y, m] = [Number(current.slice(0, 4)), Number(current.slice(5, 7))];
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const report = await defineReport(on(-40), industry, {
    title: '规上工业企业月度运行监测',
    periodKind: 'month',
    dueDay: 10,
    firstPeriod: previous,
    fields: [
      { key: 'output', label: '当月工业产值', type: 'money', unit: '万元', required: true },
      { key: 'employees', label: '月末从业人数', type: 'integer', unit: '人', required: true },
      { key: 'orders', label: '在手订单是否充足', type: 'boolean', required: true },
      { key: 'difficulty', label: '生产经营中的困难', type: 'text', required: false },
    ],
    audience: { areas: ['shengze', 'pingwang'], industryClasses: [], usccs: [] },
  });
  await answerReport(ctx, lanchuan, report.id, { period: previous, values: { output: 5180, employees: 412, orders: true, difficulty: '光纤预制棒原料价格上涨' } });
  await answerReport(ctx, lanchuan, report.id, { period: current, values: { output: 5320.5, employees: 418, orders: true } });
  // 锦岚纺织 answers the earlier period by Excel, on the template
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await reportTemplate(ctx, jinlan, report.id)) as unknown as ExcelJS.Buffer);
  const row = wb.worksheets[0].getRow(2);
  row.getCell(2).value = previous;
  row.getCell(3).value = 860;
  row.getCell(4).value = 96;
  row.getCell(5).value = '否';
  row.getCell(6).value = '订单不足，织机开工率约七成';
  await importAnswers(ctx, jinlan, report.id, Buffer.from(await wb.xlsx.writeBuffer()));
  await chaseReport(ctx, industry, report.id, { period: current });

  // 走访记录: 澜川 visited twice this period (by its officer and its leader) — a third needs its reason (无事不扰).
  const [periodStart] = visitPeriodOf(serviceDeskRules().liaison.visits.period, day(0));
  await logVisit(ctx, industry, { uscc: lanchuan.enterpriseUscc, visitedOn: periodStart, visitors: '区工信局 联络专员', asked: '5G光纤预制棒扩产项目用电增容进度', followUps: '已协调吴江供电公司，两周内答复' });
  await logVisit(ctx, user('area-shengze'), { uscc: lanchuan.enterpriseUscc, visitedOn: day(0), visitors: '盛泽镇 挂钩领导', asked: '研发费用加计扣除年度认定（已转区科技局答复）', followUps: '企业对答复满意' });

  // 帮办代办: one case waiting for an agent, one in hand, one done.
  await askForAssistance(on(-2), jinlan, { item: 'utilities-connection', note: '新车间用电增容至2000千伏安' });
  const setup = await askForAssistance(on(-6), lanchuan, { item: 'company-setup', note: '新设全资子公司“澜川光电研究院”' });
  await assignAgent(on(-6), user('area-shengze'), setup.id, {});
  await recordAssistance(on(-5), user('area-shengze'), setup.id, { step: 'consult', note: '已上门辅导，确定名称与经营范围' });
  const tech = await askForAssistance(on(-30), songling, { item: 'tech-enterprise-recognition' });
  await assignAgent(on(-29), science, tech.id, {});
  for (const [i, step] of ['consult', 'materials', 'submitted'].entries()) await recordAssistance(on(-28 + i * 5), science, tech.id, { step });
  await recordAssistance(on(-10), science, tech.id, { result: '已代为提交高新技术企业认定申报材料，等待省级评审' });

  // 综合金融服务平台: 金融办's products for three branches; three needs, matched with reasons; the banks answer, two
  // loans granted (counted toward the 1,000亿元 target).
  const WAN = 1_000_000;
  const [jsbank, wjrcb, icbc] = DEMO_BANKS.map((b) => user(b.username));
  await addProduct(ctx, financeOffice, { bankUserId: jsbank.id, name: '苏州人才贷', kind: 'talentLoan', minFen: 100 * WAN, maxFen: 1000 * WAN, maxTermMonths: 36, securities: ['credit'] });
  await addProduct(ctx, financeOffice, { bankUserId: wjrcb.id, name: '科技贷（科贷通）', kind: 'techLoan', minFen: 50 * WAN, maxFen: 3000 * WAN, maxTermMonths: 36, securities: ['credit', 'guarantee'] });
  await addProduct(ctx, financeOffice, { bankUserId: icbc.id, name: '固定资产抵押贷款', kind: 'mortgageLoan', minFen: 500 * WAN, maxFen: 20000 * WAN, maxTermMonths: 60, securities: ['collateral'] });
  const textileNeed = await postNeed(on(-12), jinlan, { amountFen: 800 * WAN, termMonths: 12, purpose: '喷气织机技改项目流动资金', security: 'credit', urgency: 'urgent' });
  for (const m of textileNeed.matches) {
    if (m.bankName === '江苏银行吴江支行') await respondToMatch(on(-10), jsbank, m.id, { status: 'interested', note: '已约企业面谈' });
    if (m.bankName === '吴江农村商业银行') await respondToMatch(on(-3), wjrcb, m.id, { status: 'granted', grantedFen: 600 * WAN, grantedOn: day(-3), note: '科贷通授信600万元' });
  }
  const cableNeed = await postNeed(on(-20), lanchuan, { amountFen: 5000 * WAN, termMonths: 60, purpose: '5G光纤预制棒扩产项目设备购置', security: 'collateral', urgency: 'normal' });
  await respondToMatch(on(-5), icbc, cableNeed.matches[0].id, { status: 'granted', grantedFen: 5000 * WAN, grantedOn: day(-5), note: '以新建厂房抵押' });
  await postNeed(on(-1), songling, { amountFen: 200 * WAN, termMonths: 24, purpose: '研发中心装修与仪器购置', security: 'guarantee', urgency: 'normal' });

  return { requests: 6, walkedRequestId: walked.id, reportId: report.id };
}
