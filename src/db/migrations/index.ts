/**
 * Every migration, in order. Static imports (not a folder scan) so the set is fixed at build time and
 * works wherever the sources run. Add a line per new migration; never renumber or edit one that ran.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_claim_dates_and_facts_on_file.ts';
import * as m0003 from './0003_service_cases.ts';
import * as m0004 from './0004_audit_sealed_after_commit.ts';
import * as m0005 from './0005_ledger_reversal_index.ts';
import * as m0006 from './0006_decision_locks_in_sql.ts';
import * as m0007 from './0007_ledger_claim_net_guard.ts';
import * as m0008 from './0008_audit_anchors.ts';
import * as m0009 from './0009_login_failures_per_address.ts';
import * as m0010 from './0010_user_administration.ts';
import * as m0011 from './0011_calendar_years.ts';
import * as m0014 from './0014_clawback_recoveries.ts';
import * as m0015 from './0015_audit_browsing_and_inbox.ts';
import * as m0016 from './0016_payment_batches.ts';
import * as m0017 from './0017_reads_stay_flat.ts';
import * as m0018 from './0018_city_award_corrections.ts';
import * as m0020 from './0020_service_desk.ts';
import * as m0021 from './0021_data_on_file.ts';
import * as m0022 from './0022_investment_map.ts';
import * as m0023 from './0023_free_application_scan.ts';
import * as m0024 from './0024_direct_reports.ts';
import * as m0025 from './0025_liaison_visits.ts';
import * as m0026 from './0026_assistance_cases.ts';
import * as m0027 from './0027_financing.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_claim_dates_and_facts_on_file': m0002,
  '0003_service_cases': m0003,
  '0004_audit_sealed_after_commit': m0004,
  '0005_ledger_reversal_index': m0005,
  '0006_decision_locks_in_sql': m0006,
  '0007_ledger_claim_net_guard': m0007,
  '0008_audit_anchors': m0008,
  '0009_login_failures_per_address': m0009,
  '0010_user_administration': m0010,
  '0011_calendar_years': m0011,
  '0014_clawback_recoveries': m0014,
  '0015_audit_browsing_and_inbox': m0015,
  '0016_payment_batches': m0016,
  '0017_reads_stay_flat': m0017,
  '0018_city_award_corrections': m0018,
  '0020_service_desk': m0020,
  '0021_data_on_file': m0021,
  '0022_investment_map': m0022,
  '0023_free_application_scan': m0023,
  '0024_direct_reports': m0024,
  '0025_liaison_visits': m0025,
  '0026_assistance_cases': m0026,
  '0027_financing': m0027,
};
