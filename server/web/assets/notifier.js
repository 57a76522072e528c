// notifier.js — system notifications through the browser's Notification API, with the
// user's permission (asked from a button, never on load), only while the tab is hidden,
// bursts coalesced as in the TUI. Clicking one brings the tab back to that notification.

import { Coalescer } from "./coalesce.js";

const supported = () => "Notification" in window;

/** Whether the permission is still to be asked (the button to show). */
export function canAsk() {
  return supported() && Notification.permission === "default";
}

/** Asks for the permission; resolves to whether it is granted. */
export async function askPermission() {
  if (!supported()) return false;
  return (await Notification.requestPermission()) === "granted";
}

/**
 * Announces notifications. `onClick(id)` is called with the clicked notification's id
 * (null for a summary) after the tab is focused.
 */
export function createNotifier(onClick) {
  const coalescer = new Coalescer();
  let timer = null;

  function show(title, options, id) {
    const shown = new Notification(title, options);
    shown.onclick = () => {
      window.focus();
      shown.close();
      onClick(id);
    };
  }

  function flush() {
    timer = null;
    for (const out of coalescer.flush(Date.now())) {
      if (out.summary) {
        show(`${out.summary} new notifications`, { body: out.items.map((n) => n.title).slice(0, 5).join("\n"), tag: "notif-summary" }, null);
      } else {
        const n = out.item;
        show(n.title, { body: n.body ?? "", tag: n.id }, n.id);
      }
    }
    if (coalescer.deadline !== null) schedule(coalescer.deadline);
  }

  function schedule(deadline) {
    clearTimeout(timer);
    timer = setTimeout(flush, Math.max(0, deadline - Date.now()));
  }

  /** A notification the user has not seen arrived. */
  return function announce(n) {
    if (!supported() || Notification.permission !== "granted" || document.visibilityState !== "hidden") return;
    schedule(coalescer.push(n, Date.now()));
  };
}
