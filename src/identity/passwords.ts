/**
 * Password hashing with scrypt (node:crypto): a random 16-byte salt per password, parameters stored in the
 * hash so they can be raised later without invalidating existing passwords, comparison in constant time.
 *
 * Stored form: scrypt$<N>$<r>$<p>$<salt base64>$<key base64>
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { KaifangError } from '../errors.ts';
import type { ScryptParams, SecurityConfig } from './security-config.ts';

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

// node's default maxmem (32 MiB) is exactly the memory of N = 2^15, r = 8; leave room above it.
const maxmem = (params: { N: number; r: number }) => 256 * params.N * params.r;

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined;
  return { N, r, p, salt: Buffer.from(parts[4], 'base64'), key: Buffer.from(parts[5], 'base64') };
}

/** True when `password` matches `stored`. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.key.length === 0) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: maxmem(parsed) });
  return timingSafeEqual(key, parsed.key);
}

/** True when the hash was made with other parameters than the configured ones (re-hash it at the next login). */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p || parsed.key.length !== params.keyLength;
}

/** Throws KaifangError `weak_password` (path 'password') when the password is too easy. */
export function checkPasswordStrength(password: unknown, config: SecurityConfig, username?: string): void {
  const fail = (zh: string, en: string): never => {
    throw new KaifangError({ code: 'weak_password', zh, en, path: 'password' });
  };
  if (typeof password !== 'string') fail('密码必须是文本', 'password must be a string');
  const pw = password as string;
  if ([...pw].length < config.minPasswordLength) {
    fail(`密码至少需要${config.minPasswordLength}个字符`, `password must have at least ${config.minPasswordLength} characters`);
  }
  if (new Set(pw).size < 4) fail('密码过于简单：至少使用4个不同字符', 'password is too simple: use at least 4 different characters');
  if (username && pw.toLowerCase().includes(username.toLowerCase())) {
    fail('密码不能包含用户名', 'password must not contain the username');
  }
}
