/**
 * City awards can be corrected or ended, and facts on file remember who stated each value.
 *
 * A city award (kind `cityAward`, recorded for 就高不重复) is a ledger entry, and the ledger is append-only: a city
 * award entered too high, or withdrawn by the city, is corrected by a NEGATIVE `cityAward` entry that names the entry
 * it corrects (`reverses_entry_id`). The sign constraint of 0001 allowed only positive city awards; now a city award is
 * positive and refers to nothing, or negative and refers to a city award. A trigger (negative city awards only, so
 * never on the decision's hot path) checks that the entry corrected is a positive city award of the same enterprise,
 * policy, incentive, year and item, and that the award and all its corrections never add up below zero; it locks the
 * corrected entry first, so two corrections of one award cannot both see the same net amount.
 *
 * kaifang_prior_awards (0006) needs no change: it sums city awards per (incentive, year, item), corrections included,
 * so the next decision sees the reduced city award. What a standing district decision already set off against the
 * city award is read from that decision's explanation and stays as decided (README, "City awards").
 *
 * enterprise_facts.fact_sources: for each fact on file, the user who last stated its value and when
 * (`{ "<fact>": { "by": <user id>, "at": "<instant>" } }`); a value restated unchanged keeps its first source.
 * Rows written before this migration have none: their source is the row's updated_by / updated_at.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table ledger_entries drop constraint ledger_entries_sign`,
  `alter table ledger_entries add constraint ledger_entries_sign check (
     (kind = 'award' and amount_fen > 0)
     or (kind = 'cityAward' and amount_fen > 0 and reverses_entry_id is null)
     or (kind = 'cityAward' and amount_fen < 0 and reverses_entry_id is not null)
     or (kind in ('reversal', 'clawback') and amount_fen < 0))`,
  `create function kaifang_city_award_correction_guard() returns trigger language plpgsql as $$
     declare
       target ledger_entries%rowtype;
       net bigint;
     begin
       select * into target from ledger_entries where id = new.reverses_entry_id for update;
       if not found or target.kind <> 'cityAward' or target.amount_fen <= 0
          or target.enterprise_uscc <> new.enterprise_uscc or target.policy_id <> new.policy_id
          or target.incentive_id <> new.incentive_id or target.year <> new.year or target.item <> new.item then
         raise exception 'ledger entry %: a city award correction must correct a city award of the same enterprise, incentive, year and item', new.id
           using errcode = 'check_violation', constraint = 'ledger_entries_city_correction_target';
       end if;
       select coalesce(sum(amount_fen), 0) into net
         from ledger_entries
        where id = target.id or (kind = 'cityAward' and reverses_entry_id = target.id);
       if net < 0 then
         raise exception 'ledger entry %: city award % would be corrected below zero (net % fen)', new.id, target.id, net
           using errcode = 'check_violation', constraint = 'ledger_entries_city_net_not_negative';
       end if;
       return null;
     end $$`,
  `create trigger ledger_entries_city_correction_guard after insert on ledger_entries
     for each row when (new.kind = 'cityAward' and new.amount_fen < 0)
     execute function kaifang_city_award_correction_guard()`,
  `alter table enterprise_facts add column fact_sources jsonb not null default '{}' check (jsonb_typeof(fact_sources) = 'object')`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const s of statements) await sql.raw(s).execute(db);
}
