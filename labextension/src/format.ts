/**
 * Numbers and times as a person reads them in the panel: "1 call", not "1 calls";
 * "5 Dec 2026, 18:02" in the browser's locale and time zone, not an ISO string.
 */

/** `count` and the noun that agrees with it ("1 call", "3 calls", "0 sessions"). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** An ISO timestamp in local time; text that is no date comes back unchanged. */
export function readableTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  // Python's strftime("%z") writes +0000, which Date does not parse; +00:00 it does.
  const date = new Date(iso.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}
