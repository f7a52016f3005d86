/**
 * Reading a YAML data file so that a mistake in it can be reported with the file, the line and the field:
 * the people who maintain the calendar and the limits are not expected to read a stack trace.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { KaifangError } from '../errors.ts';

export interface YamlFile {
  file: string;
  data: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: ReadonlyArray<PropertyKey>): number | undefined;
}

export interface FileProblem {
  path: ReadonlyArray<PropertyKey>;
  zh: string;
  en: string;
}

export function readYamlFile(file: string, code: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KaifangError({
      code,
      zh: `无法读取文件 ${file}：${(err as Error).message}`,
      en: `cannot read ${file}: ${(err as Error).message}`,
      details: { file },
    });
  }
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: 2020-01-01 stays a string, never becomes a JavaScript Date in the machine's zone.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => {
      const line = e.linePos?.[0]?.line;
      return { line, zh: `YAML 语法错误：${e.message}`, en: `YAML syntax error: ${e.message}` };
    });
    throw fileError(code, file, problems.map((p) => ({ path: '', line: p.line, zh: p.zh, en: p.en })));
  }
  const data = doc.toJS();
  return {
    file,
    data,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** 'years[2].holidays[0].from' */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

export function fileError(
  code: string,
  file: string,
  problems: Array<{ path: string; line?: number; zh: string; en: string }>,
): KaifangError {
  const shown = path.relative(process.cwd(), file) || file;
  const where = (p: { path: string; line?: number }) => `${shown}${p.line ? `:${p.line}` : ''}${p.path ? ` ${p.path}` : ''}`;
  return new KaifangError({
    code,
    zh: `${shown} 有 ${problems.length} 处错误：\n` + problems.map((p) => `  ${where(p)}：${p.zh}`).join('\n'),
    en: `${shown} has ${problems.length} error(s):\n` + problems.map((p) => `  ${where(p)}: ${p.en}`).join('\n'),
    details: { file, problems },
  });
}

/** Validate `data` against a zod schema, then run semantic checks; all problems are reported at once. */
export function validateYaml<T>(
  yaml: YamlFile,
  schema: z.ZodType<T>,
  code: string,
  semanticChecks: (value: T) => FileProblem[],
): T {
  const parsed = schema.safeParse(yaml.data);
  const located = (p: FileProblem) => ({ path: formatPath(p.path), line: yaml.lineOf(p.path), zh: p.zh, en: p.en });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      located({ path: i.path, zh: `不符合格式要求（${i.message}）`, en: i.message }),
    );
    throw fileError(code, yaml.file, problems);
  }
  const problems = semanticChecks(parsed.data);
  if (problems.length) throw fileError(code, yaml.file, problems.map(located));
  return parsed.data;
}
