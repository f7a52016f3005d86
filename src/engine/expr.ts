/**
 * The arithmetic of formula bases, e.g. `rdExpense - rdExpensePriorYear` or
 * `min(newIndustrialFloorArea, floorArea - landArea * plotRatioThreshold)`: numbers, names of facts and params,
 * + - * /, parentheses, min() and max(). Small on purpose: the law's formulas are simple, and a reader of the YAML
 * must be able to check them. Parsed once at load, then evaluated (with every intermediate value, for the
 * explanation) or compiled to a JavaScript expression (for the fast path).
 */

export type Expr =
  | { t: 'num'; v: number }
  | { t: 'id'; name: string }
  | { t: 'neg'; e: Expr }
  | { t: 'bin'; op: '+' | '-' | '*' | '/'; l: Expr; r: Expr }
  | { t: 'call'; fn: 'min' | 'max'; args: Expr[] };

export function parseExpression(src: string): Expr {
  const tokens = src.match(/\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|[-+*/(),]|\S)/g)?.map((s) => s.trim()) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected "${t}" in "${src}"`);
  };
  const expr = (): Expr => {
    let l = term();
    while (peek() === '+' || peek() === '-') l = { t: 'bin', op: next() as '+' | '-', l, r: term() };
    return l;
  };
  const term = (): Expr => {
    let l = factor();
    while (peek() === '*' || peek() === '/') l = { t: 'bin', op: next() as '*' | '/', l, r: factor() };
    return l;
  };
  const factor = (): Expr => {
    const tok = next();
    if (tok === undefined) throw new Error(`unexpected end of "${src}"`);
    if (tok === '-') return { t: 'neg', e: factor() };
    if (tok === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    if (/^[0-9]/.test(tok)) return { t: 'num', v: Number(tok) };
    if (/^[A-Za-z_]/.test(tok)) {
      if (peek() === '(') {
        if (tok !== 'min' && tok !== 'max') throw new Error(`unknown function "${tok}" (only min and max)`);
        next();
        const args = [expr()];
        while (peek() === ',') {
          next();
          args.push(expr());
        }
        expect(')');
        return { t: 'call', fn: tok, args };
      }
      return { t: 'id', name: tok };
    }
    throw new Error(`unexpected "${tok}" in "${src}"`);
  };
  const e = expr();
  if (pos < tokens.length) throw new Error(`unexpected "${tokens[pos]}" in "${src}"`);
  return e;
}

/** The evaluated year (e.g. `year - municipalHighTechPoolYear < 3`): a name every expression may use, not a fact. */
export const YEAR = 'year';

/** The fact and param names an expression reads (not `year`). */
export function identifiersOf(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.t) {
    case 'id':
      if (e.name !== YEAR) out.add(e.name);
      break;
    case 'neg':
      identifiersOf(e.e, out);
      break;
    case 'bin':
      identifiersOf(e.l, out);
      identifiersOf(e.r, out);
      break;
    case 'call':
      e.args.forEach((a) => identifiersOf(a, out));
      break;
  }
  return out;
}

/** Evaluate with a lookup for names; undefined when a name has no value. */
export function evaluateExpression(e: Expr, lookup: (name: string) => number | undefined): number | undefined {
  switch (e.t) {
    case 'num':
      return e.v;
    case 'id':
      return lookup(e.name);
    case 'neg': {
      const v = evaluateExpression(e.e, lookup);
      return v === undefined ? undefined : -v;
    }
    case 'bin': {
      const l = evaluateExpression(e.l, lookup);
      const r = evaluateExpression(e.r, lookup);
      if (l === undefined || r === undefined) return undefined;
      return e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
    }
    case 'call': {
      const vs = e.args.map((a) => evaluateExpression(a, lookup));
      if (vs.some((v) => v === undefined)) return undefined;
      return e.fn === 'min' ? Math.min(...(vs as number[])) : Math.max(...(vs as number[]));
    }
  }
}

/** A JavaScript expression for the fast path; `ref(name)` says how to read a name. */
export function compileExpression(e: Expr, ref: (name: string) => string): string {
  switch (e.t) {
    case 'num':
      return String(e.v);
    case 'id':
      return ref(e.name);
    case 'neg':
      return `(-${compileExpression(e.e, ref)})`;
    case 'bin':
      return `(${compileExpression(e.l, ref)} ${e.op} ${compileExpression(e.r, ref)})`;
    case 'call':
      return `Math.${e.fn}(${e.args.map((a) => compileExpression(a, ref)).join(', ')})`;
  }
}

/** The expression as people write it, with names replaced by labels. */
export function renderExpression(e: Expr, label: (name: string) => string): string {
  switch (e.t) {
    case 'num':
      return String(e.v);
    case 'id':
      return label(e.name);
    case 'neg':
      return `-${renderExpression(e.e, label)}`;
    case 'bin':
      return `(${renderExpression(e.l, label)} ${e.op === '*' ? '×' : e.op === '/' ? '÷' : e.op} ${renderExpression(e.r, label)})`;
    case 'call':
      return `${e.fn === 'min' ? '取小' : '取大'}(${e.args.map((a) => renderExpression(a, label)).join(', ')})`;
  }
}
