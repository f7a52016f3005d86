/**
 * Service cases in the database: recording a case and its events, listing cases with where they stand at an
 * as-of date, and the compliance report. The counting itself is cases.ts (pure); this module checks input,
 * stores it, and turns rows into the pure model and back.
 *
 * A case is stored as accepted (service_cases) plus an append-only list of events (service_case_events):
 * suspended (补正开始) ↔ resumed (补正结束) … → completed (办结). Nothing after completion, nothing before
 * acceptance, nothing dated after today. A mistake is not edited away: the data of an office's promises is
 * evidence, so a wrong event stays in the record (the audit log says who recorded it).
 *
 * Times of day are optional: 'HH:MM' in Asia/Shanghai, or an ISO instant that falls on the event's date. They
 * decide half-day limits (the green channel's 0.5 day ends at noon), so a completion of such a case needs one.
 */
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { parseCivilDate, type CivilDate } from '../civil-date.ts';
import { hoursToMinutes } from '../calendar/hours.ts';
import { SERVICE_CASE_EVENT_KINDS, type ServiceCaseEventKind } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import {
  annualTotalCompliance,
  complianceByDepartment,
  complianceByLimit,
  evaluateCase,
  type AnnualTotalCompliance,
  type CaseEvent,
  type CaseStatus,
  type DepartmentCompliance,
  type LimitCompliance,
  type ServiceCase,
} from './cases.ts';
import {
  departmentLabel,
  inSharePopulation,
  isHalfDayLimit,
  limitLabel,
  limitLabelEn,
  recordingOf,
  targetText,
  type CaseBook,
  type Recording,
} from './case-book.ts';
import type { ServiceLimit } from './limits.ts';

// ── Input ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface CaseEventInput {
  kind: unknown;
  on: unknown;
  /** 'HH:MM' (Asia/Shanghai) or an ISO instant on the date `on` */
  at?: unknown;
  note?: unknown;
}

export interface NewCaseInput {
  limitId: unknown;
  /** agencies.yaml id; may be left out when the limit has one owner, or for a department reviewer's own cases */
  departmentId?: unknown;
  /** 受理编号 / 案号, unique per limit */
  reference: unknown;
  /** 办理对象: the enterprise or project */
  subject: unknown;
  acceptedOn: unknown;
  acceptedAt?: unknown;
  /** 简化程序: required for cases of a service that is the population of a share target (bankruptcy), else absent */
  simplified?: unknown;
  /** hours of an annual-total limit (tax time of one enterprise), else absent */
  hours?: unknown;
  events?: unknown;
}

export interface CheckedEvent {
  kind: ServiceCaseEventKind;
  on: CivilDate;
  /** 'HH:MM' Asia/Shanghai */
  time: string | null;
  note: string | null;
}

export interface CheckedCase {
  limit: ServiceLimit;
  recording: Recording;
  departmentId: string;
  reference: string;
  subject: string;
  acceptedOn: CivilDate;
  acceptedTime: string | null;
  simplified: boolean | null;
  hours: number | null;
  events: CheckedEvent[];
}

/** Who writes: the audit actor (its userId is stored as created_by), and for a department reviewer its department. */
export interface CaseWriter {
  actor: AuditActor;
  /** a department reviewer records only its own department's cases; null/undefined: any department (admin) */
  department?: string | null;
}

const KIND_ZH: Record<ServiceCaseEventKind, string> = { suspended: '中止（补正开始）', resumed: '恢复（补正结束）', completed: '办结' };
const KIND_EN: Record<ServiceCaseEventKind, string> = { suspended: 'suspension (补正)', resumed: 'resumption', completed: 'completion' };

function fieldError(path: string, code: string, zh: string, en: string, details?: unknown): KaifangError {
  return new KaifangError({ code, zh, en, path, details });
}

/** Runs a field check, keeping its error so that every bad field is reported at once. */
class Problems {
  readonly list: KaifangError[] = [];
  check<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ValidationError) this.list.push(...e.errors);
      else if (e instanceof KaifangError) this.list.push(e);
      else throw e;
      return undefined;
    }
  }
  add(e: KaifangError) {
    this.list.push(e);
  }
  throwIfAny() {
    if (this.list.length) throw new ValidationError(this.list);
  }
}

function text(value: unknown, path: string, max: number, zhName: string, enName: string): string {
  const t = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (t.length < 1 || t.length > max) {
    throw fieldError(path, 'invalid_text', `${zhName}必填，且不超过${max}个字符`, `${enName} is required and at most ${max} characters`, { value });
  }
  return t;
}

function notAfterToday(book: CaseBook, date: CivilDate, path: string): void {
  const today = book.today();
  if (date > today) {
    throw fieldError(path, 'future_date', `日期 ${date} 晚于今天（${today}），不能登记尚未发生的事`, `${date} is after today (${today}); what has not happened cannot be recorded`, {
      value: date,
      today,
    });
  }
}

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Date and 'HH:MM' of an instant in Asia/Shanghai (UTC+8 without daylight saving since 1991). */
export function shanghaiParts(at: Date): { date: CivilDate; time: string } {
  const iso = new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** The instant of a civil date and time in Asia/Shanghai, as ISO text with its offset. */
export function shanghaiInstant(date: CivilDate, time: string): string {
  return `${date}T${time}:00+08:00`;
}

/** An optional time of day on `on`: 'HH:MM', or an ISO instant that falls on that date in Asia/Shanghai. */
function parseTime(value: unknown, on: CivilDate | undefined, path: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && TIME_RE.test(value.trim())) return value.trim();
  if (typeof value === 'string' && INSTANT_RE.test(value.trim()) && !Number.isNaN(Date.parse(value))) {
    const parts = shanghaiParts(new Date(value.trim()));
    if (on !== undefined && parts.date !== on) {
      throw fieldError(path, 'time_not_on_date', `时刻 ${value} 在北京时间是 ${parts.date}，与日期 ${on} 不符`, `${value} falls on ${parts.date} in Asia/Shanghai, not on ${on}`, { value });
    }
    return parts.time;
  }
  throw fieldError(path, 'invalid_time', `时刻 ${JSON.stringify(value)} 无效，应为 HH:MM（北京时间）或带时区的 ISO 时刻`, `${JSON.stringify(value)} is not a time; write HH:MM (Asia/Shanghai) or an ISO instant with its offset`, { value });
}

function parseEvent(value: unknown, path: (field: string) => string): CheckedEvent {
  const p = new Problems();
  const e = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const kind = p.check(() => {
    if (!SERVICE_CASE_EVENT_KINDS.includes(e.kind as ServiceCaseEventKind)) {
      throw fieldError(path('kind'), 'invalid_event_kind', `事件类型 ${JSON.stringify(e.kind)} 无效，应为 suspended（中止/补正开始）、resumed（恢复）或 completed（办结）`, `${JSON.stringify(e.kind)} is not an event kind: suspended, resumed or completed`);
    }
    return e.kind as ServiceCaseEventKind;
  });
  const on = p.check(() => parseCivilDate(e.on, path('on')));
  const time = p.check(() => parseTime(e.at, on, path('at')));
  const note = p.check(() => {
    if (e.note === undefined || e.note === null || e.note === '') return null;
    if (typeof e.note !== 'string' || e.note.length > 500) throw fieldError(path('note'), 'invalid_text', '备注须为不超过500个字符的文字', 'a note is text of at most 500 characters');
    return e.note.trim() || null;
  });
  p.throwIfAny();
  return { kind: kind!, on: on!, time: time ?? null, note: note ?? null };
}

function before(a: { on: CivilDate; time: string | null }, b: { on: CivilDate; time: string | null }): boolean {
  if (a.on !== b.on) return a.on < b.on;
  return a.time !== null && b.time !== null && a.time < b.time;
}

const moment = (m: { on: CivilDate; time: string | null }) => (m.time ? `${m.on} ${m.time}` : m.on);

/**
 * The order accepted → suspended ↔ resumed → completed, each event no earlier than the one before and none
 * after today. Events before index `from` are already stored (and were checked when they were); only the
 * first problem at or after `from` is reported, since everything after a misplaced event is noise.
 */
function eventOrderProblem(
  book: CaseBook,
  limit: ServiceLimit,
  accepted: { on: CivilDate; time: string | null },
  events: readonly CheckedEvent[],
  from: number,
  path: (i: number, field: string) => string,
): KaifangError | undefined {
  let state: 'running' | 'suspended' | 'completed' = 'running';
  let prev: { on: CivilDate; time: string | null; zh: string; en: string; acceptance: boolean } = { ...accepted, zh: '受理', en: 'acceptance', acceptance: true };
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const own = i >= from;
    const bad = (field: string, code: string, zh: string, en: string) => fieldError(path(i, field), code, zh, en, { index: i });
    if (own) {
      if (before(e, prev)) {
        return bad(
          'on',
          prev.acceptance ? 'event_before_acceptance' : 'event_out_of_order',
          `${KIND_ZH[e.kind]}时间 ${moment(e)} 早于${prev.zh}时间 ${moment(prev)}`,
          `the ${KIND_EN[e.kind]} (${moment(e)}) is earlier than the ${prev.en} (${moment(prev)})`,
        );
      }
      try {
        notAfterToday(book, e.on, path(i, 'on'));
      } catch (err) {
        return err as KaifangError;
      }
    }
    const transition = ((): [string, string, string] | undefined => {
      if (state === 'completed') return ['event_after_completion', `案件已办结，不能再登记${KIND_ZH[e.kind]}`, `the case is completed; no ${KIND_EN[e.kind]} can follow`];
      if (e.kind === 'suspended' && state === 'suspended') return ['invalid_case_events', '案件已在中止（补正）中，不能再次中止', 'the case is already suspended'];
      if (e.kind === 'resumed' && state !== 'suspended') return ['invalid_case_events', '案件未中止，不能恢复', 'the case is not suspended, so it cannot resume'];
      if (e.kind === 'completed' && state === 'suspended') return ['invalid_case_events', '中止（补正）期间不能办结，请先登记恢复', 'the case is suspended; record the resumption before the completion'];
      return undefined;
    })();
    if (transition && own) return bad('kind', ...transition);
    if (transition) return undefined; // stored history predates these rules; do not blame the new event for it
    state = e.kind === 'suspended' ? 'suspended' : e.kind === 'resumed' ? 'running' : 'completed';
    if (own && e.kind === 'completed' && e.time === null && isHalfDayLimit(limit)) {
      return bad(
        'at',
        'completion_time_required',
        `时限 ${limit.value} 个工作日以中午12:00为界，办结须登记时刻（HH:MM）`,
        `a limit of ${limit.value} working days ends at noon, so a completion needs its time (HH:MM)`,
      );
    }
    prev = { on: e.on, time: e.time, zh: KIND_ZH[e.kind], en: KIND_EN[e.kind], acceptance: false };
  }
  return undefined;
}

export interface CheckOptions {
  /** department to assume when the input names none (a department reviewer's own) */
  defaultDepartment?: string | null;
  /** the path of a field as the person sees it (an Excel column); default: the field name */
  path?: (field: string) => string;
}

/**
 * Checks a new case completely and reports every bad field at once (ValidationError); nothing is stored here.
 * Field paths: limitId, departmentId, reference, subject, acceptedOn, acceptedAt, simplified, hours,
 * events[i].kind|on|at|note.
 */
export function checkCaseInput(book: CaseBook, input: NewCaseInput, opts: CheckOptions = {}): CheckedCase {
  const path = opts.path ?? ((f: string) => f);
  const p = new Problems();
  const limit = p.check(() => {
    if (typeof input.limitId !== 'string' || input.limitId === '') {
      throw fieldError(path('limitId'), 'required', '必须指定服务时限（事项）', 'the service limit is required');
    }
    try {
      return book.limits.get(input.limitId);
    } catch (e) {
      if (e instanceof KaifangError) throw fieldError(path('limitId'), e.code, e.messageZh, e.messageEn, e.details);
      throw e;
    }
  });
  const recording = limit ? recordingOf(limit) : null;
  if (limit && recording === null) {
    p.add(
      fieldError(
        path('limitId'),
        'limit_not_recordable',
        `时限 ${limit.id}（${limitLabel(limit)}）以统计数据衡量，不按案件登记`,
        `limit ${limit.id} is measured from statistics, not from recorded cases`,
      ),
    );
  }

  const departmentId = p.check(() => {
    if (!limit) return undefined;
    const given = typeof input.departmentId === 'string' ? input.departmentId.trim() : input.departmentId;
    let id: string;
    if (given === undefined || given === null || given === '') {
      if (opts.defaultDepartment) id = opts.defaultDepartment;
      else if (limit.owners.length === 1) id = limit.owners[0];
      else {
        const names = limit.owners.map((o) => departmentLabel(book, o)).join('、');
        throw fieldError(path('departmentId'), 'department_required', `该时限由多个部门负责（${names}），须指定办理部门`, `several departments own this limit (${limit.owners.join(', ')}); name the one that handled the case`);
      }
    } else if (typeof given !== 'string') {
      throw fieldError(path('departmentId'), 'unknown_department', '办理部门须为部门代码', 'the department must be a department id');
    } else id = given;
    if (!limit.owners.includes(id)) {
      const names = limit.owners.map((o) => `${departmentLabel(book, o)}（${o}）`).join('、');
      throw fieldError(
        path('departmentId'),
        'department_not_owner',
        `${departmentLabel(book, id)} 不是时限“${limitLabel(limit)}”的责任部门；责任部门：${names}`,
        `${id} does not own the limit ${limit.id}; its owners are ${limit.owners.join(', ')}`,
        { departmentId: id, owners: limit.owners },
      );
    }
    return id;
  });

  const reference = p.check(() => text(input.reference, path('reference'), 100, '受理编号', 'the reference'));
  const subject = p.check(() => text(input.subject, path('subject'), 200, '办理对象', 'the subject'));
  const acceptedOn = p.check(() => {
    const d = parseCivilDate(input.acceptedOn, path('acceptedOn'));
    notAfterToday(book, d, path('acceptedOn'));
    if (limit?.unit === 'workingDays' && d < book.calendar.coveredFrom) {
      throw fieldError(path('acceptedOn'), 'calendar_not_covered', `工作日历从 ${book.calendar.coveredFrom} 开始，无法计算 ${d} 受理的案件`, `the working-day calendar starts on ${book.calendar.coveredFrom}; a case accepted on ${d} cannot be counted`);
    }
    return d;
  });
  const acceptedTime = p.check(() => parseTime(input.acceptedAt, acceptedOn, path('acceptedAt'))) ?? null;

  const simplified = p.check(() => {
    const given = input.simplified !== undefined && input.simplified !== null;
    if (!limit) return null;
    if (inSharePopulation(book.limits, limit)) {
      if (typeof input.simplified !== 'boolean') {
        throw fieldError(path('simplified'), 'simplified_required', `${limit.service.zh}须注明是否适用简化程序（计入简化程序占比）`, `a ${limit.service.en} case must say whether the simplified procedure applies (it counts in the share)`);
      }
      return input.simplified;
    }
    if (given) throw fieldError(path('simplified'), 'simplified_not_applicable', `${limit.service.zh}没有简化程序占比目标，不应填写`, `${limit.service.en} has no simplified-procedure share; leave it out`);
    return null;
  });

  const hours = p.check(() => {
    const given = input.hours !== undefined && input.hours !== null;
    if (!limit) return null;
    if (recording === 'hours') {
      if (!given) throw fieldError(path('hours'), 'hours_required', '须填写小时数', 'the hours are required');
      hoursToMinutes(input.hours, path('hours'));
      if ((input.hours as number) > 8784) throw fieldError(path('hours'), 'invalid_count', '一年的小时数不能超过8784', 'a year has at most 8784 hours');
      return input.hours as number;
    }
    if (given) throw fieldError(path('hours'), 'hours_not_applicable', '该时限不按小时累计，不应填写小时数', 'this limit is not an annual total of hours; leave the hours out');
    return null;
  });

  const events: CheckedEvent[] = [];
  let eventsOk = true;
  if (input.events !== undefined && input.events !== null) {
    if (!Array.isArray(input.events)) {
      p.add(fieldError(path('events'), 'invalid_events', '事件须为列表', 'events must be a list'));
      eventsOk = false;
    } else {
      if (recording === 'hours' && input.events.length > 0) {
        p.add(fieldError(path('events'), 'events_not_allowed', '按小时累计的记录没有受理、补正、办结事件', 'an hours record has no suspension or completion events'));
        eventsOk = false;
      }
      input.events.forEach((e, i) => {
        const parsed = p.check(() => parseEvent(e, (f) => path(`events[${i}].${f}`)));
        if (parsed) events.push(parsed);
        else eventsOk = false;
      });
    }
  }
  if (eventsOk && limit && acceptedOn) {
    const problem = eventOrderProblem(book, limit, { on: acceptedOn, time: acceptedTime }, events, 0, (i, f) => path(`events[${i}].${f}`));
    if (problem) p.add(problem);
  }
  p.throwIfAny();
  return {
    limit: limit!,
    recording: recording!,
    departmentId: departmentId!,
    reference: reference!,
    subject: subject!,
    acceptedOn: acceptedOn!,
    acceptedTime,
    simplified: simplified ?? null,
    hours: hours ?? null,
    events,
  };
}

// ── Errors of storage ───────────────────────────────────────────────────────────────────────────────────────

function notFound(id: unknown): KaifangError {
  return new KaifangError({ code: 'not_found', zh: `服务案件 ${String(id)} 不存在`, en: `service case ${String(id)} does not exist`, path: 'id' });
}

function notYourDepartment(departmentId: string, yours: string): KaifangError {
  return new KaifangError({
    code: 'forbidden',
    zh: `只能登记本部门（${yours}）的案件，不能登记 ${departmentId} 的案件`,
    en: `you record cases of your own department (${yours}) only, not of ${departmentId}`,
    path: 'departmentId',
    details: { departmentId, yours },
  });
}

function duplicate(limitId: string, reference: string, existingId: number | undefined, path = 'reference'): KaifangError {
  return new KaifangError({
    code: 'conflict',
    zh: `时限 ${limitId} 下受理编号 ${reference} 已登记${existingId ? `（案件 ${existingId}）` : ''}`,
    en: `reference ${reference} is already recorded under limit ${limitId}${existingId ? ` (case ${existingId})` : ''}`,
    path,
    details: { limitId, reference, caseId: existingId },
  });
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────────

async function insertCase(trx: Db, c: CheckedCase, writer: CaseWriter): Promise<number> {
  const row = await trx
    .insertInto('service_cases')
    .values({
      limit_id: c.limit.id,
      department_id: c.departmentId,
      reference: c.reference,
      subject: c.subject,
      accepted_on: c.acceptedOn,
      accepted_at: c.acceptedTime ? shanghaiInstant(c.acceptedOn, c.acceptedTime) : null,
      simplified: c.simplified,
      hours: c.hours,
      created_by: writer.actor.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertEvents(trx, row.id, c.events, writer);
  return row.id;
}

async function insertEvents(trx: Db, caseId: number, events: readonly CheckedEvent[], writer: CaseWriter): Promise<void> {
  if (events.length === 0) return;
  // One insert keeps their order: identity values follow the order of the VALUES list.
  await trx
    .insertInto('service_case_events')
    .values(
      events.map((e) => ({
        case_id: caseId,
        kind: e.kind,
        occurred_on: e.on,
        occurred_at: e.time ? shanghaiInstant(e.on, e.time) : null,
        note: e.note,
        recorded_by: writer.actor.userId,
      })),
    )
    .execute();
}

/** Records a new case (with any events already known); bad input stores nothing. Returns the case as of today. */
export async function recordCase(book: CaseBook, writer: CaseWriter, input: NewCaseInput): Promise<CaseView> {
  const c = checkCaseInput(book, input, { defaultDepartment: writer.department });
  if (writer.department && c.departmentId !== writer.department) throw notYourDepartment(c.departmentId, writer.department);
  let id: number;
  try {
    id = await inTransaction(book.db, async (trx) => {
      const existing = await trx
        .selectFrom('service_cases')
        .select('id')
        .where('limit_id', '=', c.limit.id)
        .where('reference', '=', c.reference)
        .executeTakeFirst();
      if (existing) throw duplicate(c.limit.id, c.reference, existing.id);
      const newId = await insertCase(trx, c, writer);
      await appendAudit(trx, writer.actor, {
        action: 'serviceCase.create',
        entity: 'serviceCase',
        entityId: newId,
        details: { limitId: c.limit.id, departmentId: c.departmentId, reference: c.reference, acceptedOn: c.acceptedOn, events: c.events.length },
      });
      return newId;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'service_cases_reference_unique')) throw duplicate(c.limit.id, c.reference, undefined);
    throw e;
  }
  return getCase(book, id);
}

/** Appends one event (suspended, resumed, completed) to a case, checked against the events already stored. */
export async function recordCaseEvent(book: CaseBook, writer: CaseWriter, caseId: number, input: CaseEventInput): Promise<CaseView> {
  if (!Number.isSafeInteger(caseId) || caseId < 1) throw notFound(caseId);
  const event = parseEvent(input, (f) => f);
  try {
    await inTransaction(book.db, async (trx) => {
      // FOR UPDATE: two officials recording events of one case at once are put in a row, so each is checked
      // against the other's.
      const row = await trx.selectFrom('service_cases').selectAll().where('id', '=', caseId).forUpdate().executeTakeFirst();
      if (!row) throw notFound(caseId);
      if (writer.department && row.department_id !== writer.department) throw notYourDepartment(row.department_id, writer.department);
      const limit = book.limits.get(row.limit_id);
      if (recordingOf(limit) === 'hours') {
        throw fieldError('kind', 'events_not_allowed', '按小时累计的记录没有补正、办结事件', 'an hours record has no suspension or completion events');
      }
      const stored = await trx.selectFrom('service_case_events').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
      const all: CheckedEvent[] = [...stored.map(eventOfRow), event];
      const accepted = { on: row.accepted_on, time: row.accepted_at ? shanghaiParts(row.accepted_at).time : null };
      const problem = eventOrderProblem(book, limit, accepted, all, stored.length, (_i, f) => f);
      if (problem) throw new ValidationError([problem]);
      await insertEvents(trx, caseId, [event], writer);
      await appendAudit(trx, writer.actor, {
        action: 'serviceCase.event',
        entity: 'serviceCase',
        entityId: caseId,
        details: { kind: event.kind, on: event.on, at: event.time, note: event.note },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e, 'service_case_events_one_completion')) {
      throw new KaifangError({ code: 'conflict', zh: '案件已办结', en: 'the case is already completed', path: 'kind' });
    }
    throw e;
  }
  return getCase(book, caseId);
}

function eventOfRow(r: { kind: ServiceCaseEventKind; occurred_on: string; occurred_at: Date | null; note: string | null }): CheckedEvent {
  return { kind: r.kind, on: r.occurred_on, time: r.occurred_at ? shanghaiParts(r.occurred_at).time : null, note: r.note };
}

// ── Import of many cases at once (the Excel import) ─────────────────────────────────────────────────────────

export interface ImportItem {
  /** the sheet's row number, for the result */
  row: number;
  case: CheckedCase;
  /** where a field of this item is, as the person sees it (e.g. 'row[5].受理日期') */
  path: (field: string) => string;
}

export interface ImportOutcome {
  row: number;
  limitId: string;
  reference: string;
  /** created: a new case; updated: events appended to a case recorded before; unchanged: nothing new */
  action: 'created' | 'updated' | 'unchanged';
  /** null in a dry run for a case that would be created */
  caseId: number | null;
  eventsAdded: number;
}

const sameCase = (a: CheckedCase, row: { department_id: string; subject: string; accepted_on: string; accepted_at: Date | null; simplified: boolean | null; hours: number | null }) => [
  ['departmentId', row.department_id, a.departmentId, '办理部门', 'department'],
  ['subject', row.subject, a.subject, '办理对象', 'subject'],
  ['acceptedOn', row.accepted_on, a.acceptedOn, '受理日期', 'acceptance date'],
  ['acceptedAt', row.accepted_at ? shanghaiParts(row.accepted_at).time : null, a.acceptedTime, '受理时刻', 'acceptance time'],
  ['simplified', row.simplified, a.simplified, '简化程序', 'simplified procedure'],
  ['hours', row.hours, a.hours, '小时数', 'hours'],
] as const;

/**
 * Stores many checked cases in one transaction, all or nothing. A case whose limit and reference are already
 * recorded is matched: when the stored case agrees and its events are the first of the item's, the rest are
 * appended (re-importing a monthly sheet with new completions works); any disagreement is a conflict. Every
 * problem is reported (ValidationError, with the items' paths) and then nothing is stored. With dryRun nothing is
 * stored either way.
 */
export async function importCheckedCases(
  book: CaseBook,
  writer: CaseWriter,
  items: readonly ImportItem[],
  opts: { dryRun?: boolean; audit?: Record<string, unknown> } = {},
): Promise<ImportOutcome[]> {
  const problems: KaifangError[] = [];
  const seen = new Map<string, number>();
  for (const it of items) {
    const key = `${it.case.limit.id}\u0000${it.case.reference}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(fieldError(it.path('reference'), 'duplicate_row', `与第${first}行重复（同一事项、同一受理编号）`, `repeats row ${first} (same limit and reference)`));
    } else seen.set(key, it.row);
    if (writer.department && it.case.departmentId !== writer.department) {
      problems.push(fieldError(it.path('departmentId'), 'forbidden', `只能导入本部门（${departmentLabel(book, writer.department)}）的案件`, `you import cases of your own department (${writer.department}) only`));
    }
  }
  if (problems.length) throw new ValidationError(problems);

  const run = async (trx: Db) => {
    const outcomes: ImportOutcome[] = [];
    const plan: Array<{ item: ImportItem; existingId: number | null; newEvents: CheckedEvent[] }> = [];
    for (const it of items) {
      const c = it.case;
      const existing = await trx.selectFrom('service_cases').selectAll().where('limit_id', '=', c.limit.id).where('reference', '=', c.reference).executeTakeFirst();
      if (!existing) {
        plan.push({ item: it, existingId: null, newEvents: c.events });
        continue;
      }
      const differs = sameCase(c, existing).find(([, stored, given]) => stored !== given);
      if (differs) {
        const [field, stored, given, zh, en] = differs;
        problems.push(
          fieldError(it.path(field), 'conflict', `案件 ${existing.id}（受理编号 ${c.reference}）已登记的${zh}为 ${String(stored)}，表中为 ${String(given)}`, `case ${existing.id} (reference ${c.reference}) is recorded with ${en} ${String(stored)}, the sheet says ${String(given)}`, {
            caseId: existing.id,
          }),
        );
        continue;
      }
      const stored = (await trx.selectFrom('service_case_events').selectAll().where('case_id', '=', existing.id).orderBy('id').execute()).map(eventOfRow);
      const mismatch = stored.findIndex((s, i) => {
        const e = c.events[i];
        return !e || e.kind !== s.kind || e.on !== s.on || e.time !== s.time;
      });
      if (mismatch >= 0) {
        const s = stored[mismatch];
        const e = c.events[mismatch];
        problems.push(
          fieldError(
            it.path(e ? `events[${mismatch}].on` : 'events'),
            'conflict',
            `案件 ${existing.id}（受理编号 ${c.reference}）已登记${KIND_ZH[s.kind]} ${moment(s)}，表中${e ? `为${KIND_ZH[e.kind]} ${moment(e)}` : '没有这一事件'}；已登记的事件不能改动`,
            `case ${existing.id} (reference ${c.reference}) has a ${KIND_EN[s.kind]} on ${moment(s)} recorded; the sheet ${e ? `says ${KIND_EN[e.kind]} on ${moment(e)}` : 'lacks it'}. Recorded events cannot be changed`,
            { caseId: existing.id },
          ),
        );
        continue;
      }
      if (writer.department && existing.department_id !== writer.department) {
        problems.push(notYourDepartment(existing.department_id, writer.department));
        continue;
      }
      plan.push({ item: it, existingId: existing.id, newEvents: c.events.slice(stored.length) });
    }
    if (problems.length) throw new ValidationError(problems);

    for (const { item, existingId, newEvents } of plan) {
      const base = { row: item.row, limitId: item.case.limit.id, reference: item.case.reference };
      if (existingId === null) {
        const id = opts.dryRun ? null : await insertCase(trx, item.case, writer);
        outcomes.push({ ...base, action: 'created', caseId: id, eventsAdded: newEvents.length });
      } else {
        if (!opts.dryRun) await insertEvents(trx, existingId, newEvents, writer);
        outcomes.push({ ...base, action: newEvents.length ? 'updated' : 'unchanged', caseId: existingId, eventsAdded: newEvents.length });
      }
    }
    if (!opts.dryRun && outcomes.some((o) => o.action !== 'unchanged')) {
      await appendAudit(trx, writer.actor, {
        action: 'serviceCase.import',
        entity: 'serviceCase',
        entityId: null,
        details: {
          ...opts.audit,
          created: outcomes.filter((o) => o.action === 'created').map((o) => o.caseId),
          updated: outcomes.filter((o) => o.action === 'updated').map((o) => o.caseId),
        },
      });
    }
    return outcomes;
  };

  try {
    return await inTransaction(book.db, run);
  } catch (e) {
    if (isUniqueViolation(e, 'service_cases_reference_unique')) {
      throw new KaifangError({ code: 'conflict', zh: '导入期间有人登记了相同受理编号的案件，请重新导入', en: 'a case with one of these references was recorded meanwhile; import again' });
    }
    throw e;
  }
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface CaseEventView {
  id: number;
  kind: ServiceCaseEventKind;
  on: CivilDate;
  /** ISO instant with +08:00, when a time was recorded */
  at: string | null;
  note: string | null;
  recordedBy: number | null;
  recordedAt: string;
}

export interface CaseView {
  id: number;
  limitId: string;
  limitLabel: string;
  limitLabelEn: string;
  measure: number | null;
  /** timed | population | hours; null when the limit is no longer in service-limits.yaml */
  recording: Recording | null;
  departmentId: string;
  departmentName: string;
  reference: string;
  subject: string;
  acceptedOn: CivilDate;
  acceptedAt: string | null;
  simplified: boolean | null;
  hours: number | null;
  createdBy: number | null;
  createdAt: string;
  events: CaseEventView[];
  asOf: string;
  /** where a timed case stands at asOf (due date, remaining, overdue); null for other records */
  status: CaseStatus | null;
  /** why a timed case could not be measured (a due date past the calendar's coveredThrough …) */
  undetermined: { code: string; messageZh: string; messageEn: string } | null;
}

type CaseRow = {
  id: number;
  limit_id: string;
  department_id: string;
  reference: string;
  subject: string;
  accepted_on: string;
  accepted_at: Date | null;
  simplified: boolean | null;
  hours: number | null;
  created_by: number | null;
  created_at: Date;
};
type EventRow = {
  id: number;
  case_id: number;
  kind: ServiceCaseEventKind;
  occurred_on: string;
  occurred_at: Date | null;
  note: string | null;
  recorded_by: number | null;
  recorded_at: Date;
};

function momentText(on: CivilDate, at: Date | null): string {
  return at ? `${on}T${shanghaiParts(at).time}` : on;
}

/** The pure model of a stored case (cases.ts). */
export function toServiceCase(row: CaseRow, events: readonly EventRow[]): ServiceCase {
  return {
    id: String(row.id),
    limitId: row.limit_id,
    departmentId: row.department_id,
    simplifiedProcedure: row.simplified ?? undefined,
    events: [
      { type: 'accepted', at: momentText(row.accepted_on, row.accepted_at) } as CaseEvent,
      ...events.map((e) => ({ type: e.kind, at: momentText(e.occurred_on, e.occurred_at), note: e.note ?? undefined })),
    ],
  };
}

// invalid_case_events: only rows written around the service (raw SQL) can be out of order; one such case must not
// hide the whole list, so it is shown with the reason. The compliance report refuses it instead of skipping it.
const EXPECTED_UNMEASURABLE = new Set(['calendar_not_covered', 'completion_time_required', 'as_of_before_acceptance', 'invalid_case_events']);

function viewOf(book: CaseBook, row: CaseRow, events: readonly EventRow[], asOf: string): CaseView {
  let limit: ServiceLimit | undefined;
  try {
    limit = book.limits.get(row.limit_id);
  } catch {
    limit = undefined;
  }
  const recording = limit ? recordingOf(limit) : null;
  let status: CaseStatus | null = null;
  let undetermined: CaseView['undetermined'] = null;
  if (!limit) {
    undetermined = { code: 'unknown_limit', messageZh: `时限 ${row.limit_id} 已不在 service-limits.yaml 中`, messageEn: `limit ${row.limit_id} is no longer in service-limits.yaml` };
  } else if (recording === 'timed') {
    try {
      status = evaluateCase(toServiceCase(row, events), limit, book.calendar, asOf);
    } catch (e) {
      if (!(e instanceof KaifangError) || !EXPECTED_UNMEASURABLE.has(e.code)) throw e;
      undetermined = { code: e.code, messageZh: e.messageZh, messageEn: e.messageEn };
    }
  }
  return {
    id: row.id,
    limitId: row.limit_id,
    limitLabel: limit ? limitLabel(limit) : row.limit_id,
    limitLabelEn: limit ? limitLabelEn(limit) : row.limit_id,
    measure: limit?.measure ?? null,
    recording,
    departmentId: row.department_id,
    departmentName: departmentLabel(book, row.department_id),
    reference: row.reference,
    subject: row.subject,
    acceptedOn: row.accepted_on,
    acceptedAt: row.accepted_at ? shanghaiInstant(row.accepted_on, shanghaiParts(row.accepted_at).time) : null,
    simplified: row.simplified,
    hours: row.hours,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      on: e.occurred_on,
      at: e.occurred_at ? shanghaiInstant(e.occurred_on, shanghaiParts(e.occurred_at).time) : null,
      note: e.note,
      recordedBy: e.recorded_by,
      recordedAt: e.recorded_at.toISOString(),
    })),
    asOf,
    status,
    undetermined,
  };
}

function asOfOf(book: CaseBook, asOf: unknown): CivilDate {
  return asOf === undefined || asOf === null || asOf === '' ? book.today() : parseCivilDate(asOf, 'asOf');
}

/** One case with its timeline and where it stands at `asOf` (default today). */
export async function getCase(book: CaseBook, id: number, asOf?: string): Promise<CaseView> {
  const at = asOfOf(book, asOf);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound(id);
  const row = await book.db.selectFrom('service_cases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  const events = await book.db.selectFrom('service_case_events').selectAll().where('case_id', '=', id).orderBy('id').execute();
  return viewOf(book, row, events, at);
}

export interface CaseFilter {
  /** default today; cases accepted after it are left out */
  asOf?: string;
  limitId?: string;
  departmentId?: string;
  acceptedFrom?: string;
  acceptedTo?: string;
  /** substring of the reference or the subject */
  q?: string;
}

export interface CaseQuery extends CaseFilter {
  /** only cases overdue (true) or not overdue (false) at asOf; overdue is a per-case verdict */
  overdue?: boolean;
  state?: 'open' | 'suspended' | 'completed';
  page?: number;
  pageSize?: number;
}

interface CheckedFilter {
  asOf: CivilDate;
  limitId?: string;
  departmentId?: string;
  acceptedFrom?: CivilDate;
  acceptedTo?: CivilDate;
  q?: string;
}

function checkFilter(book: CaseBook, f: CaseFilter): CheckedFilter {
  const p = new Problems();
  const asOf = p.check(() => asOfOf(book, f.asOf));
  if (f.limitId !== undefined) p.check(() => book.limits.get(f.limitId!));
  if (f.departmentId !== undefined && book.departments.size > 0 && !book.departments.has(f.departmentId)) {
    p.add(fieldError('department', 'unknown_department', `部门 ${f.departmentId} 不存在`, `unknown department ${f.departmentId}`));
  }
  const from = f.acceptedFrom === undefined ? undefined : p.check(() => parseCivilDate(f.acceptedFrom, 'acceptedFrom'));
  const to = f.acceptedTo === undefined ? undefined : p.check(() => parseCivilDate(f.acceptedTo, 'acceptedTo'));
  if (from && to && to < from) p.add(fieldError('acceptedTo', 'invalid_date_range', `结束日期 ${to} 早于开始日期 ${from}`, `the end date ${to} is before the start date ${from}`));
  p.throwIfAny();
  return { asOf: asOf!, limitId: f.limitId, departmentId: f.departmentId, acceptedFrom: from, acceptedTo: to, q: f.q?.trim() || undefined };
}

/** Cases (with their events) accepted by asOf and matching the filter, newest acceptance first. */
async function loadCases(db: Db, f: CheckedFilter): Promise<Array<{ row: CaseRow; events: EventRow[] }>> {
  let cases = db.selectFrom('service_cases').selectAll().where('accepted_on', '<=', f.asOf);
  if (f.limitId) cases = cases.where('limit_id', '=', f.limitId);
  if (f.departmentId) cases = cases.where('department_id', '=', f.departmentId);
  if (f.acceptedFrom) cases = cases.where('accepted_on', '>=', f.acceptedFrom);
  if (f.acceptedTo) cases = cases.where('accepted_on', '<=', f.acceptedTo);
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    cases = cases.where((eb) => eb.or([eb('reference', 'ilike', pattern), eb('subject', 'ilike', pattern)]));
  }
  const rows = await cases.orderBy('accepted_on', 'desc').orderBy('id', 'desc').execute();
  if (rows.length === 0) return [];
  // The events of exactly these cases, by the same filter as a subquery: no list of ids to send.
  const ids = cases.clearSelect().select('id');
  const events = await db.selectFrom('service_case_events').selectAll().where('case_id', 'in', ids).orderBy('case_id').orderBy('id').execute();
  const byCase = new Map<number, EventRow[]>();
  for (const e of events) {
    const list = byCase.get(e.case_id) ?? [];
    list.push(e);
    byCase.set(e.case_id, list);
  }
  return rows.map((row) => ({ row, events: byCase.get(row.id) ?? [] }));
}

export interface CasePage {
  items: CaseView[];
  total: number;
  page: number;
  pageSize: number;
  asOf: string;
}

/** Every matching case with where it stands at asOf (overdue and state are computed, so they filter here). */
export async function allCases(book: CaseBook, query: CaseQuery = {}): Promise<CaseView[]> {
  const f = checkFilter(book, query);
  const views = (await loadCases(book.db, f)).map(({ row, events }) => viewOf(book, row, events, f.asOf));
  return views.filter(
    (v) => (query.overdue === undefined || (v.status?.overdue ?? false) === query.overdue) && (query.state === undefined || v.status?.state === query.state),
  );
}

export async function listCases(book: CaseBook, query: CaseQuery = {}): Promise<CasePage> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 20;
  if (!Number.isInteger(page) || page < 1) throw fieldError('page', 'invalid_page', '页码须为正整数', 'page must be a whole number ≥ 1');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw fieldError('pageSize', 'invalid_page', '每页条数须为1至100', 'pageSize must be 1–100');
  const all = await allCases(book, query);
  return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize, asOf: all[0]?.asOf ?? asOfOf(book, query.asOf) };
}

// ── Compliance ──────────────────────────────────────────────────────────────────────────────────────────────

export interface ComplianceQuery {
  asOf?: string;
  acceptedFrom?: string;
  acceptedTo?: string;
  /** the calendar year of annual totals (tax time); default the year of asOf */
  year?: number;
}

export interface LimitComplianceView extends LimitCompliance {
  label: string;
  labelEn: string;
  measure: number;
  serviceId: string;
  target: string;
  owners: Array<{ id: string; name: string }>;
}

export interface DepartmentComplianceView extends Omit<DepartmentCompliance, 'limits'> {
  name: string;
  nameEn: string;
  limits: LimitComplianceView[];
}

export interface AnnualTotalView extends AnnualTotalCompliance {
  label: string;
  target: string;
}

export interface ComplianceReport {
  asOf: CivilDate;
  acceptedFrom: CivilDate | null;
  acceptedTo: CivilDate | null;
  year: number;
  byLimit: LimitComplianceView[];
  byDepartment: DepartmentComplianceView[];
  annualTotals: AnnualTotalView[];
  /** stored cases whose limit is no longer in service-limits.yaml: left out of every figure */
  unknownLimitCases: number[];
}

export async function complianceReport(book: CaseBook, query: ComplianceQuery = {}): Promise<ComplianceReport> {
  const f = checkFilter(book, { asOf: query.asOf, acceptedFrom: query.acceptedFrom, acceptedTo: query.acceptedTo });
  const year = query.year ?? Number(f.asOf.slice(0, 4));
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw fieldError('year', 'invalid_year', '年度须为2000至2100之间的整数', 'year must be a whole number 2000–2100');

  // Hours records belong to a year, not to a period of acceptance: they are read without the period.
  const loaded = await loadCases(book.db, { asOf: f.asOf });
  const known = new Set(book.limits.limits.map((l) => l.id));
  const unknownLimitCases = loaded.filter(({ row }) => !known.has(row.limit_id)).map(({ row }) => row.id);
  const usable = loaded.filter(({ row }) => known.has(row.limit_id));
  const counted = usable
    .filter(({ row }) => recordingOf(book.limits.get(row.limit_id)) !== 'hours')
    .map(({ row, events }) => toServiceCase(row, events));
  const opts = { asOf: f.asOf, acceptedFrom: f.acceptedFrom, acceptedTo: f.acceptedTo };

  const limitView = (lc: LimitCompliance): LimitComplianceView => {
    const l = book.limits.get(lc.limitId);
    return {
      ...lc,
      label: limitLabel(l),
      labelEn: limitLabelEn(l),
      measure: l.measure,
      serviceId: l.service.id,
      target: targetText(l),
      owners: l.owners.map((id) => ({ id, name: departmentLabel(book, id) })),
    };
  };
  const byLimit = complianceByLimit(book.limits, counted, book.calendar, opts).map(limitView);
  const byDepartment = complianceByDepartment(book.limits, counted, book.calendar, opts).map((d) => ({
    ...d,
    name: departmentLabel(book, d.departmentId),
    nameEn: book.departments.get(d.departmentId)?.nameEn ?? d.departmentId,
    limits: d.limits.map(limitView),
  }));
  const annualTotals = book.limits.limits
    .filter((l) => recordingOf(l) === 'hours')
    .map((l) => {
      const entries = usable
        .filter(({ row }) => row.limit_id === l.id && row.hours !== null)
        .map(({ row }) => ({ subjectId: row.subject, date: row.accepted_on, hours: row.hours! }));
      return { ...annualTotalCompliance(l, entries, year), label: limitLabel(l), target: targetText(l) };
    });
  return { asOf: f.asOf, acceptedFrom: f.acceptedFrom ?? null, acceptedTo: f.acceptedTo ?? null, year, byLimit, byDepartment, annualTotals, unknownLimitCases };
}

/** The limits as offered for recording: every limit with its label, target, owners and how its cases are recorded. */
export function limitCatalog(book: CaseBook) {
  return book.limits.limits.map((l) => ({
    id: l.id,
    measure: l.measure,
    serviceId: l.service.id,
    label: limitLabel(l),
    labelEn: limitLabelEn(l),
    kind: l.kind,
    comparator: l.comparator,
    value: l.value ?? null,
    unit: l.unit,
    target: targetText(l),
    clause: l.clause,
    recording: recordingOf(l),
    halfDay: isHalfDayLimit(l),
    simplifiedRequired: recordingOf(l) !== null && recordingOf(l) !== 'hours' && inSharePopulation(book.limits, l),
    partOf: l.partOf ?? null,
    owners: l.owners.map((id) => ({ id, name: departmentLabel(book, id), nameEn: book.departments.get(id)?.nameEn ?? id })),
  }));
}

