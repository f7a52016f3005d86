/**
 * The shape of a policy folder (policies/<id>/), as zod schemas. This is the contract between the people who
 * encode the law (YAML) and the engine: every file is validated against it on load, and a mismatch is reported
 * with the file, the line and what is wrong (see load.ts).
 *
 * Values that the text leaves open may be written as `{ reading: <interpretation id> }` instead of a literal:
 * the loader substitutes the value of the option that interpretations.yaml chose, so a reading changes without code.
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case: lower-case letters, digits and "-"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written YYYY-MM-DD');
const text = z.string().min(1);

/**
 * A reference to the chosen option of an interpretation: `{ reading: id }` takes the option's value;
 * `{ reading: id, values: { <option key>: v, … } }` says what each option means for this rule (measure 12's
 * trademark is once per item under as-text-says, once per enterprise under per-enterprise), one value per option.
 */
export const readingRef = z.object({ reading: id, values: z.record(id, z.any()).optional() }).strict();
const orReading = <T extends z.ZodTypeAny>(t: T) => z.union([t, readingRef]);

/** Money as written in the text: "2000万元", "200元", "1亿元". */
const money = z.string().regex(/^[0-9][0-9,]*(\.[0-9]+)?(元|万元|亿元)$/, 'money is written with its unit, e.g. "2000万元" or "200元"');
/** A rate or multiplier: "12%", "0.5", "1.5". */
const fraction = z.union([z.string().regex(/^[0-9]+(\.[0-9]+)?%?$/, 'a rate is written like "12%" or "1.5"'), z.number().nonnegative()]);

/** A value chosen by a fact of the enterprise, e.g. the rate of measure 16 by industry class. */
const byFact = <T extends z.ZodTypeAny>(t: T) => z.object({ by: z.string(), values: z.record(z.string(), t) }).strict();

export const agencySchema = z
  .object({
    id,
    name: text, // as the text names it, e.g. 区工信局
    fullName: z.string().optional(), // e.g. 苏州市吴江区工业和信息化局
    nameEn: text,
    kind: z.enum(['party', 'government', 'court', 'state-owned-company', 'utility', 'people-organisation', 'central-agency', 'areas', 'other']),
    parent: id.optional(),
  })
  .strict();
export const agenciesFileSchema = z.object({ agencies: z.array(agencySchema).min(1) }).strict();

export const factTypes = ['money', 'area', 'number', 'integer', 'boolean', 'date', 'year', 'enum', 'yearList', 'string'] as const;
export const factSchema = z
  .object({
    name: z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'fact names are camelCase'),
    type: z.enum(factTypes),
    label: text, // Chinese label shown to users
    labelEn: text,
    description: z.string().optional(),
    values: z.array(z.string()).optional(), // enum values
    valueLabels: z.record(z.string(), z.string()).optional(), // enum value → Chinese label
    unit: z.string().optional(), // display unit for number/area, e.g. 平方米
    /** a fact that is a ratio or sum of others (容积率 = 计容建筑面积 ÷ 出让用地面积): an expression over other facts in
     *  the grammar of `base`. When its facts are known the engine derives it; a stated value that disagrees with
     *  them beyond `decimals` places is refused, never preferred to the derived one. */
    derivedFrom: orReading(z.string()).optional(),
    /** the places to which a stated value of a derived fact is written (1.50 for 1.504 agrees at 2 places) */
    decimals: z.number().int().min(0).max(10).optional(),
  })
  .strict()
  .refine((f) => f.type !== 'enum' || (f.values && f.values.length > 0), { message: 'an enum fact lists its values' })
  .refine((f) => !f.derivedFrom || f.type === 'number' || f.type === 'area', { message: 'only a number or area fact can be derived from others' });
export const factsFileSchema = z.object({ facts: z.array(factSchema).min(1) }).strict();

export const CONDITION_OPS = ['>=', '>', '<=', '<', '==', '!=', 'in', 'isTrue', 'includesYears'] as const;
export const ONCE_SCOPES = ['enterprise', 'enterpriseYear', 'item', 'itemYear'] as const;

export const conditionSchema = z
  .object({
    fact: z.string(),
    /** >= etc. compare numbers/money/dates; `in` an enum list; `isTrue` a boolean; `includesYears` needs
     *  a yearList fact to contain the evaluated year and the (value − 1) years before it (consecutive years). */
    op: orReading(z.enum(CONDITION_OPS)),
    /** includesYears takes a number of consecutive years ending with the evaluated one, or the list of years back
     *  (0 = the evaluated year, 1 = the year before) that must all be in the list */
    value: z.union([money, z.number(), z.string(), z.boolean(), z.array(z.string()), z.array(z.number().int().nonnegative()), readingRef]).optional(),
    /** false drops the condition: a condition one reading of the text has and another has not (m10-pool-years) */
    applies: orReading(z.boolean()).optional(),
    label: text, // the condition in the words of the text: 当年度单个项目设备投入2000万元以上
    labelEn: text,
  })
  .strict();

export const capSchema = z
  .object({
    /** claim: each claim (one project, one item in one year) · item: an item over all years (one-time per item)
     *  enterpriseYear: the enterprise's total in one calendar year · enterprise: the enterprise's total over the whole policy */
    scope: orReading(z.enum(['claim', 'item', 'enterpriseYear', 'enterprise'])),
    amount: z.union([money, byFact(money), readingRef]),
    label: text,
    labelEn: text,
  })
  .strict();

export const amountSchema = z
  .object({
    /** fixed: the amount of a fixed award, possibly by a fact (measure 12: 200万元 for the award, 100万元 for the
     *  nomination; measure 8: 700万元, 800万元 on the STAR Market); values may be readings */
    fixed: z.union([money, byFact(z.union([money, readingRef])), readingRef]).optional(),
    /** formula: an arithmetic expression over facts and params (+ - * min max, parentheses) … */
    base: orReading(z.string()).optional(),
    /** … multiplied by this rate ("6%") or money per unit of the base ("200元" per m²), possibly by a fact */
    rate: z.union([fraction, money, byFact(z.union([fraction, money])), readingRef]).optional(),
    /** how the formula reads to a person, e.g. 设备投资额 × 奖励比例 */
    formula: orReading(z.string()).optional(),
    formulaEn: orReading(z.string()).optional(),
  })
  .strict();

export const incentiveSchema = z
  .object({
    id,
    title: text,
    titleEn: text,
    /** the exact words of the policy this incentive encodes; must occur verbatim in source.txt */
    clause: text,
    /** what it means in plain Chinese, for the policy library; per option where it depends on a reading */
    summary: orReading(text),
    summaryEn: orReading(z.string()).optional(),
    /** formula: computed from facts · fixed: a set amount · cappedClaim: the amount is proposed, the engine enforces
     *  the cap · caseByCase: 一事一议, decided by a joint meeting · amountNotSet: the text names no amount (一定奖励) */
    kind: z.enum(['formula', 'fixed', 'cappedClaim', 'caseByCase', 'amountNotSet']),
    /** who receives it when not the claiming enterprise itself (measure 15 rewards organisations and people) */
    beneficiary: z.enum(['enterprise', 'carrier', 'organisation', 'person']).default('enterprise'),
    /** when set, each claim names an item (a project, a trademark, a carrier, an incubated firm …) */
    item: z.object({ label: text, labelEn: text }).strict().optional(),
    conditions: z.array(conditionSchema).default([]),
    amount: amountSchema.optional(),
    params: z.record(z.string(), z.union([fraction, money, readingRef])).optional(),
    caps: z.array(capSchema).default([]),
    /** one award per event, the event being the enterprise (over the policy), the enterprise's year, the item (the
     *  award won, the plot, the trademark …) or the item's year (a project's year). Earlier district awards for the
     *  same event — earlier decisions and the earlier claims of the same enterprise-year — are deducted from the
     *  event's entitlement: a second claim for the same event pays nothing (already_awarded), or only what its
     *  entitlement now exceeds what was paid (a formula or fixed amount); a capped claim's amount is its own ask,
     *  so a second capped claim for the same event is refused. */
    once: orReading(z.enum(ONCE_SCOPES)).optional(),
    /** when the qualifying event must happen (qualifying-event-in-period): event — its date (or year) falls in the
     *  policy period; claim — an event before the period qualifies too, when claimed within it */
    period: orReading(z.enum(['event', 'claim'])).optional(),
    /** at most this many distinct years of award per enterprise (measure 10: 最长不超过三年) */
    maxYears: orReading(z.number().int().positive()).optional(),
    /** 就高不重复 (附则1) applies to every award unless set false: a same-kind city-level award for the same item and year is settled per the reading */
    highestNotBoth: z.boolean().default(true),
    /** facts whose presence makes the engine evaluate this incentive without an explicit claim (免申即享 scan) */
    scanWhen: z.array(z.string()).optional(),
    /** ids in interpretations.yaml that this incentive depends on */
    interpretations: z.array(id).default([]),
  })
  .strict();

export const measureSchema = z
  .object({
    measure: z.number().int().positive(),
    section: z.number().int().positive(),
    title: text,
    titleEn: text,
    leadUnit: id.nullable(), // 牵头单位; null where the text names none (measures 21–30 name only 责任单位)
    responsibleUnits: z.array(id), // 责任单位
    /** the measure's full text, verbatim */
    clause: text,
    /** per option where it depends on a reading one of its incentives lists */
    summary: orReading(text),
    summaryEn: orReading(z.string()).optional(),
    incentives: z.array(incentiveSchema).default([]),
  })
  .strict();

export const sectionSchema = z.object({ no: z.number().int().positive(), title: text, titleEn: text, measures: z.array(z.number().int()) }).strict();

export const policyFileSchema = z
  .object({
    id,
    title: text,
    titleEn: text,
    issuers: z.array(id).min(1),
    issued: isoDate,
    effective: orReading(z.object({ from: isoDate, to: isoDate }).strict()),
    /** 就高不重复 against a same-kind city award (附则1): topUp or higherOnly — normally a reading */
    cityAwardSettlement: orReading(z.enum(['topUp', 'higherOnly'])).optional(),
    /** what `once` does with earlier awards for the same event: deduct them, refuse any second claim (firstOnly), or
     *  nothing (perClaim) — normally a reading */
    onceSettlement: orReading(z.enum(['deduct', 'firstOnly', 'perClaim'])).optional(),
    version: text,
    sections: z.array(sectionSchema).min(1),
    /** 附则: the general provisions, each verbatim */
    generalProvisions: z.array(z.object({ id, clause: text, summary: text, summaryEn: z.string().optional() }).strict()),
    /** incentives that belong to the general provisions rather than to one measure (附则 2: 一事一议) */
    incentives: z.array(incentiveSchema).default([]),
  })
  .strict();

export const interpretationSchema = z
  .object({
    id,
    measures: z.array(z.number().int()).default([]),
    question: text,
    questionEn: text,
    options: z
      .array(z.object({ key: id, value: z.any(), label: text, labelEn: text }).strict())
      .min(2),
    choice: id,
    /** set when no value of a rule switches by this reading, with the reason (it says what data a fact holds, or the
     *  other options need data the platform does not have); `policy check` refuses an unused reading without it */
    structural: z.string().min(1).optional(),
    basis: text, // why this choice: the law, practice, the text itself
    alternative: text, // what the other reading would change
  })
  .strict()
  .refine((i) => i.options.some((o) => o.key === i.choice), { message: 'choice must be the key of one of the options' });
export const interpretationsFileSchema = z.object({ interpretations: z.array(interpretationSchema) }).strict();

export const targetSchema = z
  .object({
    id,
    measure: z.number().int().nullable(), // null for the general goals of 总体要求
    title: text,
    titleEn: text,
    clause: text,
    metric: text,
    comparator: z.enum(['>', '>=', '<', '<=', '==']),
    value: orReading(z.union([z.number(), z.string()])),
    unit: z.string(),
    deadline: orReading(isoDate),
    owner: id.nullable(),
  })
  .strict();
export const targetsFileSchema = z.object({ targets: z.array(targetSchema) }).strict();

export type Agency = z.infer<typeof agencySchema>;
export type FactDeclInput = z.infer<typeof factSchema>;
/** a fact with its readings substituted */
export type FactDecl = Omit<FactDeclInput, 'derivedFrom'> & { derivedFrom?: string };
export type Condition = z.infer<typeof conditionSchema>;
export type Cap = z.infer<typeof capSchema>;
export type Incentive = z.infer<typeof incentiveSchema>;
export type MeasureInput = z.infer<typeof measureSchema>;
/** a measure with its summary's reading substituted */
export type Measure = Omit<MeasureInput, 'summary' | 'summaryEn'> & { summary: string; summaryEn?: string };
export type PolicyFileInput = z.infer<typeof policyFileSchema>;
/** policy.yaml with its readings substituted (what the rest of Kaifang reads) */
export type PolicyFile = Omit<PolicyFileInput, 'effective' | 'cityAwardSettlement' | 'onceSettlement'> & {
  effective: { from: string; to: string };
  cityAwardSettlement: 'topUp' | 'higherOnly';
  onceSettlement: 'deduct' | 'firstOnly' | 'perClaim';
};
export type Interpretation = z.infer<typeof interpretationSchema>;
export type TargetInput = z.infer<typeof targetSchema>;
export type Target = Omit<TargetInput, 'value' | 'deadline'> & { value: number | string; deadline: string };
