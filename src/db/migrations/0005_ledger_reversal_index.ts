/**
 * An index on the ledger entry a reversal reverses. Reading an enterprise's earlier awards (ledger.ts
 * priorAwards, on every decision) asks for each award whether a reversal of it exists; without this index each
 * such question scanned the whole ledger, so decisions grew slower as the ledger grew.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ledger_entries_reverses_idx on ledger_entries (reverses_entry_id) where reverses_entry_id is not null`.execute(db);
}
