/** Civil dates (YYYY-MM-DD) in Asia/Shanghai: the calendar of the people who read them, whatever the server's zone. */
const shanghai = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export function todayInShanghai(now: Date = new Date()): string {
  return shanghai.format(now);
}
