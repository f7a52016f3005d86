import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { CHECK_VIOLATION, RESTRICT_VIOLATION, UNIQUE_VIOLATION, pgErrorCode } from '../db/errors.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createCaseBook, type CaseBook } from './case-book.ts';
import {
  complianceReport,
  getCase,
  listCases,
  recordCase,
  recordCaseEvent,
  type CaseWriter,
  type NewCaseInput,
} from './case-store.ts';
import { failure } from '../test-support.ts';

const TODAY = '2021-06-30';
const admin: CaseWriter = { actor: { userId: null, name: 'test-admin' }, department: null };
const water: CaseWriter = { actor: { userId: null, name: 'water-officer' }, department: 'water-affairs-bureau' };

const paths = (e: KaifangError) => (e instanceof ValidationError ? e.errors.map((x) => `${x.path}:${x.code}`) : [`${e.path}:${e.code}`]);

describeDatabases('service cases', (t) => {
  let book: CaseBook;
  let n = 0;
  const ref = (prefix: string) => `${prefix}-${++n}`;
  const count = async () => Number((await t.db.selectFrom('service_cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const eventCount = async () => Number((await t.db.selectFrom('service_case_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(() => {
    book = createCaseBook(t.db, { today: () => TODAY });
  });

  const waterCase = (over: Partial<NewCaseInput> = {}): NewCaseInput => ({
    limitId: 'water-no-new-pipeline', // ≤ 4 working days, owners: water-affairs-bureau, huayan-water
    departmentId: 'water-affairs-bureau',
    reference: ref('WS'),
    subject: '吴江丝韵纺织有限公司',
    acceptedOn: '2020-05-20',
    ...over,
  });

  it('a case suspended for 补正 over the 2020 Spring Festival gains only the suspended working days', async () => {
    // Accepted Mon 1-20, suspended Wed 1-22, resumed Tue 2-04 (holiday 1-24..2-02): 3 suspended working days, due Thu 2-06.
    const c = await recordCase(book, water, waterCase({ acceptedOn: '2020-01-20' }));
    expect(c).toMatchObject({ recording: 'timed', departmentName: '区水务局', status: { state: 'open' } });
    await recordCaseEvent(book, water, c.id, { kind: 'suspended', on: '2020-01-22', note: '缺少用水申请表' });
    const during = await getCase(book, c.id, '2020-02-03');
    expect(during.status).toMatchObject({ state: 'suspended', dueProvisional: true, elapsed: 2, overdue: false });

    await recordCaseEvent(book, water, c.id, { kind: 'resumed', on: '2020-02-04' });
    const done = await recordCaseEvent(book, water, c.id, { kind: 'completed', on: '2020-02-06', at: '16:20' });
    expect(done.events.map((e) => [e.kind, e.on, e.at])).toEqual([
      ['suspended', '2020-01-22', null],
      ['resumed', '2020-02-04', null],
      ['completed', '2020-02-06', '2020-02-06T16:20:00+08:00'],
    ]);
    expect(done.events[0].note).toBe('缺少用水申请表');
    expect(done.status).toMatchObject({
      suspendedDays: 3,
      due: { date: '2020-02-06', at: 'endOfDay' },
      elapsed: 4,
      remaining: 0,
      onTime: true,
      overdue: false,
    });
    // A day later would have been late.
    const late = await recordCase(book, water, waterCase({ acceptedOn: '2020-01-20', events: [
      { kind: 'suspended', on: '2020-01-22' },
      { kind: 'resumed', on: '2020-02-04' },
      { kind: 'completed', on: '2020-02-07' },
    ] }));
    expect(late.status).toMatchObject({ elapsed: 5, onTime: false, overdue: true });

    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor']).where('entity', '=', 'serviceCase').where('entity_id', '=', String(c.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['serviceCase.create', 'serviceCase.event', 'serviceCase.event', 'serviceCase.event']);
    expect(audit[0].actor).toBe('water-officer');
  });

  it('a limit reached exactly on its last day: on time that day, overdue the next', async () => {
    // Accepted Wed 2020-05-20: day 4 is Tue 05-26.
    const open = await recordCase(book, water, waterCase({ reference: 'EDGE-OPEN' }));
    expect((await getCase(book, open.id, '2020-05-26')).status).toMatchObject({ elapsed: 4, remaining: 0, overdue: false, due: { date: '2020-05-26' } });
    expect((await getCase(book, open.id, '2020-05-27')).status).toMatchObject({ elapsed: 5, remaining: -1, overdue: true });

    const onTime = await recordCase(book, water, waterCase({ reference: 'EDGE-DONE', events: [{ kind: 'completed', on: '2020-05-26' }] }));
    expect(onTime.status).toMatchObject({ elapsed: 4, remaining: 0, onTime: true, overdue: false });

    const overdue = await listCases(book, { asOf: '2020-05-27', limitId: 'water-no-new-pipeline', overdue: true, q: 'EDGE' });
    expect(overdue.items.map((c) => c.reference)).toEqual(['EDGE-OPEN']);
    const notOverdue = await listCases(book, { asOf: '2020-05-27', limitId: 'water-no-new-pipeline', overdue: false, q: 'EDGE' });
    expect(notOverdue.items.map((c) => c.reference)).toEqual(['EDGE-DONE']);
    // as of the day before acceptance the cases did not exist yet
    expect((await listCases(book, { asOf: '2020-05-19', q: 'EDGE' })).total).toBe(0);
  });

  it('half-day limits need the completion time, and a time must fall on its date', async () => {
    const green = { limitId: 'business-startup-green-channel', subject: '苏州长缆光通信有限公司', acceptedOn: '2020-05-20', acceptedAt: '15:00' };
    const before = await count();
    const noTime = await failure(recordCase(book, admin, { ...green, reference: ref('G'), events: [{ kind: 'completed', on: '2020-05-21' }] }));
    expect(paths(noTime)).toEqual(['events[0].at:completion_time_required']);
    const wrongDay = await failure(recordCase(book, admin, { ...green, reference: ref('G'), events: [{ kind: 'completed', on: '2020-05-21', at: '2020-05-21T20:00:00Z' }] }));
    expect(paths(wrongDay)).toEqual(['events[0].at:time_not_on_date']); // 20:00 UTC is 04:00 on 05-22 in Shanghai
    expect(await count()).toBe(before);

    const kept = await recordCase(book, admin, { ...green, reference: ref('G'), events: [{ kind: 'completed', on: '2020-05-21', at: '2020-05-21T03:30:00Z' }] });
    expect(kept.acceptedAt).toBe('2020-05-20T15:00:00+08:00');
    expect(kept.events[0].at).toBe('2020-05-21T11:30:00+08:00');
    expect(kept.status).toMatchObject({ due: { date: '2020-05-21', at: 'noon' }, elapsed: 0.5, onTime: true });
    const missed = await recordCase(book, admin, { ...green, reference: ref('G'), events: [{ kind: 'completed', on: '2020-05-21', at: '12:01' }] });
    expect(missed.status).toMatchObject({ elapsed: 1, onTime: false });
  });

  it('bad input names every bad field, in Chinese and English, and stores nothing', async () => {
    const before = [await count(), await eventCount()];
    const e = await failure(
      recordCase(book, admin, {
        limitId: 'water-no-new-pipeline',
        departmentId: 'industry-it-bureau',
        reference: '  ',
        subject: 'x',
        acceptedOn: '2020-02-30',
        hours: 3,
        simplified: true,
      }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(paths(e)).toEqual([
      'departmentId:department_not_owner',
      'reference:invalid_text',
      'acceptedOn:invalid_date',
      'simplified:simplified_not_applicable',
      'hours:hours_not_applicable',
    ]);
    expect(e.messageZh).toContain('不是时限');
    expect(e.messageEn).toContain('does not own the limit');

    expect(paths(await failure(recordCase(book, admin, waterCase({ limitId: 'no-such-limit' }))))).toEqual(['limitId:unknown_limit']);
    expect(paths(await failure(recordCase(book, admin, waterCase({ acceptedOn: '2021-07-01' }))))).toEqual(['acceptedOn:future_date']);
    expect(paths(await failure(recordCase(book, admin, waterCase({ acceptedOn: '2019-12-31' }))))).toEqual(['acceptedOn:calendar_not_covered']);
    expect(paths(await failure(recordCase(book, admin, waterCase({ limitId: 'customs-clearance-time', departmentId: 'wujiang-customs' }))))).toEqual([
      'limitId:limit_not_recordable',
    ]);
    // several owners and none named
    expect(paths(await failure(recordCase(book, admin, waterCase({ departmentId: undefined }))))).toEqual(['departmentId:department_required']);
    // events: before acceptance, resumed without suspension, completed while suspended, anything after completion
    const order = async (events: NewCaseInput['events']) => paths(await failure(recordCase(book, admin, waterCase({ events }))));
    expect(await order([{ kind: 'suspended', on: '2020-05-19' }])).toEqual(['events[0].on:event_before_acceptance']);
    expect(await order([{ kind: 'resumed', on: '2020-05-21' }])).toEqual(['events[0].kind:invalid_case_events']);
    expect(await order([{ kind: 'suspended', on: '2020-05-21' }, { kind: 'completed', on: '2020-05-22' }])).toEqual(['events[1].kind:invalid_case_events']);
    expect(await order([{ kind: 'completed', on: '2020-05-22' }, { kind: 'suspended', on: '2020-05-25' }])).toEqual(['events[1].kind:event_after_completion']);
    expect(await order([{ kind: 'suspended', on: '2020-05-25' }, { kind: 'resumed', on: '2020-05-22' }])).toEqual(['events[1].on:event_out_of_order']);
    expect(await order([{ kind: 'paused', on: 'tomorrow' }])).toEqual(['events[0].kind:invalid_event_kind', 'events[0].on:invalid_date']);
    expect([await count(), await eventCount()]).toEqual(before);

    // appending: the new event is checked against what is stored
    const c = await recordCase(book, water, waterCase({ events: [{ kind: 'completed', on: '2020-05-22' }] }));
    const after = await eventCount();
    expect(paths(await failure(recordCaseEvent(book, water, c.id, { kind: 'suspended', on: '2020-05-25' })))).toEqual(['kind:event_after_completion']);
    expect(paths(await failure(recordCaseEvent(book, water, c.id, { kind: 'completed', on: '2020-05-25' })))).toEqual(['kind:event_after_completion']);
    expect((await failure(recordCaseEvent(book, water, 999_999, { kind: 'completed', on: '2020-05-25' }))).code).toBe('not_found');
    expect(await eventCount()).toBe(after);
  });

  it('references are unique per limit; a department reviewer records only its own department', async () => {
    const first = await recordCase(book, water, waterCase({ reference: 'DUP-1' }));
    const dup = await failure(recordCase(book, water, waterCase({ reference: 'DUP-1' })));
    expect(dup).toMatchObject({ code: 'conflict', path: 'reference' });
    expect(dup.messageZh).toContain(`案件 ${first.id}`);
    // the same reference under another limit is another case
    await recordCase(book, water, waterCase({ reference: 'DUP-1', limitId: 'water-pipeline-no-approval' }));

    // a water reviewer naming no department records for its own
    const own = await recordCase(book, water, waterCase({ departmentId: undefined }));
    expect(own.departmentId).toBe('water-affairs-bureau');
    expect(await failure(recordCase(book, water, waterCase({ departmentId: 'huayan-water' })))).toMatchObject({ code: 'forbidden' });
    const huayan: CaseWriter = { actor: { userId: null, name: 'huayan' }, department: 'huayan-water' };
    expect(await failure(recordCaseEvent(book, huayan, own.id, { kind: 'completed', on: '2020-05-22' }))).toMatchObject({ code: 'forbidden' });
  });

  it('the database keeps events append-only, times on their dates and one completion per case', async () => {
    const c = await recordCase(book, water, waterCase({ events: [{ kind: 'completed', on: '2020-05-22' }] }));
    const code = (q: Promise<unknown>) => q.then(() => 'stored', (e: unknown) => pgErrorCode(e));
    expect(await code(t.db.updateTable('service_case_events').set({ occurred_on: '2020-05-21' }).where('case_id', '=', c.id).execute())).toBe(RESTRICT_VIOLATION);
    expect(await code(t.db.deleteFrom('service_case_events').where('case_id', '=', c.id).execute())).toBe(RESTRICT_VIOLATION);
    expect(await code(t.db.insertInto('service_case_events').values({ case_id: c.id, kind: 'completed', occurred_on: '2020-05-25' }).execute())).toBe(UNIQUE_VIOLATION);
    // 23:30 in Shanghai is on its date; 23:30 UTC is already the next day there
    const open = await recordCase(book, water, waterCase());
    expect(
      await code(t.db.insertInto('service_case_events').values({ case_id: open.id, kind: 'suspended', occurred_on: '2020-05-25', occurred_at: '2020-05-25T23:30:00+08:00' }).execute()),
    ).toBe('stored');
    expect(
      await code(t.db.insertInto('service_case_events').values({ case_id: open.id, kind: 'resumed', occurred_on: '2020-05-25', occurred_at: '2020-05-25T23:30:00Z' }).execute()),
    ).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('service_cases').values({ limit_id: 'Bad Id', department_id: 'x', reference: 'r', subject: 's', accepted_on: '2020-01-02' }).execute())).toBe(
      CHECK_VIOLATION,
    );
  });

  it('compliance: an average-type limit, the bankruptcy simplified share, tax hours, and per department', async () => {
    // power-low-voltage: average ≤ 5 working days. Accepted Mon 2020-06-01: 06-05 is 4 days, 06-08 5, 06-09 6.
    const power = (reference: string, completed: string) =>
      recordCase(book, admin, { limitId: 'power-low-voltage', reference, subject: reference, acceptedOn: '2020-06-01', events: [{ kind: 'completed', on: completed }] });
    await power('LV-1', '2020-06-05');
    await power('LV-2', '2020-06-08');
    const third = await power('LV-3', '2020-06-09');
    // an average limit has no per-case verdict: the sixth day is informative only
    expect(third.status).toMatchObject({ kind: 'average', elapsed: 6, overdue: null, onTime: null, exceedsTarget: true });

    const period = { asOf: '2020-12-31', acceptedFrom: '2020-06-01', acceptedTo: '2020-06-30' };
    let report = await complianceReport(book, period);
    expect(report.byLimit.find((l) => l.limitId === 'power-low-voltage')).toMatchObject({ completed: 3, averageElapsed: 5, targetMet: true, target: '平均 ≤ 5个工作日' });
    await power('LV-4', '2020-06-09');
    report = await complianceReport(book, period);
    expect(report.byLimit.find((l) => l.limitId === 'power-low-voltage')).toMatchObject({ completed: 4, averageElapsed: 5.25, targetMet: false });

    // bankruptcy: 2 of 5 under the simplified procedure is exactly 40% (met); a court case must say which
    const bankruptcy = (reference: string, simplified: boolean, limitId = 'bankruptcy-simplified-share') =>
      recordCase(book, admin, { limitId, reference, subject: `${reference} 破产清算`, acceptedOn: '2020-07-01', simplified });
    expect(paths(await failure(recordCase(book, admin, { limitId: 'bankruptcy-no-assets-90-days', reference: 'BK-0', subject: 'x', acceptedOn: '2020-07-01' })))).toEqual([
      'simplified:simplified_required',
    ]);
    const noAssets = await bankruptcy('BK-1', true, 'bankruptcy-no-assets-90-days');
    expect(noAssets.status).toMatchObject({ countUnit: 'calendarDays', due: { date: '2020-09-29' } });
    await bankruptcy('BK-2', true, 'bankruptcy-simple-6-months');
    await bankruptcy('BK-3', false);
    await bankruptcy('BK-4', false);
    const last = await bankruptcy('BK-5', false);
    expect(last).toMatchObject({ recording: 'population', status: null });
    const julyOn = { asOf: '2020-12-31', acceptedFrom: '2020-07-01', acceptedTo: '2020-07-31' };
    report = await complianceReport(book, julyOn);
    expect(report.byLimit.find((l) => l.limitId === 'bankruptcy-simplified-share')).toMatchObject({ cases: 5, share: { numerator: 2, denominator: 5, percent: 40 }, targetMet: true });
    await bankruptcy('BK-6', false);
    report = await complianceReport(book, julyOn);
    expect(report.byLimit.find((l) => l.limitId === 'bankruptcy-simplified-share')).toMatchObject({ share: { numerator: 2, denominator: 6, percent: 33.3 }, targetMet: false });
    const court = report.byDepartment.find((d) => d.departmentId === 'wujiang-court')!;
    expect(court.name).toBe('吴江法院');
    expect(court.limits.map((l) => l.limitId).sort()).toEqual(['bankruptcy-no-assets-90-days', 'bankruptcy-simple-6-months', 'bankruptcy-simplified-share']);
    expect(court.targetsMet).toMatchObject({ numerator: 0, denominator: 1 });

    // tax time: an enterprise's hours in a year are summed against ≤ 100
    const tax = (reference: string, subject: string, acceptedOn: string, hours: number) =>
      recordCase(book, admin, { limitId: 'tax-time-annual-hours', reference, subject, acceptedOn, hours });
    expect(paths(await failure(tax('TX-0', 'A', '2020-03-31', -1)))).toEqual(['hours:negative_count']);
    expect(paths(await failure(recordCase(book, admin, { limitId: 'tax-time-annual-hours', reference: 'TX-00', subject: 'A', acceptedOn: '2020-03-31' })))).toEqual(['hours:hours_required']);
    await tax('TX-1', '913205847589632150', '2020-03-31', 60);
    await tax('TX-2', '913205847589632150', '2020-09-30', 40.5);
    await tax('TX-3', '91320584MA1XYZ1234', '2020-12-31', 100);
    await tax('TX-4', '91320584MA1XYZ1234', '2021-01-31', 30);
    report = await complianceReport(book, { asOf: '2021-06-30', year: 2020 });
    const hours = report.annualTotals.find((a) => a.limitId === 'tax-time-annual-hours')!;
    expect(hours.totals.map((x) => [x.subjectId, x.totalHours, x.exceeded])).toEqual([
      ['913205847589632150', 100.5, true],
      ['91320584MA1XYZ1234', 100, false],
    ]);
    expect(hours).toMatchObject({ year: 2020, targetMet: false, withinLimit: { numerator: 1, denominator: 2 } });
    // reading the hours back from numeric keeps them exact
    const stored = await t.db.selectFrom('service_cases').select('hours').where('reference', '=', 'TX-2').executeTakeFirstOrThrow();
    expect(stored.hours).toBe(40.5);
  });

  it('lists page by page, newest acceptance first, with filters checked', async () => {
    const page1 = await listCases(book, { asOf: '2021-06-30', pageSize: 2 });
    const page2 = await listCases(book, { asOf: '2021-06-30', pageSize: 2, page: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBe(page2.total);
    expect(page1.items[0].acceptedOn >= page1.items[1].acceptedOn).toBe(true);
    expect(page1.items[1].acceptedOn >= page2.items[0].acceptedOn).toBe(true);
    const byDept = await listCases(book, { departmentId: 'wujiang-court', pageSize: 100 });
    expect(new Set(byDept.items.map((c) => c.departmentId))).toEqual(new Set(['wujiang-court']));
    expect((await failure(listCases(book, { asOf: '2020-13-01' }))).code).toBe('invalid_date');
    expect((await failure(listCases(book, { departmentId: 'no-such-department' }))).code).toBe('unknown_department');
  });
});
