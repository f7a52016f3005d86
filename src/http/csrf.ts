/**
 * Cross-site request forgery: a page on another site must not make a logged-in official's browser change
 * anything here. The session cookie is SameSite=Lax, which stops a cross-site form POST in current browsers
 * but not a page on a sibling subdomain (same site), nor older browsers. So every state-changing request
 * (POST, PUT, PATCH, DELETE) is checked for where the browser says it comes from:
 *
 * - `Origin` (browsers send it on every non-GET request, `null` from sandboxed or privacy-stripped contexts)
 *   must be the server's own origin — the scheme and Host of the request — or one of KAIFANG_ALLOWED_ORIGINS.
 *   An `https://` origin of the same host is the server's own too: behind a TLS proxy whose
 *   X-Forwarded-Proto is not trusted the server sees plain http.
 * - Without `Origin`, the origin of `Referer`.
 * - Without either, `Sec-Fetch-Site` when the browser sends it: only `same-origin` and `none` (typed by the
 *   user) pass.
 * - Without any of the three, the request is not from a browser page (the `kaifang` command, curl, scripts,
 *   autocannon): it passes — such a client holds its own cookie and cannot be tricked by a page.
 *
 * Refused: 403 `csrf_origin`, before the session is looked up. Login and the public calculator are checked as
 * well (a forged login would sign the official into someone else's account). No token or custom header is
 * asked for: the web app's same-origin fetches carry the right Origin already, and clients outside a browser
 * keep working unchanged.
 */
import type { FastifyRequest } from 'fastify';
import { KaifangError } from '../errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function originOf(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** Whether `origin` is this server as the request reached it (its Host; the scheme it came in on, or https). */
export function isOwnOrigin(origin: string, req: FastifyRequest): boolean {
  const host = req.host;
  if (!host) return false;
  return origin === originOf(`${req.protocol}://${host}`) || origin === originOf(`https://${host}`);
}

function refused(from: string): KaifangError {
  return new KaifangError({
    code: 'csrf_origin',
    zh: `拒绝来自其他网站的操作请求（来源：${from.slice(0, 200)}）。请直接在本平台页面中操作`,
    en: `a request to change data from another site was refused (from ${from.slice(0, 200)}); use the platform's own pages`,
    details: { origin: from.slice(0, 200) },
  });
}

/** onRequest hook: throws 403 `csrf_origin` for a state-changing request that a browser sent from another origin. */
export function originGuard(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return async function checkOrigin(req: FastifyRequest): Promise<void> {
    if (!STATE_CHANGING.has(req.method)) return;
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    let from: string | undefined;
    if (origin !== undefined) from = origin;
    else if (referer !== undefined) from = originOf(referer) ?? 'null';
    if (from === undefined) {
      const site = req.headers['sec-fetch-site'];
      if (site === undefined || site === 'same-origin' || site === 'none') return;
      throw refused(`Sec-Fetch-Site: ${site}`);
    }
    if (allowed.has(from) || isOwnOrigin(from, req)) return;
    throw refused(from);
  };
}
