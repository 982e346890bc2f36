/**
 * Numbers and times as a person reads them in the panel: "1 call", not "1 calls";
 * "3 min ago", with the exact local time on hover, not an ISO string.
 */

/** `count` and the noun that agrees with it ("1 call", "3 calls", "0 sessions"). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The date of an ISO timestamp, or null for text that is no date. */
function parse(iso: string | null | undefined): Date | null {
  if (!iso) {
    return null;
  }
  // Python's strftime("%z") writes +0000, which Date does not parse; +00:00 it does.
  const date = new Date(iso.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An ISO timestamp in local time ("5 Dec 2026, 18:02"); text that is no date comes back. */
export function readableTime(iso: string | null | undefined): string {
  const date = parse(iso);
  if (!date) {
    return iso ?? '';
  }
  return date.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/** How long ago, in the largest unit that fits ("just now", "3 min ago", "2 days ago"). */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  const date = parse(iso);
  if (!date) {
    return iso ?? '';
  }
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 45) {
    return seconds < -60 ? readableTime(iso) : 'just now';
  }
  const units: [number, string][] = [
    [60, 'min'],
    [3600, 'h'],
    [86400, 'day'],
    [86400 * 30, 'month'],
    [86400 * 365, 'year']
  ];
  let shown = `${Math.round(seconds / 60)} min`;
  for (const [size, name] of units) {
    const count = Math.floor(seconds / size);
    if (count >= 1) {
      shown = name === 'min' || name === 'h' ? `${count} ${name}` : plural(count, name);
    }
  }
  return `${shown} ago`;
}

/** A time as a person reads it: relative, with the exact local time on hover. */
export function timeElement(iso: string | null | undefined, fallback = 'never'): HTMLElement {
  const span = document.createElement('span');
  span.className = 'jp-ForgeTools-time';
  span.textContent = iso ? relativeTime(iso) : fallback;
  if (iso) {
    span.title = readableTime(iso);
  }
  return span;
}
