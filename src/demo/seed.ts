/**
 * Demo data for `npm start` (`kaifang serve --demo`) and `kaifang demo seed`: 30 invented enterprises across
 * every street, town and zone of reference/wujiang-areas.yaml, a user for every role and scope, and claims
 * of the 2020 policy year in every state of the workflow — driven through the real services (createClaim,
 * submitClaim, reviewClaim, createPublicityBatch, closePublicityBatch, payClaim …), so the ledger, the
 * decisions, the reviews and the hash-chained audit log are exactly what real use would have produced.
 *
 * Only an EMPTY database is seeded: when any enterprise (or a user named like a demo account) exists, nothing
 * is written and the summary says so. Two seeders at once on one PostgreSQL database serialise on a lock.
 *
 * Facts on file, budgets and city awards go through their services too (putFactsOnFile, setBudget,
 * recordCityAward), each as the official or enterprise whose job it is.
 *
 * Demo-only shortcut (documented here and in the README): every demo user has the same published password,
 * DEMO_PASSWORD. It is hashed ONCE with the platform's real scrypt parameters and that one hash is stored for
 * every demo user (written directly, with a `user.create` audit record each, instead of createUser, which
 * would spend ~0.2 s of scrypt per user — 40+ users would make start-up take 10 s). Real users are always
 * created through createUser, each with its own salt. Change or disable the demo accounts before any real use.
 *
 * Dates: the policy year is 2020; reviewing, 公示 and payment dates are set relative to `ctx.today()` so that
 * in the running demo two 公示 batches are open now (one with an unresolved objection) and the others closed
 * weeks ago, with their payments made after they closed. The history is told in that order: claims are created,
 * submitted and reviewed some 100 to 75 days ago, before the first 公示 (60 days ago), each batch is published on
 * the day its period starts and closed the day after it ends, and each payment is recorded on its day. Each step
 * runs through the real service and the instants it wrote (claims, reviews, decisions, batches, objections,
 * payments) are then set to the step's moment (`happened`), so a claim's timeline reads 创建申报 first and 公示 and
 * 拨付 after its decision. The audit log and the award ledger are append-only: they keep the instant the seeder
 * actually wrote them.
 *
 * A failure half-way leaves what was written so far (each workflow step is its own transaction, as in real
 * use); seed a fresh data folder again in that case.
 */
import { sql } from 'kysely';
import Table from 'cli-table3';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { seedInvestmentDemo } from '../investment/demo.ts';
import { DEMO_BANKS, seedServiceDesk } from '../service-desk/demo.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { createClaim, type ClaimInput } from '../claims/claims.ts';
import { correctAward, reviewClaim, submitClaim, withdrawClaim } from '../claims/workflow.ts';
import { recordRecovery } from '../claims/recoveries.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection, resolveObjection } from '../claims/publicity.ts';
import { payClaim } from '../claims/payments.ts';
import { addCreditEntry } from '../credit/credit.ts';
import { CLAIM_STATES, type ClaimState, type IndustryClass, type JsonObject, type Role } from '../db/schema.ts';
import type { Db } from '../db/transaction.ts';
import { listAreas } from '../enterprises/areas.ts';
import { createEnterprise } from '../enterprises/enterprises.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { setBudget } from '../ledger/budgets.ts';
import { buildBatch, markExported, recordReturn, setEnterpriseBankAccount } from '../claims/payment-batches.ts';
import { recordCityAward } from '../ledger/city-awards.ts';
import { putFactsOnFile } from '../enterprises/facts-on-file.ts';
import { hashPassword } from '../identity/passwords.ts';
import { securityConfig, type SecurityConfig } from '../identity/security-config.ts';
import { toPrincipal, USERNAME_PATTERN, type Principal } from '../identity/users.ts';
import { KaifangError } from '../errors.ts';

/** The one password of every demo account (printed at start and in the README). Demo only. */
export const DEMO_PASSWORD = 'kaifang2020!';
/** The policy year the demo claims belong to. */
export const DEMO_YEAR = 2020;
/** Seed of the PRNG behind the demo's 统一社会信用代码: the same codes on every run. */
const USCC_SEED = 2020_0520;
/** Serialises two seeders on one PostgreSQL database (two servers started with --demo at once). */
const SEED_LOCK_KEY = 7_412_633_002_020;

const WAN = 1_000_000; // fen in 1万元

// ── The plan ─────────────────────────────────────────────────────────────────────────────────────────

interface EnterprisePlan {
  key: string;
  name: string;
  areaId: string;
  industryClass: IndustryClass;
  /** what it makes (for people reading the demo) */
  industry: string;
  /** username of its enterprise user, when it has one */
  user?: string;
  /** 2020 facts on file (portal home: what the enterprise may be entitled to) */
  facts?: JsonObject;
}

// Every name is invented; any likeness to a real company is accidental. Two enterprises per area, all 15 areas.
const ENTERPRISES: EnterprisePlan[] = [
  { key: 'songlingEquip', name: '苏州松陵智能装备有限公司', areaId: 'songling', industryClass: 'highTech', industry: '装备制造', user: 'ent-songling', facts: { annualSales: '3.2亿元', rdExpense: '1850万元', rdExpensePriorYear: '1500万元', rdSuperDeductionYears: [2019, 2020], purchasesSciTechServices: true } },
  { key: 'songlingElec', name: '吴江松陵精密电子有限公司', areaId: 'songling', industryClass: 'highTech', industry: '电子元器件' },
  { key: 'jianglingMat', name: '苏州江陵新材料科技有限公司', areaId: 'jiangling', industryClass: 'highTech', industry: '新材料', user: 'ent-jiangling', facts: { annualSales: '1.1亿元', inMunicipalHighTechPool: true, municipalHighTechPoolYear: 2019, nationalHighTechEnterprise: false, taxableIncome: '860万元' } },
  { key: 'jianglingMed', name: '吴江江陵医疗器械有限公司', areaId: 'jiangling', industryClass: 'other', industry: '医疗器械' },
  { key: 'hengshanKnit', name: '苏州横扇羊毛衫针织有限公司', areaId: 'hengshan', industryClass: 'other', industry: '纺织（针织服饰）', user: 'ent-hengshan' },
  { key: 'hengshanLift', name: '吴江横扇电梯部件有限公司', areaId: 'hengshan', industryClass: 'other', industry: '装备制造（电梯部件）' },
  { key: 'bachiMach', name: '苏州八坼精工机械有限公司', areaId: 'bachi', industryClass: 'other', industry: '装备制造' },
  { key: 'bachiEnergy', name: '吴江八坼新能源科技有限公司', areaId: 'bachi', industryClass: 'leading', industry: '新能源（储能）', user: 'ent-bachi', facts: { purchasesSciTechServices: true, annualSales: '5.4亿元' } },
  { key: 'tongliOptics', name: '苏州同里光学仪器有限公司', areaId: 'tongli', industryClass: 'highTech', industry: '光学仪器', user: 'ent-tongli', facts: { rdExpense: '960万元', rdExpensePriorYear: '720万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'tongliCulture', name: '苏州同里水乡文旅发展有限公司', areaId: 'tongli', industryClass: 'other', industry: '文化旅游' },
  { key: 'pingwangFiber', name: '苏州平望光纤材料有限公司', areaId: 'pingwang', industryClass: 'leading', industry: '光纤', user: 'ent-pingwang', facts: { purchasesSciTechServices: true, rdExpense: '2600万元', rdExpensePriorYear: '2350万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'jinlan', name: '苏州锦岚纺织科技有限公司', areaId: 'pingwang', industryClass: 'other', industry: '纺织', user: 'ent-jinlan', facts: { rdExpense: '980万元', rdExpensePriorYear: '962万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'sijin', name: '吴江丝锦织造有限公司', areaId: 'shengze', industryClass: 'other', industry: '丝绸织造', user: 'ent-sijin', facts: { purchasesSciTechServices: false, annualSales: '8600万元' } },
  { key: 'lanchuan', name: '苏州澜川光电线缆有限公司', areaId: 'shengze', industryClass: 'leading', industry: '光缆、光纤', user: 'ent-lanchuan', facts: { purchasesSciTechServices: true, rdExpense: '6800万元', rdExpensePriorYear: '5600万元', rdSuperDeductionYears: [2019, 2020], annualSales: '12.6亿元' } },
  { key: 'taihuCable', name: '苏州太湖光缆科技有限公司', areaId: 'qidu', industryClass: 'leading', industry: '光缆', user: 'ent-taihu', facts: { purchasesSciTechServices: true, rdExpense: '4100万元', rdExpensePriorYear: '3800万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'qiduFiber', name: '吴江七都特种光纤有限公司', areaId: 'qidu', industryClass: 'leading', industry: '特种光纤' },
  { key: 'zhenzeSilk', name: '苏州震泽蚕丝家纺有限公司', areaId: 'zhenze', industryClass: 'other', industry: '丝绸（蚕丝家纺）', user: 'ent-zhenze', facts: { purchasesSciTechServices: true, annualSales: '2.3亿元' } },
  { key: 'zhenzeWire', name: '吴江震泽电线电缆有限公司', areaId: 'zhenze', industryClass: 'other', industry: '电线电缆' },
  { key: 'taoyuanSilk', name: '苏州桃源丝绸服饰有限公司', areaId: 'taoyuan', industryClass: 'other', industry: '丝绸服饰', user: 'ent-taoyuan' },
  { key: 'taoyuanHome', name: '吴江桃源智能家居有限公司', areaId: 'taoyuan', industryClass: 'other', industry: '智能家居' },
  { key: 'liliAuto', name: '苏州黎里汽车零部件有限公司', areaId: 'lili', industryClass: 'highTech', industry: '装备制造（汽车零部件）', user: 'ent-lili', facts: { annualSales: '6.8亿元', rdExpense: '2100万元', rdExpensePriorYear: '2000万元', rdSuperDeductionYears: [2020] } },
  { key: 'liliCreative', name: '吴江黎里古镇文创有限公司', areaId: 'lili', industryClass: 'other', industry: '文化创意' },
  { key: 'yunhe', name: '苏州运河电子科技有限公司', areaId: 'wujiang-development-zone', industryClass: 'leading', industry: '电子信息', user: 'ent-yunhe', facts: { annualSales: '9.5亿元', rdExpense: '5200万元', rdExpensePriorYear: '4600万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'jingce', name: '吴江晶测封装测试有限公司', areaId: 'wujiang-development-zone', industryClass: 'leading', industry: '半导体封测' },
  { key: 'xinfen', name: '苏州芯汾半导体材料股份有限公司', areaId: 'fenhu-high-tech-zone', industryClass: 'leading', industry: '半导体材料', user: 'ent-xinfen', facts: { listingBoard: 'starMarket' } },
  { key: 'fenhuMould', name: '苏州汾湖精密模具有限公司', areaId: 'fenhu-high-tech-zone', industryClass: 'highTech', industry: '精密模具' },
  { key: 'shenghu', name: '苏州盛湖锦纶新材料有限公司', areaId: 'wujiang-high-tech-zone', industryClass: 'highTech', industry: '化纤新材料', user: 'ent-shenghu', facts: { purchasesSciTechServices: true } },
  { key: 'zhifang', name: '吴江智纺装备有限公司', areaId: 'wujiang-high-tech-zone', industryClass: 'highTech', industry: '纺织装备制造' },
  { key: 'taihuwan', name: '苏州太湖湾数字科技有限公司', areaId: 'east-taihu-resort', industryClass: 'highTech', industry: '软件和信息服务', user: 'ent-taihuwan', facts: { rdExpense: '2400万元', rdExpensePriorYear: '1900万元', rdSuperDeductionYears: [2019, 2020] } },
  { key: 'dongtaihuBio', name: '苏州东太湖生物医药有限公司', areaId: 'east-taihu-resort', industryClass: 'leading', industry: '生物医药', user: 'ent-dongtaihu', facts: { purchasesSciTechServices: true } },
];

/** Usernames of the department reviewers, by department id; others get `dept-<id>`. */
const DEPARTMENT_USERNAMES: Record<string, string> = {
  'science-technology-bureau': 'dept-science',
  'industry-it-bureau': 'dept-industry',
  'financial-office': 'dept-finance-office',
  'market-regulation-bureau': 'dept-market',
  'commerce-bureau': 'dept-commerce',
  'natural-resources-planning-bureau': 'dept-land',
  'talent-office': 'dept-talent',
  'development-reform-commission': 'dept-ndrc',
};

type Stage =
  | 'draft'
  | 'submitted'
  | 'returnedAtFirstReview'
  | 'returnedAtDepartment'
  | 'departmentReview'
  | 'jointReview'
  | 'decided'
  | 'rejectedAtFirstReview'
  | 'rejectedAtDepartment'
  | 'withdrawn';

interface ClaimPlan {
  key: string;
  enterprise: string;
  input: ClaimInput & { incentive: string; year: number };
  stage: Stage;
  reason?: string;
  /** 一事一议: what the joint meeting decided */
  joint?: { amountFen: number; meetingRef: string };
}

const y = DEMO_YEAR;
const CLAIMS: ClaimPlan[] = [
  // ── 措施7 科技创新券, 措施10 研发费用增长, 措施11 研发载体 (区科技局) ─────────────────────────────────
  { key: 'a1', enterprise: 'lanchuan', stage: 'decided', input: { incentive: 'innovation-voucher', year: y, date: '2020-04-15', amountClaimedFen: 30 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'a2', enterprise: 'taihuCable', stage: 'decided', input: { incentive: 'innovation-voucher', year: y, date: '2020-06-08', amountClaimedFen: 20 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'a3', enterprise: 'songlingEquip', stage: 'decided', input: { incentive: 'rd-expense-growth', year: y, facts: { rdExpense: '1850万元', rdExpensePriorYear: '1500万元', rdSuperDeductionYears: [2019, 2020] } } },
  { key: 'a4', enterprise: 'tongliOptics', stage: 'decided', input: { incentive: 'rd-expense-growth', year: y, facts: { rdExpense: '960万元', rdExpensePriorYear: '720万元', rdSuperDeductionYears: [2019, 2020] } } },
  { key: 'a5', enterprise: 'jianglingMat', stage: 'decided', input: { incentive: 'certified-incubator', year: y, item: '江陵新材料众创孵化器', date: '2020-10-16', amountClaimedFen: 80 * WAN, facts: { certifiedIncubator: true } } },
  { key: 'a6', enterprise: 'yunhe', stage: 'decided', input: { incentive: 'major-rd-platform', year: y, item: '长三角光电集成研究院', date: '2020-09-28', facts: { majorRdPlatform: true } }, joint: { amountFen: 1500 * WAN, meetingRef: '吴江区政策兑现联审会议纪要〔2021〕第3号' } },
  // ── 措施8 企业上市 (区政府办（金融办）) ─────────────────────────────────────────────────────────────
  { key: 'c1', enterprise: 'xinfen', stage: 'decided', input: { incentive: 'ipo-listing', year: y, date: '2020-07-22', facts: { listingBoard: 'starMarket' } } },
  // ── 措施16 设备投入 (区工信局), first batch ─────────────────────────────────────────────────────────
  { key: 'b1', enterprise: 'lanchuan', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '5G光纤预制棒扩产项目', facts: { equipmentInvestment: '6500万元' } } },
  { key: 'b2', enterprise: 'pingwangFiber', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '特种光纤拉丝生产线', facts: { equipmentInvestment: '2800万元' } } },
  { key: 'b3', enterprise: 'hengshanKnit', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '全自动电脑横机技改项目', facts: { equipmentInvestment: '2300万元' } } },
  { key: 'b4', enterprise: 'liliAuto', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '新能源汽车电驱壳体压铸线', facts: { equipmentInvestment: '3000万元' } } },
  // ── 措施12 驰名商标 (区市场监管局) ──────────────────────────────────────────────────────────────────
  { key: 'd1', enterprise: 'zhenzeSilk', stage: 'decided', input: { incentive: 'well-known-trademark', year: y, item: '震泽丝', date: '2020-09-10', facts: { wellKnownTrademarkRecognition: 'administrative' } } },
  { key: 'p1', enterprise: 'lanchuan', stage: 'decided', input: { incentive: 'well-known-trademark', year: y, item: '澜川', date: '2020-11-26', facts: { wellKnownTrademarkRecognition: 'administrative' } } },
  // ── 措施16 second batch and 措施18 提容增效 (open 公示) ─────────────────────────────────────────────
  { key: 'f1', enterprise: 'taihuCable', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '超低损耗光纤拉丝塔扩建项目', facts: { equipmentInvestment: '3600万元' } } },
  { key: 'f2', enterprise: 'shenghu', stage: 'decided', input: { incentive: 'equipment-investment', year: y, item: '差别化锦纶长丝智能化改造项目', facts: { equipmentInvestment: '2500万元' } } },
  { key: 'g1', enterprise: 'bachiEnergy', stage: 'decided', input: { incentive: 'plot-ratio-floor-area', year: y, item: '八坼工业园B-07地块', date: '2020-10-30', facts: { landProjectType: 'industrialManufacturing', compliesWithPlanning: true, plotRatio: 1.8, landArea: 20000, floorArea: 36000, newIndustrialFloorArea: 8000 } } },
  // ── Not decided yet ──────────────────────────────────────────────────────────────────────────────
  { key: 'draft1', enterprise: 'zhenzeSilk', stage: 'draft', input: { incentive: 'innovation-voucher', year: y, date: '2020-11-20', amountClaimedFen: 25 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'credit1', enterprise: 'taoyuanSilk', stage: 'draft', input: { incentive: 'equipment-investment', year: y, item: '丝绸数码印花改造项目', facts: { equipmentInvestment: '2100万元' } } },
  { key: 's1', enterprise: 'songlingEquip', stage: 'submitted', input: { incentive: 'equipment-investment', year: y, item: '智能焊接机器人产线', facts: { equipmentInvestment: '2600万元' } } },
  { key: 's2', enterprise: 'dongtaihuBio', stage: 'submitted', input: { incentive: 'innovation-voucher', year: y, date: '2020-08-03', amountClaimedFen: 15 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'r1', enterprise: 'jinlan', stage: 'returnedAtFirstReview', reason: '请补充设备购置发票清单及付款凭证（按发票日期归集至2020年度），并附项目备案证', input: { incentive: 'equipment-investment', year: y, item: '喷气织机技改项目', facts: { equipmentInvestment: '2050万元' } } },
  { key: 'r2', enterprise: 'shenghu', stage: 'returnedAtDepartment', reason: '科技服务合同未加盖服务机构公章，请补正后重新提交', input: { incentive: 'innovation-voucher', year: y, date: '2020-05-19', amountClaimedFen: 20 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'dr1', enterprise: 'taihuwan', stage: 'departmentReview', input: { incentive: 'rd-expense-growth', year: y, facts: { rdExpense: '2400万元', rdExpensePriorYear: '1900万元', rdSuperDeductionYears: [2019, 2020] } } },
  { key: 'dr2', enterprise: 'bachiEnergy', stage: 'departmentReview', input: { incentive: 'innovation-voucher', year: y, date: '2020-07-01', amountClaimedFen: 10 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'j1', enterprise: 'dongtaihuBio', stage: 'jointReview', input: { incentive: 'n-plus-one', year: y, item: '创新药CDMO一体化平台', date: '2020-12-08', facts: { nPlusOneCategory: 'innovationSource', settlesInWujiang: true } } },
  { key: 'j2', enterprise: 'shenghu', stage: 'jointReview', input: { incentive: 'major-rd-platform', year: y, item: '长三角纤维新材料创新中心', date: '2020-11-12', facts: { majorRdPlatform: true } } },
  { key: 'x1', enterprise: 'bachiEnergy', stage: 'rejectedAtDepartment', reason: '当年度单个项目设备投入1800万元，未达到2000万元的奖补门槛（措施16）', input: { incentive: 'equipment-investment', year: y, item: '储能电池模组产线', facts: { equipmentInvestment: '1800万元' } } },
  { key: 'x2', enterprise: 'jinlan', stage: 'rejectedAtFirstReview', reason: '经核实，企业2020年度未向示范区、长三角地区购买科技服务，不符合科技创新券申领条件', input: { incentive: 'innovation-voucher', year: y, date: '2020-06-18', amountClaimedFen: 12 * WAN, facts: { purchasesSciTechServices: true } } },
  { key: 'w1', enterprise: 'tongliOptics', stage: 'withdrawn', reason: '项目设备尚未全部到货验收，待下一年度再行申报', input: { incentive: 'equipment-investment', year: y, item: '精密光学镜头产线', facts: { equipmentInvestment: '2200万元' } } },
];

interface BatchPlan {
  title: string;
  /** days from today (negative: in the past) */
  startsIn: number;
  claims: string[];
  objections?: Array<{ claim: string; objector: string; contact?: string; content: string; receivedIn: number; resolve?: { outcome: 'upheld' | 'dismissed'; resolution: string } }>;
  close: boolean;
}

const BATCHES: BatchPlan[] = [
  {
    title: '2020年度科技创新券、研发费用增长奖励及研发载体支持拟支持名单公示',
    startsIn: -60,
    claims: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
    objections: [{ claim: 'a2', objector: '匿名来信', content: '反映该企业科技服务合同金额与发票金额不符', receivedIn: -57, resolve: { outcome: 'dismissed', resolution: '经核查科技服务合同、发票及付款凭证，金额一致，异议不成立' } }],
    close: true,
  },
  { title: '2020年度企业上市奖励拟奖励名单公示', startsIn: -50, claims: ['c1'], close: true },
  {
    title: '2020年度设备投入综合奖补拟奖补名单公示（第一批）',
    startsIn: -40,
    claims: ['b1', 'b2', 'b3', 'b4'],
    objections: [{ claim: 'b3', objector: '吴江某纺织企业（实名）', contact: '0512-6348××××', content: '反映该项目部分电脑横机为二手设备翻新，不应计入设备投资额', receivedIn: -38, resolve: { outcome: 'upheld', resolution: '经区工信局会同横扇街道现场核查，项目中1200万元设备为二手翻新设备，剔除后不足2000万元，异议成立，不予奖补' } }],
    close: true,
  },
  { title: '2020年度中国驰名商标奖励拟奖励名单公示', startsIn: -35, claims: ['d1'], close: true },
  {
    title: '2020年度设备投入综合奖补拟奖补名单公示（第二批）',
    startsIn: -2,
    claims: ['f1', 'f2'],
    objections: [{ claim: 'f2', objector: '群众来信', content: '反映该项目部分设备发票开具于2021年1月，不应计入2020年度设备投资额', receivedIn: -1 }],
    close: false,
  },
  // Its period is over and nobody has closed it yet (期满待结束): what a department finds on its desk most mornings.
  { title: '2020年度提容增效新建工业生产用房奖励拟奖励名单公示', startsIn: -9, claims: ['g1'], close: false },
];

/** Claims paid after their batch closed: [claim, days from today]. */
const PAYMENTS: Array<[string, number]> = [
  ['a1', -45],
  ['a2', -45],
  ['a3', -45],
  ['a6', -44],
  ['c1', -40],
  ['b1', -25],
  ['b2', -25],
];

/**
 * A clawback after payment (追回) by the lead department, with its deadline and the part of the money already back:
 * the follow-up list shows it overdue with the rest outstanding. Days from today.
 */
const CLAWBACKS: Array<{ claim: string; on: number; amountFen: number; reason: string; dueIn: number; receipts: Array<{ on: number; amountFen: number; reference: string }> }> = [
  {
    claim: 'a3',
    on: -20,
    amountFen: 6 * WAN,
    reason: '经区审计局专项审计，企业2020年度研发费用中有100万元为生产性支出，不得计入研发费用增长额，相应奖励6万元予以追回（示例）',
    dueIn: -5,
    receipts: [{ on: -12, amountFen: 4 * WAN, reference: '苏财非税缴（示例）0318号' }],
  },
];

/** Same-kind city awards officials recorded for 就高不重复 (before the district decisions). */
const CITY_AWARDS = [
  { enterprise: 'lanchuan', incentive: 'equipment-investment', item: '5G光纤预制棒扩产项目', amountFen: 100 * WAN, reference: '苏州市2020年度工业企业技术改造综合奖补（示例文号：苏工信〔2020〕示-12号）' },
  { enterprise: 'xinfen', incentive: 'ipo-listing', item: '', amountFen: 200 * WAN, reference: '苏州市2020年度企业上市奖励（示例文号：苏金融〔2020〕示-8号）' },
  { enterprise: 'pingwangFiber', incentive: 'innovation-voucher', item: '', amountFen: 10 * WAN, reference: '苏州市2020年度科技创新券（示例文号：苏科〔2020〕示-21号）' },
];

/** Budgets of 2020 by measure (fen); measures without one are unbudgeted (no limit but the caps). */
const BUDGETS: Array<[string, number]> = [
  ['7', 300 * WAN],
  ['10', 200 * WAN],
  ['11', 3000 * WAN],
  ['16', 3000 * WAN],
  ['18', 500 * WAN],
];

// ── The summary ──────────────────────────────────────────────────────────────────────────────────────

export interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  /** enterprise USCC, area id or department id; null for district-wide roles */
  scope: string | null;
  scopeLabel: string;
}

export interface DemoSummary {
  /** false when the database already held enterprises and nothing was written */
  seeded: boolean;
  messageZh: string;
  messageEn: string;
  password: string;
  year: number;
  enterprises: number;
  claimsByState: Record<ClaimState, number>;
  users: DemoUser[];
  publicityBatches: Array<{ id: number; title: string; startsOn: string; endsOn: string; open: boolean; objections: number }>;
  cityAwards: number;
  budgets: Array<{ measureId: string; amountFen: number }>;
  /** the enterprise on a credit list, and the refusal its claim got when submitted */
  creditBlocked: { uscc: string; name: string; claimId: number; refusalZh: string } | null;
  elapsedMs: number;
}

const ROLE_LABEL: Record<Role, string> = {
  admin: '系统管理员 admin',
  finance: '财政拨付 finance',
  auditor: '审计（只读） auditor',
  departmentReviewer: '部门审核 department reviewer',
  areaReviewer: '区镇初审 area reviewer',
  enterprise: '企业用户 enterprise',
  bank: '银行网点 bank branch',
};

// ── Seeding ──────────────────────────────────────────────────────────────────────────────────────────

interface PlannedUser {
  username: string;
  displayName: string;
  role: Role;
  enterpriseUscc?: string;
  areaId?: string;
  departmentId?: string;
  scopeLabel: string;
}

function planUsers(ctx: PlatformContext, usccOf: Map<string, string>): PlannedUser[] {
  const policy = ctx.engine.policy;
  const users: PlannedUser[] = [
    { username: 'admin', displayName: '系统管理员', role: 'admin', scopeLabel: '全区 district-wide' },
    { username: 'finance', displayName: '区财政局', role: 'finance', scopeLabel: '全区 district-wide' },
    { username: 'auditor', displayName: '区审计局', role: 'auditor', scopeLabel: '全区，只读 district-wide, read-only' },
    // 综合金融服务平台: one account per bank branch (src/service-desk/demo.ts)
    ...DEMO_BANKS.map((b) => ({ username: b.username, displayName: b.name, role: 'bank' as const, scopeLabel: `${b.name}（与本网点产品匹配的融资需求）` })),
  ];
  // A department reviewer for every lead unit of a measure with something payable, and for the general provisions.
  const departments = new Set<string>();
  for (const inc of policy.incentives) {
    if (inc.kind === 'amountNotSet') continue;
    const lead = inc.measure === null ? ctx.config.generalProvisionsLeadUnit : inc.leadUnit;
    if (lead) departments.add(lead);
  }
  for (const id of [...departments].sort()) {
    const agency = policy.agencies.get(id);
    if (!agency) throw new Error(`demo: lead unit "${id}" is not in agencies.yaml`);
    const measures = ctx.access.measuresLedBy(id).map((m) => (m === 'general' ? '附则一事一议' : m));
    users.push({ username: DEPARTMENT_USERNAMES[id] ?? `dept-${id}`, displayName: agency.name, role: 'departmentReviewer', departmentId: id, scopeLabel: `${agency.name}：措施${measures.join('、')} (${id})` });
  }
  for (const area of listAreas()) {
    users.push({ username: `area-${area.id}`, displayName: `${area.nameZh}初审`, role: 'areaReviewer', areaId: area.id, scopeLabel: `${area.nameZh} (${area.id})` });
  }
  for (const e of ENTERPRISES) {
    if (!e.user) continue;
    users.push({ username: e.user, displayName: e.name, role: 'enterprise', enterpriseUscc: usccOf.get(e.key)!, scopeLabel: `${e.name} (${usccOf.get(e.key)})` });
  }
  for (const u of users) if (!USERNAME_PATTERN.test(u.username)) throw new Error(`demo: bad username ${u.username}`);
  return users;
}

function planUscc(): Map<string, string> {
  const random = seededRandom(USCC_SEED);
  const seen = new Set<string>();
  const out = new Map<string, string>();
  for (const e of ENTERPRISES) {
    let code = generateUscc({ random });
    while (seen.has(code)) code = generateUscc({ random });
    seen.add(code);
    out.set(e.key, code);
  }
  return out;
}

function addDays(date: string, days: number): string {
  const [yy, mm, dd] = date.split('-').map(Number);
  return new Date(Date.UTC(yy, mm - 1, dd + days)).toISOString().slice(0, 10);
}

function emptyCounts(): Record<ClaimState, number> {
  return Object.fromEntries(CLAIM_STATES.map((s) => [s, 0])) as Record<ClaimState, number>;
}

async function countEnterprises(db: Db): Promise<number> {
  return Number((await db.selectFrom('enterprises').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
}

async function countClaims(db: Db): Promise<Record<ClaimState, number>> {
  const counts = emptyCounts();
  const rows = await db.selectFrom('claims').select(['state', sql<number>`count(*)`.as('n')]).groupBy('state').execute();
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

function toDemoUser(u: { username: string; displayName: string; role: Role; enterpriseUscc?: string | null; areaId?: string | null; departmentId?: string | null }, scopeLabel: string): DemoUser {
  return { username: u.username, displayName: u.displayName, role: u.role, scope: u.enterpriseUscc ?? u.areaId ?? u.departmentId ?? null, scopeLabel };
}

export interface SeedDemoOptions {
  /** scrypt parameters of the one demo hash (default: the platform's security configuration) */
  security?: SecurityConfig;
}

/**
 * Seed the demo into an empty database. Returns what was created; when the database already has enterprises
 * (or users named like the demo accounts), returns `seeded: false` with the reason, and the demo accounts that
 * exist, without writing anything.
 */
export async function seedDemo(ctx: PlatformContext, options: SeedDemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const db = ctx.db;
  const usccOf = planUscc();
  const planned = planUsers(ctx, usccOf);
  const today = ctx.today();
  const day = (offset: number) => addDays(today, offset);

  // Not empty: nothing is written; the demo accounts that exist are listed (a restarted demo prints them again).
  const skippedSummary = async (why: { enterprises: number } | { usernames: string[] }): Promise<DemoSummary> => {
    const present = await db.selectFrom('users').selectAll().where('username', 'in', planned.map((u) => u.username)).orderBy('id').execute();
    const label = new Map(planned.map((u) => [u.username, u.scopeLabel]));
    const existing = await countEnterprises(db);
    const [zh, en] =
      'enterprises' in why
        ? [`数据库中已有${why.enterprises}家企业，未写入演示数据`, `the database already holds ${why.enterprises} enterprise(s); demo data not loaded`]
        : [`数据库中已有与演示账号同名的用户（${why.usernames.join('、')}），未写入演示数据`, `users named like the demo accounts already exist (${why.usernames.join(', ')}); demo data not loaded`];
    return {
      seeded: false,
      messageZh: zh,
      messageEn: en,
      password: DEMO_PASSWORD,
      year: DEMO_YEAR,
      enterprises: existing,
      claimsByState: await countClaims(db),
      users: present.map((r) => toDemoUser(toPrincipal(r), label.get(r.username)!)),
      publicityBatches: [],
      cityAwards: 0,
      budgets: [],
      creditBlocked: null,
      elapsedMs: Date.now() - started,
    };
  };
  const existing = await countEnterprises(db);
  if (existing > 0) return skippedSummary({ enterprises: existing });

  // The one demo hash: real parameters, computed once (see the header).
  const hash = await hashPassword(DEMO_PASSWORD, (options.security ?? securityConfig()).scrypt);

  // Step 1, one transaction: enterprises, users, facts on file. Under a lock, re-checking that it is empty.
  const setup = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(SEED_LOCK_KEY)})`.execute(trx);
    const existing = await countEnterprises(trx);
    if (existing > 0) return { skipped: { enterprises: existing }, users: undefined };
    const taken = await trx.selectFrom('users').select('username').where('username', 'in', planned.map((u) => u.username)).execute();
    if (taken.length) return { skipped: { usernames: taken.map((t) => t.username) }, users: undefined };
    for (const e of ENTERPRISES) {
      await createEnterprise(trx, { uscc: usccOf.get(e.key), name: e.name, areaId: e.areaId, industryClass: e.industryClass }, { actor: SYSTEM_ACTOR });
    }
    const users = new Map<string, Principal>();
    for (const u of planned) {
      const row = await trx
        .insertInto('users')
        .values({ username: u.username, display_name: u.displayName, password_hash: hash, role: u.role, enterprise_uscc: u.enterpriseUscc ?? null, area_id: u.areaId ?? null, department_id: u.departmentId ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      users.set(u.username, toPrincipal(row));
      await appendAudit(trx, SYSTEM_ACTOR, {
        action: 'user.create',
        entity: 'user',
        entityId: row.id,
        details: { username: row.username, role: row.role, enterpriseUscc: row.enterprise_uscc, areaId: row.area_id, departmentId: row.department_id, demo: true },
      });
    }
    return { skipped: undefined, users };
  });

  if (setup.skipped !== undefined) return skippedSummary(setup.skipped);

  const users = setup.users!;
  const user = (username: string) => users.get(username)!;
  const enterpriseUser = (key: string) => user(ENTERPRISES.find((e) => e.key === key)!.user!);
  const areaReviewer = (areaId: string) => user(`area-${areaId}`);
  const departmentReviewer = (measureId: string) => {
    const lead = ctx.access.leadUnitsOf(measureId)[0];
    return user(DEPARTMENT_USERNAMES[lead] ?? `dept-${lead}`);
  };
  const measureOf = (incentive: string) => String(ctx.engine.policy.incentivesById.get(incentive)!.measure ?? 'general');
  const finance = user('finance');
  const admin = user('admin');

  // Step 2: facts on file (kept by each enterprise, for the portal home), budgets (set by finance) and the
  // same-kind city awards the lead departments recorded for 就高不重复 — before any decision, so decisions see them.
  for (const e of ENTERPRISES) {
    if (e.facts && e.user) await putFactsOnFile(ctx, user(e.user), usccOf.get(e.key)!, DEMO_YEAR, e.facts);
  }
  for (const [measureId, amountFen] of BUDGETS) await setBudget(ctx, finance, measureId, DEMO_YEAR, amountFen, null, '区财政局2020年度政策兑现资金预算批复（示例）');
  // the budget history (预算调整记录): the yearly budget, then a mid-year addition to measure 16 (设备投入)
  await setBudget(ctx, finance, '16', DEMO_YEAR, BUDGETS.find(([m]) => m === '16')![1] + 500 * WAN, null, '年中追加设备投入综合奖补资金（示例）');
  await sql`update budget_changes set changed_at = ((case when reason like '年中%' then ${day(-30)} else ${day(-100)} end)::date + time '09:30') at time zone 'Asia/Shanghai'`.execute(db);
  for (const a of CITY_AWARDS) {
    await recordCityAward(ctx, departmentReviewer(measureOf(a.incentive)), { uscc: usccOf.get(a.enterprise)!, incentive: a.incentive, item: a.item, year: DEMO_YEAR, amountFen: a.amountFen, reference: a.reference });
  }

  // The moment each step of the story happened (see the header): the instants a step wrote are set to it afterwards.
  // Rows written before the step already lie in the past, so "written since the step began" picks out its own rows.
  const instant = (date: string, minutes = 0) => new Date(Date.parse(`${date}T09:00:00+08:00`) + minutes * 60_000);
  const RETIMED = {
    claims: ['created_at', 'updated_at', 'submitted_at'],
    reviews: ['at'],
    decisions: ['decided_at'],
    publicity_batches: ['published_at', 'closed_at'],
    objections: ['recorded_at', 'resolved_at'],
    payments: ['recorded_at'],
  } as const;
  const happened = async <T>(when: Date, tables: Array<keyof typeof RETIMED>, step: () => Promise<T>): Promise<T> => {
    const since = new Date(Date.now() - 1000); // the database's clock may trail this process's by a little
    const result = await step();
    for (const table of tables) {
      for (const column of RETIMED[table]) await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${when} where ${sql.ref(column)} >= ${since}`.execute(db);
    }
    return result;
  };
  const reviewed: Array<keyof typeof RETIMED> = ['claims', 'reviews', 'decisions'];

  // Step 3: the claims, each carried through the workflow to its stage — created, submitted and reviewed on days
  // before the first 公示, a few minutes apart from one claim to the next.
  const claimIds = new Map<string, number>();
  for (const [i, plan] of CLAIMS.entries()) {
    const owner = enterpriseUser(plan.enterprise);
    const area = ENTERPRISES.find((e) => e.key === plan.enterprise)!.areaId;
    const on = (offset: number) => instant(day(offset), i * 7);
    const { id, measureId } = await happened(on(-100), ['claims'], () => createClaim(ctx, owner, plan.input));
    claimIds.set(plan.key, id);
    if (plan.stage === 'draft') continue;
    await happened(on(-99), ['claims'], () => submitClaim(ctx, owner, id));
    if (plan.stage === 'submitted') continue;
    if (plan.stage === 'returnedAtFirstReview' || plan.stage === 'rejectedAtFirstReview') {
      await happened(on(-95), reviewed, () => reviewClaim(ctx, areaReviewer(area), id, { action: plan.stage === 'returnedAtFirstReview' ? 'return' : 'reject', reason: plan.reason }));
      continue;
    }
    await happened(on(-95), reviewed, () => reviewClaim(ctx, areaReviewer(area), id, { action: 'pass' }));
    if (plan.stage === 'departmentReview') continue;
    if (plan.stage === 'withdrawn') {
      await happened(on(-93), ['claims'], () => withdrawClaim(ctx, owner, id, plan.reason));
      continue;
    }
    const department = departmentReviewer(measureId);
    if (plan.stage === 'returnedAtDepartment' || plan.stage === 'rejectedAtDepartment') {
      await happened(on(-90), reviewed, () => reviewClaim(ctx, department, id, { action: plan.stage === 'returnedAtDepartment' ? 'return' : 'reject', reason: plan.reason }));
      continue;
    }
    const passed = await happened(on(-90), reviewed, () => reviewClaim(ctx, department, id, { action: 'pass' }));
    if (passed.state === 'jointReview' && plan.stage === 'decided') {
      if (!plan.joint) throw new Error(`demo: claim ${plan.key} is 一事一议 and needs the joint meeting's decision`);
      await happened(on(-75), reviewed, () => reviewClaim(ctx, department, id, { action: 'pass', amountFen: plan.joint!.amountFen, meetingRef: plan.joint!.meetingRef }));
    }
  }

  // Step 4: 公示 — closed batches weeks ago (objections resolved), two open now (one with an open objection).
  const publicityBatches: DemoSummary['publicityBatches'] = [];
  for (const b of BATCHES) {
    const ids = b.claims.map((k) => claimIds.get(k)!);
    const first = CLAIMS.find((c) => c.key === b.claims[0])!;
    const department = departmentReviewer(measureOf(first.input.incentive));
    // Published on the day its period starts (a period never starts before its publication): the demo's past batches
    // are published as of that day.
    const batch = await happened(instant(day(b.startsIn)), ['publicity_batches'], () => createPublicityBatch({ ...ctx, today: () => day(b.startsIn) }, department, { title: b.title, claimIds: ids, startsOn: day(b.startsIn) }));
    for (const o of b.objections ?? []) {
      // recorded the day it came in, resolved the next day
      const recorded = await happened(instant(day(o.receivedIn), 60), ['objections'], () => recordObjection(ctx, department, batch.id, { claimId: claimIds.get(o.claim)!, objector: o.objector, contact: o.contact, content: o.content, receivedOn: day(o.receivedIn) }));
      if (o.resolve) await happened(instant(day(o.receivedIn + 1), 60), ['objections'], () => resolveObjection(ctx, department, recorded.id, o.resolve!));
    }
    // closed on the first day after its period
    if (b.close) await happened(instant(addDays(batch.endsOn, 1)), ['publicity_batches', 'claims'], () => closePublicityBatch(ctx, department, batch.id));
    publicityBatches.push({ id: batch.id, title: batch.title, startsOn: batch.startsOn, endsOn: batch.endsOn, open: !b.close, objections: b.objections?.length ?? 0 });
  }

  // Step 5: 拨付 with voucher numbers.
  let voucher = 0;
  for (const [key, offset] of PAYMENTS) {
    const paidOn = day(offset);
    voucher += 1;
    await happened(instant(paidOn, 60 + voucher), ['payments', 'claims'], () => payClaim(ctx, finance, claimIds.get(key)!, { voucherNo: `记-${paidOn.replace(/-/g, '')}-${String(voucher).padStart(3, '0')}`, paidOn }));
  }

  // Step 5b: 追回 — a paid award partly clawed back, with part of the money already recovered (追回跟踪). Each step
  // on its own day (the clawback's and the receipt's dates are the services' today).
  for (const k of CLAWBACKS) {
    const id = claimIds.get(k.claim)!;
    const department = departmentReviewer(measureOf(CLAIMS.find((c) => c.key === k.claim)!.input.incentive));
    const back = await correctAward({ ...ctx, today: () => day(k.on) }, department, id, { kind: 'clawback', reason: k.reason, amountFen: k.amountFen, dueOn: day(k.dueIn) });
    for (const r of k.receipts) await recordRecovery({ ...ctx, today: () => day(r.on) }, department, back.recoveryId!, { amountFen: r.amountFen, receivedOn: day(r.on), reference: r.reference });
  }

  // Step 5c: 拨付批次 — the bank pays a batch: built, exported, returned with one line failed (its claim waits for
  // payment again, the bank's reason beside it). Every enterprise's bank account is on file but 震泽蚕丝's, which a
  // batch therefore refuses by name.
  const banks = ['中国工商银行吴江分行', '中国农业银行吴江分行', '江苏银行吴江支行', '吴江农村商业银行'];
  for (const [i, e] of ENTERPRISES.entries()) {
    if (e.key === 'zhenzeSilk') continue;
    await setEnterpriseBankAccount(ctx, admin, usccOf.get(e.key)!, { accountName: e.name, bankName: banks[i % banks.length], accountNo: `3220${String(i + 1).padStart(4, '0')}0104${String(7001 + i * 37).padStart(6, '0')}` });
  }
  const [paidKey, failedKey] = ['a4', 'a5'].map((k) => claimIds.get(k)!);
  const bankBatch = await buildBatch({ ...ctx, today: () => day(-15) }, finance, { title: '2020年度政策奖励资金拨付（第一批，银行代发）', claimIds: [paidKey, failedKey] });
  await markExported(ctx, finance, bankBatch.id);
  const bankDay = day(-13);
  await happened(instant(bankDay, 90), ['payments', 'claims'], () =>
    recordReturn(ctx, finance, bankBatch.id, [
      { row: null, lineNo: paidKey < failedKey ? 1 : 2, result: 'paid', voucherNo: `记-${bankDay.replace(/-/g, '')}-901`, paidOn: bankDay },
      { row: null, lineNo: paidKey < failedKey ? 2 : 1, result: 'failed', failureReason: '收款账号与户名不符，银行退回（示例）' },
    ], { source: 'hand' }),
  );
  await sql`update payment_batches set created_at = ${instant(day(-15), 30)}, exported_at = ${instant(day(-15), 45)}, closed_at = ${instant(bankDay, 90)} where id = ${bankBatch.id}`.execute(db);
  await sql`update payment_batch_lines set returned_at = ${instant(bankDay, 90)} where batch_id = ${bankBatch.id}`.execute(db);

  // Step 6: the credit veto — an enterprise on the 失信被执行人 list cannot submit its claim.
  const blocked = ENTERPRISES.find((e) => e.key === 'taoyuanSilk')!;
  const blockedUscc = usccOf.get(blocked.key)!;
  await addCreditEntry(db, actorOf(admin), { uscc: blockedUscc, listName: '失信被执行人名单', reason: '未履行生效法律文书确定的给付义务（示例）', listedOn: day(-20), source: '全国法院失信被执行人名单（示例数据）' });
  let refusalZh = '';
  try {
    await submitClaim(ctx, enterpriseUser(blocked.key), claimIds.get('credit1')!);
    throw new Error('demo: the credit-blocked enterprise was able to submit');
  } catch (e) {
    if (!(e instanceof KaifangError) || e.code !== 'credit_blocked') throw e;
    refusalZh = e.messageZh;
  }

  // Step 7: 政企服务 (measure 21) — liaisons and requests in every state (src/service-desk/demo.ts).
  await seedServiceDesk(ctx, { user, day });

  // Step 8: the investment map (issue 13) — parcels, carriers, opportunities, routes and leads in every stage.
  await seedInvestmentDemo(db, SYSTEM_ACTOR, { today });

  const label = new Map(planned.map((u) => [u.username, u.scopeLabel]));
  return {
    seeded: true,
    messageZh: `已写入演示数据：${ENTERPRISES.length}家企业、${planned.length}个账号、${CLAIMS.length}件申报`,
    messageEn: `demo data loaded: ${ENTERPRISES.length} enterprises, ${planned.length} accounts, ${CLAIMS.length} claims`,
    password: DEMO_PASSWORD,
    year: DEMO_YEAR,
    enterprises: ENTERPRISES.length,
    claimsByState: await countClaims(db),
    users: planned.map((u) => toDemoUser(u, label.get(u.username)!)),
    publicityBatches,
    cityAwards: CITY_AWARDS.length,
    budgets: BUDGETS.map(([measureId, amountFen]) => ({ measureId, amountFen })),
    creditBlocked: { uscc: blockedUscc, name: blocked.name, claimId: claimIds.get('credit1')!, refusalZh },
    elapsedMs: Date.now() - started,
  };
}

/** The demo accounts as a table for the terminal (the server prints it at start; the README lists it). */
export function formatDemoCredentials(summary: DemoSummary): string {
  const lines: string[] = [`演示数据 / demo data: ${summary.messageZh} / ${summary.messageEn}`];
  if (!summary.users.length) {
    lines.push('（没有演示账号 / no demo accounts in this database）');
    return lines.join('\n') + '\n';
  }
  lines.push(`演示账号密码（所有账号相同，仅供演示，正式使用前请停用） / password of every demo account (demo only): ${summary.password}${summary.seeded ? '' : '  (unless changed since)'}`);
  const none = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' };
  const table = new Table({ head: ['用户名 username', '角色 role', '范围 scope'], chars: none, style: { 'padding-left': 2, 'padding-right': 0, head: [], border: [] } });
  const order: Role[] = ['admin', 'finance', 'auditor', 'departmentReviewer', 'areaReviewer', 'enterprise'];
  const sorted = [...summary.users].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  for (const u of sorted) table.push([u.username, ROLE_LABEL[u.role], u.scopeLabel]);
  lines.push(table.toString().split('\n').map((l) => l.trimEnd()).join('\n'));
  if (summary.seeded) lines.push(`申报 / claims (${summary.year}): ${CLAIM_STATES.map((s) => `${s} ${summary.claimsByState[s]}`).join(' · ')}`);
  return lines.join('\n') + '\n';
}
