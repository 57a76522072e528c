// coalesce.js — bursts of browser notifications become one, with the TUI's rules
// (cli/src/tui/toast/coalesce.rs): an arrival is held a short quiet time so a burst is
// seen whole; more than BURST within WINDOW make one "N new notifications"; after a
// burst the next flush waits a whole window. Pure: times are passed in (milliseconds).

export const GATHER_MS = 250;
export const MAX_HOLD_MS = 1000;
export const WINDOW_MS = 2000;
export const BURST = 3;

export class Coalescer {
  constructor() {
    this.held = []; // [arrivedAt, item]
    this.recent = []; // arrival times already flushed, within the last window
    this.deadline = null;
    this.burstUntil = null;
  }

  /** Records one arrival at `now`; returns when flush() is next due. */
  push(item, now) {
    const first = this.held.length ? this.held[0][0] : now;
    this.held.push([now, item]);
    const quiet = Math.min(now + GATHER_MS, first + MAX_HOLD_MS);
    this.deadline = this.burstUntil === null ? quiet : Math.max(quiet, this.burstUntil);
    return this.deadline;
  }

  /**
   * What to show at `now`: nothing before the deadline; else the held items one by one,
   * or `{summary: N, items}` for a burst.
   */
  flush(now) {
    if (this.deadline === null || this.deadline > now) return [];
    this.deadline = null;
    this.recent = this.recent.filter((at) => now - at <= WINDOW_MS);
    const held = this.held;
    this.held = [];
    const isBurst = this.recent.length + held.length > BURST;
    this.recent.push(...held.map(([at]) => at));
    if (!isBurst) {
      this.burstUntil = null;
      return held.map(([, item]) => ({ item }));
    }
    this.burstUntil = now + WINDOW_MS;
    return [{ summary: held.length, items: held.map(([, item]) => item) }];
  }
}
