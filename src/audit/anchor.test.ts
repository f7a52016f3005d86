// Anchors: the chain's head signed with a key outside the database. The review's attack — a superuser switches the
// trigger off, edits record M, clears the seals of M and of every later record, and lets the sealer chain the
// forged history again — verified as intact before; against an anchor it does not.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import type { Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import {
  ANCHOR_FORMAT,
  anchorSettings,
  anchorSignatureValid,
  checkAuditAnchor,
  createAuditAnchor,
  loadAnchorKey,
  loadPublicKey,
  parseAnchor,
  startAuditAnchorer,
  writeAnchorKeyFiles,
  type AuditAnchor,
} from './anchor.ts';
import { appendAudit, sealAuditChain, verifyAuditChain } from './audit-log.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-anchor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let keyCount = 0;
function newKey() {
  const file = path.join(dir, `key-${++keyCount}.pem`);
  const written = writeAnchorKeyFiles(file);
  return { file, pub: written.publicFile, key: loadAnchorKey(file) };
}

const actor = { userId: null, name: 'anchor-test' };
const cliActor = { userId: null, name: 'cli' };

async function write(db: Db, n: number, entityId = 'x') {
  for (let i = 0; i < n; i++) await appendAudit(db, actor, { action: 'claim.decide', entity: 'claim', entityId, details: { amountFen: 100_000 + i } });
}

/** Runs `fn` with the append-only triggers off, as a database superuser could. */
async function asSuperuser(db: Db, fn: (trx: Db) => Promise<unknown>) {
  await db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
    await sql`alter table audit_anchors disable trigger audit_anchors_append_only`.execute(trx);
    await fn(trx);
    await sql`alter table audit_anchors enable trigger audit_anchors_append_only`.execute(trx);
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
  });
}

/** The review's attack: edit record M, then clear the seals of M and of everything after it. */
async function rewriteFrom(db: Db, m: number) {
  await asSuperuser(db, async (trx) => {
    await trx.updateTable('audit_log').set({ details: JSON.stringify({ amountFen: 9_999_999 }) }).where('seq', '=', m).execute();
    await trx.updateTable('audit_log').set({ seq: null, prev_hash: null, hash: null }).where('seq', '>=', m).execute();
  });
}

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KaifangError);
  return e as KaifangError;
};

describe('anchor documents', () => {
  const { key, pub } = newKey();
  const fields = { installation: 'inst-1', seq: 42, hash: 'a'.repeat(64), headAt: '2021-03-01T01:00:00.000Z', createdAt: '2021-03-02T00:00:00.000Z' };

  it('keygen writes a private key only its owner reads and a public key; never overwrites either', () => {
    const { file } = newKey();
    expect(statSync(file).mode & 0o077, 'the private key is not readable by group or others').toBe(0);
    expect(readFileSync(`${file}.pub`, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(() => writeAnchorKeyFiles(file)).toThrow(/EEXIST/);
  });

  it('a signed anchor verifies; any changed field, or a signature by another key, does not', async () => {
    const { signAnchor } = await import('./anchor.ts');
    const anchor = signAnchor(fields, key);
    expect(anchor).toMatchObject({ format: ANCHOR_FORMAT, ...fields, publicKey: loadPublicKey(pub) });
    expect(anchorSignatureValid(anchor)).toBe(true);
    expect(anchorSignatureValid(parseAnchor(JSON.stringify(anchor)))).toBe(true);
    for (const change of [{ seq: 41 }, { hash: 'b'.repeat(64) }, { createdAt: '2021-03-03T00:00:00.000Z' }, { installation: 'inst-2' }]) {
      expect(anchorSignatureValid({ ...anchor, ...change }), JSON.stringify(change)).toBe(false);
    }
    // Someone with another key signs a forged head and puts their own public key in it: the signature is valid,
    // which is why auditors pin the key (checkAuditAnchor's keyPinned, below).
    const forged = signAnchor({ ...fields, hash: 'c'.repeat(64) }, newKey().key);
    expect(anchorSignatureValid(forged)).toBe(true);
    expect(forged.publicKey).not.toBe(anchor.publicKey);
  });

  it('reading an anchor names every bad field', () => {
    expect(() => parseAnchor('{', 'a.json')).toThrow(/a.json: not JSON/);
    const e = (() => {
      try {
        parseAnchor(JSON.stringify({ format: ANCHOR_FORMAT, installation: 'i', seq: 0, hash: 'ABC', headAt: 'yesterday', createdAt: '2021-03-02T00:00:00Z', publicKey: 'x', signature: '!' }));
      } catch (err) {
        return err as KaifangError;
      }
    })();
    expect(e).toMatchObject({ code: 'anchor_invalid', path: 'seq' });
    expect(e!.messageEn).toMatch(/seq must be a positive integer; hash must be 64 lowercase hex digits; headAt must be an ISO 8601 UTC time; signature must be base64/);
  });

  it('refuses a key that is not Ed25519, and a missing key file', () => {
    const p256 = path.join(dir, 'p256.pem');
    writeFileSync(p256, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadAnchorKey(p256)).toThrow(/not Ed25519/);
    expect(() => loadAnchorKey(path.join(dir, 'missing.pem'))).toThrow(/cannot read the anchor key \(ENOENT\)/);
    expect(() => loadPublicKey(p256)).toThrow(/not a public key|not Ed25519/);
  });

  it('settings: a folder needs a key; the interval is a positive number of hours', () => {
    expect(anchorSettings({})).toEqual({ keyFile: undefined, dir: undefined, intervalHours: 24 });
    expect(anchorSettings({ KAIFANG_ANCHOR_KEY: '/k', KAIFANG_ANCHOR_DIR: '/d', KAIFANG_ANCHOR_HOURS: '6' })).toEqual({ keyFile: '/k', dir: '/d', intervalHours: 6 });
    expect(() => anchorSettings({ KAIFANG_ANCHOR_DIR: '/d' })).toThrow(/KAIFANG_ANCHOR_KEY is not/);
    expect(() => anchorSettings({ KAIFANG_ANCHOR_HOURS: '0' })).toThrow(/positive number/);
  });
});

describeDatabases('audit anchors', (t) => {
  const { key, pub } = newKey();

  it('refuses to anchor an empty log', async () => {
    expect(await refusal(createAuditAnchor(t.db, key, cliActor))).toMatchObject({ code: 'invalid_state' });
  });

  it('anchors the sealed head, keeps the anchor, records who made it, and the anchor checks out against the database', async () => {
    await write(t.db, 4);
    const anchor = await createAuditAnchor(t.db, key, cliActor, () => new Date('2021-03-02T00:00:00.000Z'));
    expect(anchor).toMatchObject({ seq: 4, createdAt: '2021-03-02T00:00:00.000Z', publicKey: loadPublicKey(pub) });
    const head = await t.db.selectFrom('audit_log').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
    expect(anchor.hash).toBe(head.hash);
    expect(anchor.headAt).toBe(head.at.toISOString());
    const made = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.anchor').executeTakeFirstOrThrow();
    expect(made).toMatchObject({ actor: 'cli', details: { seq: 4, hash: anchor.hash } });

    await write(t.db, 3);
    const report = await sealAuditChain(t.db).then(() => verifyAuditChain(t.db));
    expect(report).toMatchObject({ ok: true, records: 8, lastAnchor: { seq: 4, createdAt: new Date('2021-03-02T00:00:00.000Z') } });
    const check = await checkAuditAnchor(t.db, anchor, { publicKey: loadPublicKey(pub) });
    expect(check).toMatchObject({ ok: true, signatureValid: true, keyPinned: true, installationMatches: true, record: 'matches' });
    expect(check.lines.join('\n')).toContain('records #1–#4 are as they were then');
  });

  it('an anchor signed by another key than the pinned one, or of another installation, proves nothing', async () => {
    const other = newKey();
    const anchor = await createAuditAnchor(t.db, other.key, cliActor);
    expect(await checkAuditAnchor(t.db, anchor)).toMatchObject({ ok: true, keyPinned: null });
    const pinned = await checkAuditAnchor(t.db, anchor, { publicKey: loadPublicKey(pub) });
    expect(pinned).toMatchObject({ ok: false, keyPinned: false, record: 'matches' });
    expect(pinned.lines[0]).toContain('NOT the pinned public key');
    const { signAnchor } = await import('./anchor.ts');
    const elsewhere = signAnchor({ ...anchor, installation: 'another-installation' }, key);
    expect(await checkAuditAnchor(t.db, elsewhere)).toMatchObject({ ok: false, installationMatches: false, record: 'matches' });
    const tampered: AuditAnchor = { ...anchor, seq: anchor.seq - 1 };
    expect(await checkAuditAnchor(t.db, tampered)).toMatchObject({ ok: false, signatureValid: false });
  });

  it('the server anchors into its folder when the newest anchor is older than the interval, and not again before', async () => {
    const folder = path.join(dir, `anchors-${t.kind}`);
    const anchorer = startAuditAnchorer(t.db, { key, dir: folder, intervalHours: 24, checkEveryMs: 3_600_000 });
    try {
      // The anchors made by the tests above are minutes old, not a day: nothing is due.
      expect(await anchorer.anchorIfDue()).toBeNull();
      const hourly = startAuditAnchorer(t.db, { key, dir: folder, intervalHours: 1 / 3600_000, checkEveryMs: 3_600_000 });
      await hourly.stop();
      await new Promise((r) => setTimeout(r, 5));
      const file = await hourly.anchorIfDue();
      expect(file).not.toBeNull();
      const anchor = parseAnchor(readFileSync(file!, 'utf8'));
      expect(anchorSignatureValid(anchor)).toBe(true);
      expect(await checkAuditAnchor(t.db, anchor, { publicKey: loadPublicKey(pub) })).toMatchObject({ ok: true });
      expect(statSync(file!).mode & 0o222, 'written read-only').toBe(0);
      expect(readdirSync(folder).every((f) => /^kaifang-audit-anchor-\d{8}T\d{9}Z-\d+\.json$/.test(f))).toBe(true);
    } finally {
      await anchorer.stop();
    }
  });
});

describeDatabases("the review's attack: a superuser re-chains an edited history", (t) => {
  const { key, pub } = newKey();
  let anchor: AuditAnchor;

  it('with the anchor in the database: the sealer refuses, and verification reports the cleared seals', async () => {
    await write(t.db, 6);
    anchor = await createAuditAnchor(t.db, key, cliActor); // anchors #6; its audit.anchor record is #7
    await write(t.db, 2);
    await sealAuditChain(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, records: 9 });

    await rewriteFrom(t.db, 3);
    const waiting = await t.db.selectFrom('audit_log').select('id').where('hash', 'is', null).execute();
    expect(waiting).toHaveLength(7);

    const refused = await refusal(sealAuditChain(t.db));
    expect(refused).toMatchObject({ code: 'audit_chain_tampered', details: { headSeq: 2, anchoredSeq: 6 } });
    expect(refused.messageZh).toContain('审计链被篡改');
    expect(await t.db.selectFrom('audit_log').select('id').where('hash', 'is', null).execute(), 'nothing was sealed').toHaveLength(7);

    const report = await verifyAuditChain(t.db);
    expect(report).toMatchObject({ ok: false, problem: 'anchor', brokenSeq: 3, records: 2 });
    expect(!report.ok && report.message).toContain('anchored up to #6');
    expect(!report.ok && report.message).toContain('7 records have no seal');

    expect(await checkAuditAnchor(t.db, anchor, { publicKey: loadPublicKey(pub) })).toMatchObject({ ok: false, record: 'missing' });
  });

  it("with the database's anchors deleted too: the anchor file still shows it, and stops the sealer", async () => {
    await asSuperuser(t.db, (trx) => sql`delete from audit_anchors`.execute(trx));
    // Given the anchor's seq (as `kaifang audit verify --anchor FILE` does), the sealer still refuses.
    expect(await refusal(sealAuditChain(t.db, { anchoredSeq: anchor.seq }))).toMatchObject({ code: 'audit_chain_tampered' });

    // Without any anchor it seals the forged history, and the chain alone verifies: the limitation anchors exist for.
    expect(await sealAuditChain(t.db)).toBe(7);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, records: 9, lastAnchor: null });

    const check = await checkAuditAnchor(t.db, anchor, { publicKey: loadPublicKey(pub) });
    expect(check).toMatchObject({ ok: false, signatureValid: true, keyPinned: true, record: 'differs' });
    expect(check.lines.join('\n')).toContain('a record at or before #6 was rewritten');

    // And no new anchor vouches for it without the check against the old one: a new anchor is of the forged chain,
    // which is why auditors compare each new anchor's history with the ones they hold (verify --anchor OLD).
    const forged = await createAuditAnchor(t.db, key, cliActor);
    expect(await checkAuditAnchor(t.db, forged)).toMatchObject({ ok: true });
    expect(await checkAuditAnchor(t.db, anchor)).toMatchObject({ ok: false, record: 'differs' });
  });
});

describeDatabases('cutting the tail after an anchor', (t) => {
  const { key } = newKey();

  it('is seen only against an anchor newer than the cut', async () => {
    await write(t.db, 3);
    const older = await createAuditAnchor(t.db, key, cliActor); // #3; its record #4
    await write(t.db, 3);
    const newer = await createAuditAnchor(t.db, key, cliActor); // #7; its record #8
    await sealAuditChain(t.db);

    // A superuser removes everything after #4, and the database's record of the newer anchor.
    await asSuperuser(t.db, async (trx) => {
      await trx.deleteFrom('audit_log').where('seq', '>', 4).execute();
      await sql`delete from audit_anchors where seq > 4`.execute(trx);
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, records: 4 });
    expect(await checkAuditAnchor(t.db, older)).toMatchObject({ ok: true });
    const against = await checkAuditAnchor(t.db, newer);
    expect(against).toMatchObject({ ok: false, record: 'missing' });
    expect(against.lines.join('\n')).toContain('record #7');

    // With the newer anchor's row still in the database, the database alone shows the cut.
    await t.db.transaction().execute(async (trx) => {
      await sql`insert into audit_anchors (seq, hash, head_at, created_at, public_key, signature)
                values (${newer.seq}, ${newer.hash}, ${newer.headAt}, ${newer.createdAt}, ${newer.publicKey}, ${newer.signature})`.execute(trx);
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, problem: 'anchor', brokenSeq: 5 });
  });
});
