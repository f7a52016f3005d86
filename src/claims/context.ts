/**
 * What every claim service needs: the database, the engine, who leads which measure (for department
 * reviewers), platform configuration and a clock. Built once at start-up (and per test).
 */
import type { Db } from '../db/transaction.ts';
import type { Engine } from '../engine/index.ts';
import { leadUnitIndex, type AccessContext } from '../identity/access.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import type { Principal } from '../identity/users.ts';
import { todayInShanghai } from '../civil-date.ts';
import { platformConfig, type PlatformConfig } from '../config.ts';
import { OfficialCalendar } from '../calendar/official-calendar.ts';

/** Incentives of the general provisions (附则) have no measure number; their claims carry this measure id. */
export const GENERAL_MEASURE_ID = 'general';

export interface PlatformContext {
  db: Db;
  engine: Engine;
  access: AccessContext & { measuresLedBy(departmentId: string): string[] };
  config: PlatformConfig;
  /** today's civil date in Asia/Shanghai (replaceable in tests) */
  today(): string;
  /** the official working-day calendar: the shipped file and the years entered in the app (src/calendar/official-calendar.ts) */
  calendar: OfficialCalendar;
}



export function measureIdOf(measure: number | null): string {
  return measure === null ? GENERAL_MEASURE_ID : String(measure);
}

export function createPlatformContext(db: Db, engine: Engine, opts: { config?: Partial<PlatformConfig>; today?: () => string; calendar?: OfficialCalendar } = {}): PlatformContext {
  const config = { ...platformConfig(), ...opts.config };
  const entries: Array<[string, string[]]> = engine.policy.measures.map((m) => [String(m.measure), m.leadUnit ? [m.leadUnit] : []]);
  // The general provisions name no lead unit; their 一事一议 is coordinated by the department configured here.
  entries.push([GENERAL_MEASURE_ID, [config.generalProvisionsLeadUnit]]);
  // The file is read and checked once per process; a context of its own gets a calendar of its own (the years
  // entered in its database are read by calendar.refresh).
  const calendar = opts.calendar ?? new OfficialCalendar();
  return { db, engine, access: leadUnitIndex(entries), config, today: opts.today ?? (() => todayInShanghai()), calendar };
}

/** Whom the audit log names for a user's action. */
export function actorOf(user: Principal, ip?: string | null): AuditActor {
  return { userId: user.id, name: user.username, ip: ip ?? null };
}
