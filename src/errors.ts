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
