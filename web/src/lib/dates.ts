/** Dates as the platform shows them: civil dates YYYY-MM-DD (Asia/Shanghai), instants YYYY-MM-DD HH:mm. */

const SHANGHAI = 'Asia/Shanghai';

function parts(d: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-GB', { timeZone: SHANGHAI, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** Today's civil date in Shanghai, whatever the browser's zone. */
export function todayShanghai(now: Date = new Date()): string {
  const p = parts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** A civil date or an instant, shown as YYYY-MM-DD (an instant is read in Shanghai time). */
export function formatDate(v: string | Date | null | undefined): string {
  if (!v) return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = typeof v === 'string' ? new Date(v) : v;
  if (Number.isNaN(d.getTime())) return String(v);
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** An instant as YYYY-MM-DD HH:mm in Shanghai time. */
export function formatDateTime(v: string | Date | null | undefined): string {
  if (!v) return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = typeof v === 'string' ? new Date(v) : v;
  if (Number.isNaN(d.getTime())) return String(v);
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Whole calendar days from one civil date to another (b − a). */
export function daysBetween(a: string, b: string): number {
  const ms = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((ms(b) - ms(a)) / 86_400_000);
}
