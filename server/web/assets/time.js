// time.js — "5 min ago": how the inbox shows a timestamp, relative to a given `now`.

const UNITS = [
  [60, "s", 1],
  [3600, "min", 60],
  [86400, "h", 3600],
  [86400 * 7, "d", 86400],
];

/** `iso` relative to `nowMs` ("just now", "12 min ago", "3 d ago"), then the date. */
export function relativeTime(iso, nowMs) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((nowMs - then) / 1000));
  if (seconds < 10) return "just now";
  for (const [below, unit, size] of UNITS) {
    if (seconds < below) return `${Math.floor(seconds / size)} ${unit} ago`;
  }
  return iso.slice(0, 10);
}
