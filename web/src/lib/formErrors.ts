import type { FormInstance } from 'antd';
import { ApiError, pathToName } from '../api/problem';
import type { Lang } from '../api/types';
import type { FormProblem } from './factForm';
import { translate } from '../i18n';

/**
 * Put field messages next to their fields. Server paths are mapped to form names (with `rename` for fields
 * the form names differently); problems whose field is not on the form are returned for an alert.
 */
export function showFieldErrors(form: FormInstance, problems: FormProblem[], lang: Lang): FormProblem[] {
  const known: FormProblem[] = [];
  const unknown: FormProblem[] = [];
  for (const p of problems) {
    if (fieldExists(form, p.name)) known.push(p);
    else unknown.push(p);
  }
  if (known.length) {
    form.setFields(known.map((p) => ({ name: p.name as never, errors: [lang === 'en' ? p.messageEn : p.messageZh] })));
    form.scrollToField(known[0].name as never, { block: 'center', focus: true });
  }
  return unknown;
}

function fieldExists(form: FormInstance, name: (string | number)[]): boolean {
  // getFieldsError() without names lists the registered fields only
  const key = JSON.stringify(name);
  return form.getFieldsError().some((f) => JSON.stringify(f.name) === key);
}

/** An API error's field problems as form problems. */
export function problemsOf(err: unknown, rename: Record<string, string> = {}): FormProblem[] {
  if (!(err instanceof ApiError)) return [];
  return err.errors
    .filter((e) => e.path)
    .map((e) => ({
      name: pathToName(e.path!).map((seg) => (typeof seg === 'string' && rename[seg] ? rename[seg] : seg)),
      messageZh: e.messageZh,
      messageEn: e.messageEn,
    }));
}

/** Problems found before sending, shown like the server's: a summary, and any field not on the form listed. */
export function localProblem(n: number, rest: FormProblem[]): ApiError {
  return new ApiError(422, {
    code: 'client_validation',
    messageZh: translate('zh', 'calc.fixErrors', { n }),
    messageEn: translate('en', 'calc.fixErrors', { n }),
    errors: rest.map((p) => ({ path: p.name.join('.'), code: 'invalid', messageZh: p.messageZh, messageEn: p.messageEn })),
  });
}

/** Forget the messages of the last attempt before the next one. */
export function clearFieldErrors(form: FormInstance) {
  form.setFields(form.getFieldsError().filter((f) => f.errors.length).map((f) => ({ name: f.name as never, errors: [] })));
}
