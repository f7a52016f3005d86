/**
 * RFC 9457 problem+json from the API, as a typed error. Every message shown to a person comes from here and
 * ends with what to do next: the server's own messages already say it for input errors; for the generic
 * codes we add the next step.
 */
import type { Lang } from './types';

export interface FieldProblem {
  path?: string;
  code: string;
  messageZh: string;
  messageEn: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  messageZh?: string;
  messageEn?: string;
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly errors: FieldProblem[];
  constructor(status: number, body: ProblemBody) {
    const zh = body.messageZh ?? body.detail ?? body.title ?? `请求失败（${status}）`;
    const en = body.messageEn ?? body.title ?? `request failed (${status})`;
    super(en);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? (status === 0 ? 'network' : `http_${status}`);
    this.messageZh = zh;
    this.messageEn = en;
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

/** The next step for codes whose server message says what went wrong but not what to do. */
const NEXT_STEP: Record<string, { zh: string; en: string }> = {
  network: { zh: '请检查网络连接后重试。', en: 'Check your network connection and try again.' },
  unauthenticated: { zh: '请重新登录。', en: 'Please sign in again.' },
  session_expired: { zh: '登录已过期，请重新登录。', en: 'Your session expired; please sign in again.' },
  bad_credentials: { zh: '请核对用户名和密码后重试；忘记密码请联系所在区镇或管理员。', en: 'Check the username and password; if you forgot the password, contact your area office or the administrator.' },
  account_locked: { zh: '请稍后再试，或联系管理员解锁。', en: 'Try again later or ask the administrator to unlock the account.' },
  forbidden: { zh: '如需此权限，请联系管理员。', en: 'Ask the administrator if you need this permission.' },
  not_found: { zh: '请检查链接是否正确，或返回列表重新打开。', en: 'Check the link, or go back to the list and open it again.' },
  invalid_state: { zh: '该申报的状态已变化，请刷新页面后再操作。', en: 'The claim has changed state; refresh the page and try again.' },
  conflict: { zh: '数据已被他人修改，请刷新页面后再操作。', en: 'Someone else changed this; refresh the page and try again.' },
  idempotency_conflict: { zh: '请刷新页面后重新提交。', en: 'Refresh the page and submit again.' },
  credit_blocked: { zh: '信用修复并移出名单后方可申报或拨付，请联系信用主管部门。', en: 'Awards resume once the enterprise is delisted; contact the credit authority.' },
  cap_exceeded: { zh: '请核对已获奖励和申报金额。', en: 'Check the awards already received and the amount claimed.' },
  budget_exhausted: { zh: '请联系牵头单位确认预算安排。', en: 'Contact the lead department about the budget.' },
  payload_too_large: { zh: '请压缩文件或拆分后上传（单个文件不超过10MB）。', en: 'Compress or split the file (at most 10 MB each).' },
  unsupported_media_type: { zh: '请上传 PDF、JPG、PNG、XLSX 或 DOCX 文件。', en: 'Upload a PDF, JPG, PNG, XLSX or DOCX file.' },
  rate_limited: { zh: '请稍等片刻再试。', en: 'Wait a moment and try again.' },
  internal_error: { zh: '请稍后重试；如仍不成功，请联系平台管理员并告知发生时间。', en: 'Try again later; if it persists, tell the administrator when it happened.' },
};

const GENERIC_BY_STATUS: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited' };

/** The whole message for a person: what went wrong and what to do. */
export function describeError(err: unknown, lang: Lang): string {
  if (err instanceof ApiError) {
    const msg = lang === 'en' ? err.messageEn : err.messageZh;
    const code = NEXT_STEP[err.code] ? err.code : (GENERIC_BY_STATUS[err.status] ?? (err.status >= 500 ? 'internal_error' : ''));
    const next = NEXT_STEP[code];
    if (!next) return msg;
    const step = lang === 'en' ? next.en : next.zh;
    return msg.includes(step) ? msg : `${msg}${lang === 'en' ? (/[.!?]$/.test(msg) ? ' ' : '. ') : /[。！？]$/.test(msg) ? '' : '。'}${step}`;
  }
  if (err instanceof Error) {
    return lang === 'en' ? `${err.message}. Try again; if it persists, contact the administrator.` : `出现错误：${err.message}。请重试；如仍不成功，请联系平台管理员。`;
  }
  return lang === 'en' ? 'Something went wrong. Try again.' : '出现错误，请重试。';
}

/**
 * A server field path to an antd Form name path. The API names fields like `claims[0].facts.equipmentInvestment`,
 * `body.facts.x` (schema errors carry where: body/querystring) or `facts.x`.
 */
export function pathToName(path: string, dropPrefixes: string[] = ['body']): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const seg of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m) {
      parts.push(seg);
      continue;
    }
    if (m[1]) parts.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  while (parts.length && typeof parts[0] === 'string' && dropPrefixes.includes(parts[0] as string)) parts.shift();
  return parts;
}
