/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters.
 *
 *   1      登记管理部门代码 registration authority (9 = market regulation, 5 = civil affairs, 1 = 机构编制 …)
 *   2      机构类别代码 organisation type
 *   3–8    登记管理机关行政区划码 administrative division of the registering office (6 digits)
 *   9–17   主体标识码 the organisation code (GB 11714, itself ending in its own check character)
 *   18     校验码 check character over characters 1–17
 *
 * The alphabet is the 10 digits and 21 capital letters, without I, O, Z, S, V (too easily misread as
 * 1, 0, 2, 5, U). Each character has a value 0–30 (its index in the alphabet); the check character is the
 * one whose value is 31 − (Σ value·weight mod 31), with 31 meaning 0.
 *
 * Positions 1–2 are not checked against the list of authority/type codes: the national list has grown
 * since 2015 and rejecting a real, correctly checked code would be worse than accepting an unusual one.
 */
import { KaifangError } from '../errors.ts';

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const EXCLUDED = 'IOZSV';

/** The check character (position 18) for the first 17 characters, which must be from the alphabet. */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError('usccCheckCharacter needs exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]);
    if (value < 0) throw new RangeError(`"${first17[i]}" is not a USCC character`);
    sum += value * WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * Returns the code normalised (trimmed, upper case) when it is valid; otherwise throws a KaifangError
 * (code `invalid_uscc`) that says which character is wrong — and, for a check-character mismatch, what the
 * check character would be for the 17 characters given.
 */
export function parseUscc(input: unknown, path = 'uscc'): string {
  const fail = (zh: string, en: string, details?: unknown): never => {
    throw new KaifangError({ code: 'invalid_uscc', zh: `统一社会信用代码${zh}`, en: `unified social credit code ${en}`, path, details });
  };
  if (typeof input !== 'string') return fail('必须是文本', 'must be a string');
  const code = input.trim().toUpperCase();
  if (code.length !== 18) {
    return fail(`应为18位，实际为${code.length}位`, `must have 18 characters, has ${code.length}`);
  }
  for (let i = 0; i < 18; i++) {
    const c = code[i];
    const position = i + 1;
    if (position >= 3 && position <= 8) {
      if (c < '0' || c > '9') {
        return fail(
          `第${position}位“${c}”无效：第3至8位是行政区划码，只能是数字`,
          `character ${position} "${c}" is invalid: characters 3–8 are the administrative division code and must be digits`,
          { position, character: c },
        );
      }
    } else if (!USCC_ALPHABET.includes(c)) {
      const why = EXCLUDED.includes(c)
        ? { zh: '代码不使用字母 I、O、Z、S、V', en: 'the code never uses the letters I, O, Z, S, V' }
        : { zh: '只能是数字或大写字母（不含 I、O、Z、S、V）', en: 'only digits and capital letters other than I, O, Z, S, V are allowed' };
      return fail(`第${position}位“${c}”无效：${why.zh}`, `character ${position} "${c}" is invalid: ${why.en}`, { position, character: c });
    }
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return fail(
      `第18位校验码“${code[17]}”不正确：按前17位计算应为“${expected}”；若前17位有录入错误，请先核对`,
      `check character (position 18) "${code[17]}" is wrong: for the first 17 characters it should be "${expected}"; if one of those was mistyped, correct that instead`,
      { position: 18, character: code[17], expected },
    );
  }
  return code;
}

export function isValidUscc(input: unknown): boolean {
  try {
    parseUscc(input);
    return true;
  } catch {
    return false;
  }
}

// ── Generating valid codes (demo data, tests) ───────────────────────────────────────────────────────

/** GB 11714 organisation code check character over 8 digits/letters (value of A is 10 … Z is 35). */
function organisationCodeCheck(body8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i], 36) * weights[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** A small deterministic PRNG (mulberry32), so a seed gives the same demo codes on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenerateUsccOptions {
  /** Characters 1–2: registration authority and type; '91' is an enterprise registered with market regulation. */
  prefix?: string;
  /** Characters 3–8: the registering office's division code; 320509 is 吴江区. */
  division?: string;
  /** Source of randomness in [0, 1); pass `seededRandom(n)` for reproducible codes. */
  random?: () => number;
}

/**
 * A syntactically valid code with a correct organisation-code check (character 17) and USCC check
 * (character 18). It is made up: it identifies no real organisation.
 */
export function generateUscc(options: GenerateUsccOptions = {}): string {
  const { prefix = '91', division = '320509', random = Math.random } = options;
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}$/.test(prefix)) throw new RangeError('prefix must be 2 USCC characters');
  if (!/^[0-9]{6}$/.test(division)) throw new RangeError('division must be 6 digits');
  let body = '';
  for (let i = 0; i < 8; i++) body += Math.floor(random() * 10);
  const first17 = prefix + division + body + organisationCodeCheck(body);
  return first17 + usccCheckCharacter(first17);
}
