// render.js — the inbox state drawn into the page. Only this module writes the list's
// DOM; every piece of data goes in through textContent or an attribute, never as HTML.

import { relativeTime } from "./time.js";

/** How each type is shown: an icon (besides the colour) and a word for screen readers. */
export const TYPES = {
  INFO: { icon: "i", label: "Info" },
  SUCCESS: { icon: "✓", label: "Success" },
  WARNING: { icon: "!", label: "Warning" },
  ERROR: { icon: "×", label: "Error" },
};

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** Only http, https and mailto links become clickable (the server refuses others too). */
export function safeLink(link) {
  try {
    const url = new URL(link);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** The skeleton of one list row; `fillItem` puts a notification's data in it. */
function createItem(id) {
  const head = el("button", { type: "button", class: "item-head", "aria-expanded": "false", "aria-controls": `d-${id}` }, [
    el("span", { class: "type-icon", "aria-hidden": "true" }),
    el("span", { class: "item-title" }),
    el("span", { class: "item-meta" }, [el("span", { class: "category" }), el("time")]),
    el("span", { class: "visually-hidden item-state" }),
  ]);
  const toggle = el("button", { type: "button", class: "item-toggle", "data-action": "toggle-read" });
  const detail = el("div", { class: "item-detail", id: `d-${id}`, hidden: "" }, [
    el("p", { class: "item-body" }),
    el("p", { class: "item-link-row" }, [el("a", { class: "item-link", target: "_blank", rel: "noopener noreferrer", "data-action": "open-link" })]),
    el("div", { class: "item-actions" }, [el("button", { type: "button", "data-action": "delete", text: "Delete" })]),
  ]);
  return el("li", { class: "item", "data-id": id }, [el("div", { class: "item-row" }, [head, toggle]), detail]);
}

function fillItem(li, n, { selected, open }, now) {
  const type = TYPES[n.type] ?? TYPES.INFO;
  const unread = !n.readAt;
  li.dataset.type = n.type;
  li.classList.toggle("unread", unread);
  li.classList.toggle("selected", selected);
  if (selected) li.setAttribute("aria-current", "true");
  else li.removeAttribute("aria-current");
  const q = (selector) => li.querySelector(selector);
  q(".type-icon").textContent = type.icon;
  q(".item-title").textContent = n.title;
  q(".category").textContent = n.category ?? "";
  const time = q("time");
  time.dateTime = n.createdAt;
  time.textContent = relativeTime(n.createdAt, now);
  time.title = new Date(n.createdAt).toLocaleString();
  q(".item-state").textContent = `${unread ? "Unread" : "Read"}, ${type.label}`;
  const toggle = q(".item-toggle");
  toggle.textContent = unread ? "●" : "○";
  toggle.setAttribute("aria-label", unread ? `Mark read: ${n.title}` : `Mark unread: ${n.title}`);
  toggle.title = unread ? "Mark read (r)" : "Mark unread (r)";
  q(".item-head").setAttribute("aria-expanded", String(open));
  q(".item-detail").hidden = !open;
  q(".item-body").textContent = n.body ?? "";
  q(".item-body").hidden = !n.body;
  const href = n.link ? safeLink(n.link) : null;
  const link = q(".item-link");
  link.parentElement.hidden = !href;
  if (href) {
    link.href = href;
    link.textContent = href;
  } else {
    link.removeAttribute("href");
  }
}

/** Draws `inbox.items` into `list`, reusing rows by id so that focus and scroll stay put. */
export function renderList(list, inbox, now) {
  const rows = new Map([...list.children].map((li) => [li.dataset.id, li]));
  let at = 0;
  for (const n of inbox.items) {
    const li = rows.get(n.id) ?? createItem(n.id);
    rows.delete(n.id);
    fillItem(li, n, { selected: n.id === inbox.selectedId, open: n.id === inbox.openId }, now);
    if (list.children[at] !== li) list.insertBefore(li, list.children[at] ?? null);
    at += 1;
  }
  for (const li of rows.values()) li.remove();
}

/** The row of notification `id`, if it is drawn. */
export function rowOf(list, id) {
  return [...list.children].find((li) => li.dataset.id === id) ?? null;
}

/** The unread count in the header and in the tab's title: "(3) notif". */
export function renderUnread(counter, count) {
  counter.textContent = count === null ? "…" : String(count);
  document.title = count ? `(${count}) notif` : "notif";
}

const CONNECTION_TEXT = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  "signed-out": "signed out",
};

/** The connection indicator: live, reconnecting or signed out. */
export function renderConnection(indicator, status) {
  indicator.dataset.state = status;
  indicator.textContent = CONNECTION_TEXT[status] ?? status;
}

/** The line under the list: loading, empty, or the end. */
export function renderListStatus(line, inbox) {
  if (inbox.loading) line.textContent = "Loading…";
  else if (inbox.items.length === 0) line.textContent = "No notifications here.";
  else if (inbox.loadingPage) line.textContent = "Loading more…";
  else if (inbox.nextCursor === null) line.textContent = "That is all.";
  else line.textContent = "";
}
