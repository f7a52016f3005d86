/**
 * The one error shape of Kaifang: a machine-readable code, a message for people in Chinese and in English,
 * and the path of the bad field when there is one. Faces (CLI, HTTP) render it; nothing below them prints.
 */
export class KaifangError extends Error {
  readonly code: string;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly path?: string;
  readonly details?: unknown;

  constructor(opts: { code: string; zh: string; en: string; path?: string; details?: unknown }) {
    super(`${opts.path ? opts.path + ': ' : ''}${opts.zh} / ${opts.en}`);
    this.name = 'KaifangError';
    this.code = opts.code;
    this.messageZh = opts.zh;
    this.messageEn = opts.en;
    this.path = opts.path;
    this.details = opts.details;
  }
}

/** Several field errors found in one pass: the caller sees all of them at once, not one per attempt. */
export class ValidationError extends KaifangError {
  readonly errors: KaifangError[];
  constructor(errors: KaifangError[]) {
    const first = errors[0];
    super({
      code: errors.length === 1 ? first.code : 'validation_failed',
      zh: errors.map((e) => (e.path ? `${e.path}：` : '') + e.messageZh).join('；'),
      en: errors.map((e) => (e.path ? `${e.path}: ` : '') + e.messageEn).join('; '),
      path: errors.length === 1 ? first.path : undefined,
    });
    this.errors = errors;
  }
}

/**
 * The one field-error collector: validation gathers every bad field in one pass (`add`), then `throwIfAny` raises
 * them together as one ValidationError, so a caller sees all of them at once. Replaces the hand-rolled
 * `errors: KaifangError[]` + `if (errors.length) throw new ValidationError(errors)` of each module.
 */
export class FieldErrors {
  readonly errors: KaifangError[] = [];

  /** Record a bad field; returns undefined so that a parser can `return c.add(…)` for "no value". */
  add(path: string, code: string, zh: string, en: string): undefined {
    this.errors.push(new KaifangError({ code, zh, en, path }));
    return undefined;
  }

  /** Record an error found elsewhere (a nested parser's KaifangError, each of a ValidationError's errors). */
  push(e: KaifangError): void {
    if (e instanceof ValidationError) this.errors.push(...e.errors);
    else this.errors.push(e);
  }

  get any(): boolean {
    return this.errors.length > 0;
  }

  throwIfAny(): void {
    if (this.errors.length) throw new ValidationError(this.errors);
  }
}
