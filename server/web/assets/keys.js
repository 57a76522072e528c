// keys.js — the keyboard, with the same keys as `notif tui`: a key press becomes the name
// of an action; what the action does is the caller's business.

const KEYS = {
  j: "next",
  ArrowDown: "next",
  k: "previous",
  ArrowUp: "previous",
  Enter: "open",
  o: "open",
  r: "toggle-read",
  A: "read-all",
  d: "delete",
  Delete: "delete",
  u: "unread-only",
  "/": "search",
  "?": "help",
  Escape: "escape",
};

/** Whether the key goes to a form field being typed in rather than to the inbox. */
function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));
}

/** The action a key press asks for, or null (modifiers, typing, or an unbound key). */
export function actionFor(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const action = KEYS[event.key] ?? null;
  if (action === null) return null;
  if (typing(event.target) && action !== "escape") return null;
  // Enter on a button or a link already does what it says.
  if (action === "open" && event.key === "Enter" && event.target instanceof HTMLElement && event.target.closest("button, a")) {
    return null;
  }
  return action;
}

/** Calls `handlers[action]()` for each bound key pressed on the page. */
export function installKeys(handlers) {
  document.addEventListener("keydown", (event) => {
    const action = actionFor(event);
    const handler = action && handlers[action];
    if (!handler) return;
    event.preventDefault();
    handler();
  });
}
