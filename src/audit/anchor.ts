/**
 * Anchors of the audit chain: the chain's head — its seq and hash — signed with an Ed25519 key kept outside the
 * database, and kept where the database's owner cannot rewrite it (files auditors hold; a write-once folder).
 *
 * Why: the chain (audit-log.ts) shows an edit only to someone who cannot seal again. A database superuser can
 * switch the trigger off, edit record M, clear the seals of M and of every record after it, and let the sealer
 * chain the edited history again; the chain then verifies. Against a signed anchor of seq A ≥ M it does not: the
 * record at A no longer has the anchored hash (the hash of A covers every record before it). And an anchor of a
 * later head shows a tail that was cut off.
 *
 *   anchor = { format, installation, seq, hash, headAt, createdAt, publicKey, signature }
 *   signature = Ed25519(private key, canonical JSON of every other field)
 *
 * The database also keeps every anchor (table audit_anchors, migration 0008), and the sealer never seals at or
 * below the newest one's seq: a chain that ends before an anchored seq had its seals cleared, and sealing it again
 * would write a second history over a published one. Someone who can rewrite the log can rewrite that table too;
 * the anchors outside are what such a person cannot reach.
 *
 * What is not detected: a tail after the newest anchor an auditor holds, forged by someone who has both the
 * database and the key file, and records cut off after it until a newer anchor is compared.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import { appendAudit, canonicalJson, sealAuditChain, verifyAuditChain, type AuditActor } from './audit-log.ts';

export const ANCHOR_FORMAT = 'kaifang-audit-anchor/1';

/** An anchor as published: JSON, every field a string or a number. */
export interface AuditAnchor {
  format: typeof ANCHOR_FORMAT;
  /** platform_installation.id: which installation's log this is the head of */
  installation: string;
  /** the head's place in the chain */
  seq: number;
  /** the head's hash, which covers every record up to it */
  hash: string;
  /** when the head record happened (ISO 8601) */
  headAt: string;
  /** when the anchor was signed (ISO 8601): the head was sealed by then */
  createdAt: string;
  /** the signer's Ed25519 public key, base64 of its SPKI DER form */
  publicKey: string;
  /** Ed25519 signature, base64, over the canonical JSON of every field above */
  signature: string;
}

/** The signing key, loaded from its file (never from the database). */
export interface AnchorKey {
  privateKey: KeyObject;
  /** base64 SPKI DER, as it appears in an anchor */
  publicKey: string;
}

// ── Keys ────────────────────────────────────────────────────────────────────────────────────────────

const spkiBase64 = (key: KeyObject) => (key.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');

/** A short name for a public key, to compare by eye: the first 16 hex digits of SHA-256 of its DER form. */
export function keyFingerprint(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16);
}

/**
 * Writes a new key pair: the private key to `file` (PKCS#8 PEM, readable by its owner only) and the public key
 * to `file.pub` (SPKI PEM, for auditors to pin). Never overwrites: a replaced key would orphan every anchor.
 */
export function writeAnchorKeyFiles(file: string): { privateFile: string; publicFile: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicFile = `${file}.pub`;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privateFile: file, publicFile, publicKey: spkiBase64(publicKey) };
}

function badKey(file: string, en: string, zh: string): KaifangError {
  return new KaifangError({ code: 'anchor_key_invalid', zh: `${file}：${zh}`, en: `${file}: ${en}` });
}

/** The private key of `file` (what `kaifang audit keygen` wrote), checked to be Ed25519. */
export function loadAnchorKey(file: string): AnchorKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw badKey(file, `cannot read the anchor key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, '无法读取锚点签名密钥');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw badKey(file, 'not a private key in PEM form', '不是 PEM 格式的私钥');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw badKey(file, `an ${privateKey.asymmetricKeyType} key, not Ed25519`, '不是 Ed25519 密钥');
  return { privateKey, publicKey: spkiBase64(createPublicKey(privateKey)) };
}

/** A public key to pin: a PEM file (`keygen`'s .pub), or a file holding the base64 form an anchor carries. */
export function loadPublicKey(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw badKey(file, `cannot read the public key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, '无法读取公钥');
  }
  let key: KeyObject;
  try {
    key = text.startsWith('-----') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw badKey(file, 'not a public key (PEM, or base64 SPKI)', '不是公钥（PEM 或 base64 SPKI）');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw badKey(file, `an ${key.asymmetricKeyType} key, not Ed25519`, '不是 Ed25519 公钥');
  return spkiBase64(key);
}

// ── Anchors: signing and reading ────────────────────────────────────────────────────────────────────

type UnsignedAnchor = Omit<AuditAnchor, 'signature'>;

const signedText = (a: UnsignedAnchor) =>
  Buffer.from(
    canonicalJson({ format: a.format, installation: a.installation, seq: a.seq, hash: a.hash, headAt: a.headAt, createdAt: a.createdAt, publicKey: a.publicKey }),
    'utf8',
  );

export function signAnchor(fields: Omit<UnsignedAnchor, 'format' | 'publicKey'>, key: AnchorKey): AuditAnchor {
  const unsigned: UnsignedAnchor = { format: ANCHOR_FORMAT, ...fields, publicKey: key.publicKey };
  return { ...unsigned, signature: sign(null, signedText(unsigned), key.privateKey).toString('base64') };
}

/** Whether the anchor's signature was made by the private key of the public key it carries. */
export function anchorSignatureValid(anchor: AuditAnchor): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(anchor.publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' && verify(null, signedText(anchor), key, Buffer.from(anchor.signature, 'base64'));
  } catch {
    return false;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const isIsoTime = (v: unknown) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));

/** Reads an anchor file's text; every field is checked, each error naming its field. */
export function parseAnchor(text: string, source = 'anchor'): AuditAnchor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KaifangError({ code: 'anchor_invalid', zh: `${source}：不是 JSON`, en: `${source}: not JSON` });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KaifangError({ code: 'anchor_invalid', zh: `${source}：不是锚点对象`, en: `${source}: not an anchor object` });
  }
  const v = value as Record<string, unknown>;
  const checks: Array<[keyof AuditAnchor, boolean, string]> = [
    ['format', v.format === ANCHOR_FORMAT, `must be "${ANCHOR_FORMAT}"`],
    ['installation', typeof v.installation === 'string' && v.installation.length > 0 && v.installation.length <= 100, 'must be the installation id'],
    ['seq', Number.isSafeInteger(v.seq) && (v.seq as number) > 0, 'must be a positive integer'],
    ['hash', typeof v.hash === 'string' && HEX64.test(v.hash), 'must be 64 lowercase hex digits'],
    ['headAt', isIsoTime(v.headAt), 'must be an ISO 8601 UTC time'],
    ['createdAt', isIsoTime(v.createdAt), 'must be an ISO 8601 UTC time'],
    ['publicKey', typeof v.publicKey === 'string' && BASE64.test(v.publicKey), 'must be base64'],
    ['signature', typeof v.signature === 'string' && BASE64.test(v.signature), 'must be base64'],
  ];
  const bad = checks.filter(([, ok]) => !ok);
  if (bad.length) {
    throw new KaifangError({
      code: 'anchor_invalid',
      zh: `${source}：字段不合格：${bad.map(([f]) => f).join('、')}`,
      en: `${source}: ${bad.map(([f, , why]) => `${f} ${why}`).join('; ')}`,
      path: bad[0][0],
    });
  }
  const a = v as unknown as AuditAnchor;
  return { format: a.format, installation: a.installation, seq: a.seq, hash: a.hash, headAt: a.headAt, createdAt: a.createdAt, publicKey: a.publicKey, signature: a.signature };
}

export async function installationId(db: Db): Promise<string> {
  const { rows } = await sql<{ id: string }>`select id from platform_installation`.execute(db);
  if (!rows[0]) throw new KaifangError({ code: 'invalid_state', zh: '数据库缺少安装标识', en: 'the database has no installation id (migration 0008)' });
  return rows[0].id;
}

// ── Making an anchor ────────────────────────────────────────────────────────────────────────────────

/**
 * Seals what waits, verifies the whole chain (an anchor must never vouch for a broken one), signs its head,
 * records the anchor in the database and writes an `audit.anchor` record of who made it. Refuses an empty log.
 */
export async function createAuditAnchor(db: Db, key: AnchorKey, actor: AuditActor, now: () => Date = () => new Date()): Promise<AuditAnchor> {
  await sealAuditChain(db);
  const report = await verifyAuditChain(db);
  if (!report.ok) {
    throw new KaifangError({
      code: 'audit_chain_tampered',
      zh: `审计链在第 ${report.brokenSeq} 条处断裂，拒绝为其签发锚点：${report.message}`,
      en: `the audit chain is broken at #${report.brokenSeq}; no anchor is signed for it: ${report.message}`,
      details: { brokenSeq: report.brokenSeq, problem: report.problem },
    });
  }
  if (report.headSeq === null) throw new KaifangError({ code: 'invalid_state', zh: '审计日志为空，无可锚定', en: 'the audit log is empty: nothing to anchor' });
  const head = await db.selectFrom('audit_log').select(['at', 'hash']).where('seq', '=', report.headSeq).executeTakeFirstOrThrow();
  const anchor = signAnchor(
    { installation: await installationId(db), seq: report.headSeq, hash: head.hash!, headAt: head.at.toISOString(), createdAt: now().toISOString() },
    key,
  );
  await db.transaction().execute(async (trx) => {
    const inserted = await sql<{ id: number }>`
      insert into audit_anchors (seq, hash, head_at, created_at, public_key, signature)
      values (${anchor.seq}, ${anchor.hash}, ${anchor.headAt}, ${anchor.createdAt}, ${anchor.publicKey}, ${anchor.signature})
      returning id`.execute(trx);
    await appendAudit(trx, actor, { action: 'audit.anchor', entity: 'audit_anchor', entityId: inserted.rows[0].id, details: { seq: anchor.seq, hash: anchor.hash } });
  });
  return anchor;
}

/** The file an anchor is kept in: sortable by time, never overwritten, read-only. Returns its path. */
export function writeAnchorFile(dir: string, anchor: AuditAnchor): string {
  mkdirSync(dir, { recursive: true });
  const stamp = anchor.createdAt.replace(/[-:.]/g, '');
  const file = path.join(dir, `kaifang-audit-anchor-${stamp}-${anchor.seq}.json`);
  writeFileSync(file, JSON.stringify(anchor, null, 2) + '\n', { mode: 0o444, flag: 'wx' });
  return file;
}

// ── Checking the database against an anchor ─────────────────────────────────────────────────────────

export interface AnchorCheck {
  ok: boolean;
  anchor: AuditAnchor;
  signatureValid: boolean;
  /** true: the key matches the pinned one; false: it does not; null: nothing pinned */
  keyPinned: boolean | null;
  installationMatches: boolean;
  /** what the database holds at the anchored seq */
  record: 'matches' | 'differs' | 'missing';
  foundHash: string | null;
  /** one line per finding, Chinese / English */
  lines: string[];
}

/**
 * Holds the database to one anchor: its signature (and key, when one is pinned), its installation, and the hash
 * of the record at its seq. With the chain intact from #1 (verifyAuditChain), a matching hash at seq A means
 * records #1–#A are exactly those anchored.
 */
export async function checkAuditAnchor(db: Db, anchor: AuditAnchor, options: { publicKey?: string } = {}): Promise<AnchorCheck> {
  const lines: string[] = [];
  const signatureValid = anchorSignatureValid(anchor);
  const keyPinned = options.publicKey === undefined ? null : options.publicKey === anchor.publicKey;
  const fingerprint = keyFingerprint(anchor.publicKey);
  if (!signatureValid) lines.push('签名无效 / signature INVALID: the anchor was altered or not signed by the key it names — it proves nothing');
  else if (keyPinned === false) lines.push(`签名密钥不是所指定的公钥 / signed by key ${fingerprint}, NOT the pinned public key — it proves nothing`);
  else if (keyPinned) lines.push(`签名有效，密钥与指定公钥一致 / signature valid, by the pinned key ${fingerprint}`);
  else lines.push(`签名有效 / signature valid, by key ${fingerprint} (not pinned: pass --public-key to know who signed it)`);

  const installation = await installationId(db);
  const installationMatches = installation === anchor.installation;
  if (!installationMatches) lines.push(`锚点属于另一安装 / the anchor is of installation ${anchor.installation}, this database is ${installation}`);

  const found = await db.selectFrom('audit_log').select('hash').where('seq', '=', anchor.seq).executeTakeFirst();
  const foundHash = found?.hash ?? null;
  const record = foundHash === null ? 'missing' : foundHash === anchor.hash ? 'matches' : 'differs';
  const when = `${anchor.createdAt}`;
  if (record === 'matches') lines.push(`第 ${anchor.seq} 条与锚点一致 / record #${anchor.seq} has the hash anchored at ${when}: records #1–#${anchor.seq} are as they were then`);
  else if (record === 'differs')
    lines.push(
      `第 ${anchor.seq} 条与锚点不符，历史被改写 / record #${anchor.seq} does NOT have the hash anchored at ${when} ` +
        `(anchored ${anchor.hash.slice(0, 16)}…, found ${foundHash!.slice(0, 16)}…): a record at or before #${anchor.seq} was rewritten and the chain sealed again`,
    );
  else
    lines.push(
      `第 ${anchor.seq} 条不存在或未封存 / record #${anchor.seq}, anchored at ${when}, is missing or unsealed: records were removed or their seals cleared`,
    );
  return { ok: signatureValid && keyPinned !== false && installationMatches && record === 'matches', anchor, signatureValid, keyPinned, installationMatches, record, foundHash, lines };
}

// ── Settings and the server's periodic anchor ─────────────────────────────────────────────────────────

export interface AnchorSettings {
  /** KAIFANG_ANCHOR_KEY: the private key's file */
  keyFile?: string;
  /** KAIFANG_ANCHOR_DIR: where the server writes an anchor file every interval */
  dir?: string;
  /** KAIFANG_ANCHOR_HOURS: how often (default 24) */
  intervalHours: number;
}

export function anchorSettings(env: Record<string, string | undefined> = process.env): AnchorSettings {
  const keyFile = env.KAIFANG_ANCHOR_KEY?.trim() || undefined;
  const dir = env.KAIFANG_ANCHOR_DIR?.trim() || undefined;
  const hours = env.KAIFANG_ANCHOR_HOURS?.trim();
  const intervalHours = hours ? Number(hours) : 24;
  if (!Number.isFinite(intervalHours) || intervalHours <= 0) throw new Error(`KAIFANG_ANCHOR_HOURS must be a positive number of hours, not "${hours}"`);
  if (dir && !keyFile) throw new Error('KAIFANG_ANCHOR_DIR is set but KAIFANG_ANCHOR_KEY is not: anchors are signed (create a key with `kaifang audit keygen`)');
  return { keyFile, dir, intervalHours };
}

export interface AuditAnchorer {
  /** Anchors now if the newest anchor in the database is older than the interval; the file written, if any. */
  anchorIfDue(): Promise<string | null>;
  /** Stops the timer, and waits for a round under way (so that the database is not closed under it). */
  stop(): Promise<void>;
}

/**
 * Every `checkEveryMs` (at most ten minutes) the server looks at when the database's newest anchor was made and,
 * when it is older than the interval, makes one and writes it into `dir`. Asking the database (not a timer of
 * its own) means a restart does not skip a day and several servers on one database do not each anchor daily.
 */
export function startAuditAnchorer(
  db: Db,
  options: { key: AnchorKey; dir: string; intervalHours: number; checkEveryMs?: number; onError?: (e: unknown) => void; onAnchor?: (file: string, anchor: AuditAnchor) => void },
): AuditAnchorer {
  const intervalMs = options.intervalHours * 3_600_000;
  let running: Promise<string | null> | undefined;
  const round = async (): Promise<string | null> => {
    const { rows } = await sql<{ last: Date | null }>`select max(created_at) as last from audit_anchors`.execute(db);
    const last = rows[0]?.last ?? null;
    if (last && Date.now() - new Date(last).getTime() < intervalMs) return null;
    const sealedOrWaiting = await db.selectFrom('audit_log').select('id').limit(1).executeTakeFirst();
    if (!sealedOrWaiting) return null; // an empty log: nothing to anchor yet
    const anchor = await createAuditAnchor(db, options.key, { userId: null, name: 'system' });
    const file = writeAnchorFile(options.dir, anchor);
    options.onAnchor?.(file, anchor);
    return file;
  };
  const anchorIfDue = () => (running ??= round().finally(() => (running = undefined)));
  const tick = () => {
    anchorIfDue().catch((e) => options.onError?.(e));
  };
  const timer = setInterval(tick, Math.max(1000, Math.min(options.checkEveryMs ?? 600_000, intervalMs)));
  timer.unref();
  tick();
  return {
    anchorIfDue,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => null);
    },
  };
}
