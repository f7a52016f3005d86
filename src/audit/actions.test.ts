// Every action string the platform writes into the audit log has a label in the catalogue (actions.ts): the
// source is scanned, so a new appendAudit/auditRow action without a Chinese and English label fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_DOMAINS, auditActionInfo } from './actions.ts';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('test-support.ts') && !p.endsWith('fixture.ts') ? [p] : [];
  });
}

/** The expression after `action:` up to the comma or brace that ends it (brackets and strings balanced). */
function expressionAt(text: string, start: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) return text.slice(start, i);
      depth--;
    } else if ((ch === ',' || ch === ';' || ch === '\n') && depth === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

interface Written {
  file: string;
  line: number;
  /** a literal action, or a template turned into a pattern */
  action: string;
  pattern?: RegExp;
}

/**
 * Audit actions as written: `action: <expr>` in a file that writes audit records (appendAudit, auditRow, or a
 * helper whose parameter is an audit event), each string or template literal in the expression that looks like
 * `entity.verb`. Permission names passed in an error's details (`details: { action: 'claim.read' … }`) are not audit
 * actions and are skipped.
 */
function writtenActions(): Written[] {
  const found: Written[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    if (!/appendAudit\(|auditRow\(|audit: \{ action: string/.test(text)) continue;
    for (const m of text.matchAll(/\baction:\s*/g)) {
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      if (/details: \{\s*$/.test(before)) continue;
      const expr = expressionAt(text, m.index + m[0].length);
      // a permission named in an error's details ({ action: 'payment.read', role: user.role })
      if (/^\s*,\s*role\b/.test(text.slice(m.index + m[0].length + expr.length, m.index + m[0].length + expr.length + 12))) continue;
      // a parameter's type ('user.read' | 'user.manage'), not a value written
      if (/^(['"][^'"]*['"]\s*\|\s*)+['"][^'"]*['"]\s*\)?\s*$/.test(expr.trim())) continue;
      const line = text.slice(0, m.index).split('\n').length;
      for (const lit of expr.matchAll(/'([^'\\]*)'|"([^"\\]*)"|`([^`\\]*)`/g)) {
        const value = lit[1] ?? lit[2] ?? lit[3];
        if (!/^[a-z][A-Za-z]*(\.([A-Za-z]+|\$\{[^}]+\}))+$/.test(value)) continue;
        if (lit[3] !== undefined && value.includes('${')) {
          const pattern = new RegExp('^' + value.split(/\$\{[^}]+\}/).map((s) => s.replace(/\./g, '\\.')).join('[A-Za-z]+') + '$');
          found.push({ file: path.relative(SRC, file), line, action: value, pattern });
        } else found.push({ file: path.relative(SRC, file), line, action: value });
      }
    }
  }
  return found;
}

describe('audit action catalogue', () => {
  const written = writtenActions();

  it('finds the actions the platform writes (the scan itself works)', () => {
    const literal = new Set(written.filter((w) => !w.pattern).map((w) => w.action));
    for (const a of ['claim.submit', 'claim.firstReview.pass', 'claim.pay', 'auth.loginFailed', 'user.disable', 'serviceCase.event', 'publicity.publish']) expect(literal).toContain(a);
    // the review stages and the decision are templates
    expect(written.filter((w) => w.pattern).map((w) => w.action)).toEqual(expect.arrayContaining(['claim.${stage}.return', 'claim.${stage}.reject']));
    // a permission named in an error's details is not an audit action
    expect(written.some((w) => w.action === 'budget.read' || w.action === 'ledger.read')).toBe(false);
  });

  it('every action written in src/ has a Chinese and an English label', () => {
    const known = new Set(AUDIT_ACTIONS.map((a) => a.action));
    const missing = written.filter((w) => (w.pattern ? !AUDIT_ACTIONS.some((a) => w.pattern!.test(a.action)) : !known.has(w.action)));
    expect(missing.map((w) => `${w.file}:${w.line} ${w.action} — add it to src/audit/actions.ts`)).toEqual([]);
  });

  it('every template expands only to catalogued actions, and the review stages are all there', () => {
    for (const stage of ['firstReview', 'departmentReview', 'jointReview']) {
      for (const verb of ['return', 'reject']) expect(auditActionInfo(`claim.${stage}.${verb}`).zh).not.toBe(`claim.${stage}.${verb}`);
    }
    expect(auditActionInfo('claim.departmentReview.decide').zh).toBe('部门审核通过并核定');
    expect(auditActionInfo('claim.jointReview.decide').zh).toBe('联审核定');
  });

  it('the catalogue holds no action nobody writes (except those kept for records of earlier versions)', () => {
    const literal = new Set(written.filter((w) => !w.pattern).map((w) => w.action));
    const patterns = written.filter((w) => w.pattern).map((w) => w.pattern!);
    const stale = AUDIT_ACTIONS.filter((a) => !a.legacy && !literal.has(a.action) && !patterns.some((p) => p.test(a.action))).map((a) => a.action);
    expect(stale).toEqual([]);
  });

  it('each entry is complete: unique, a known domain, both languages, a target where the sentence needs one', () => {
    const seen = new Set<string>();
    for (const a of AUDIT_ACTIONS) {
      expect(seen.has(a.action), a.action).toBe(false);
      seen.add(a.action);
      expect(Object.keys(AUDIT_DOMAINS)).toContain(a.domain);
      for (const s of [a.zh, a.en, a.sentenceZh, a.sentenceEn]) expect(s.trim().length, a.action).toBeGreaterThan(0);
      expect(a.zh, a.action).toMatch(/[\u4e00-\u9fff]/);
      expect(a.sentenceZh.includes('{target}'), a.action).toBe(a.sentenceEn.includes('{target}'));
    }
  });

  it('an action of a newer version reads as itself rather than failing', () => {
    expect(auditActionInfo('payment.batch.create')).toMatchObject({ zh: 'payment.batch.create', en: 'payment.batch.create' });
  });
});
