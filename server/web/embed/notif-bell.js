// notif-bell.js — <notif-bell>: notif's bell for another web application's header. A live
// unread badge and a dropdown of the latest notifications with "Mark all read". The page
// that uses it adds two lines:
//
//   <script type="module" src="https://notif.example.com/embed/notif-bell.js"></script>
//   <notif-bell></notif-bell>
//
// It speaks to the notif server it was loaded from (or the one in its `server`
// attribute) with the user's notif session cookie; that server must list the page's
// origin in --cors-origin. It uses the inbox's own modules for the API, the stream and
// the state rules, so the two never disagree.

import { createApi } from "../assets/api.js";
import { Inbox } from "../assets/inbox-state.js";
import { safeLink, TYPES } from "../assets/render.js";
import { openStream } from "../assets/stream.js";
import { relativeTime } from "../assets/time.js";

/** The server this module was loaded from. */
const HOME = new URL("..", import.meta.url).href.replace(/\/$/, "");
/** How many of the latest notifications the dropdown lists. */
const SHOWN = 8;

const STYLE = `
:host { position: relative; display: inline-block; font: inherit; color: inherit; }
button { font: inherit; color: inherit; cursor: pointer; }
.bell { position: relative; background: transparent; border: 0; padding: 6px; border-radius: 6px; }
.bell:focus-visible, .panel button:focus-visible, a:focus-visible { outline: 3px solid #2f62c9; outline-offset: 2px; }
.bell svg { width: 24px; height: 24px; fill: currentColor; display: block; }
.badge { position: absolute; top: 0; right: 0; min-width: 18px; padding: 0 5px; border-radius: 9px;
  background: #c0322b; color: #fff; font-size: 12px; line-height: 18px; text-align: center; }
.badge[data-count="0"] { display: none; }
.panel { position: absolute; right: 0; top: 100%; z-index: 1000; width: min(340px, 92vw);
  background: Canvas; color: CanvasText; border: 1px solid #8884; border-radius: 8px;
  box-shadow: 0 8px 24px #0003; padding: 8px; }
.panel[hidden] { display: none; }
.head { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 4px; }
.head button { background: transparent; border: 1px solid #8886; border-radius: 6px; padding: 4px 8px; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; gap: 8px; padding: 6px 4px; border-top: 1px solid #8883; }
li.unread .title { font-weight: 600; }
.icon { flex: none; width: 20px; height: 20px; border-radius: 50%; display: grid; place-items: center;
  font-size: 12px; font-weight: 700; color: #fff; background: #2f62c9; }
li[data-type="SUCCESS"] .icon { background: #1f7a3d; }
li[data-type="WARNING"] .icon { background: #9a6200; }
li[data-type="ERROR"] .icon { background: #c0322b; }
.text { min-width: 0; overflow-wrap: anywhere; }
.time { font-size: 12px; opacity: 0.75; }
.foot { display: block; padding: 6px 4px 2px; color: inherit; }
`;

const BELL_PATH = "M12 2a6 6 0 0 0-6 6v4.6L4.3 15.3A1 1 0 0 0 5.1 17h13.8a1 1 0 0 0 .8-1.7L18 12.6V8a6 6 0 0 0-6-6zm-2.5 16a2.5 2.5 0 0 0 5 0z";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bellIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", BELL_PATH);
  svg.append(path);
  return svg;
}

class NotifBell extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return this.start();
    const server = (this.getAttribute("server") ?? HOME).replace(/\/$/, "");
    this.server = server;
    this.api = createApi(server, "include");
    this.inbox = new Inbox();
    const root = this.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    this.button = el("button", "bell");
    this.button.type = "button";
    this.button.setAttribute("aria-haspopup", "true");
    this.button.setAttribute("aria-expanded", "false");
    this.badge = el("span", "badge", "0");
    this.badge.setAttribute("aria-hidden", "true");
    this.button.append(bellIcon(), this.badge);
    this.panel = el("div", "panel");
    this.panel.hidden = true;
    this.panel.setAttribute("role", "region");
    this.panel.setAttribute("aria-label", "Notifications");
    const head = el("div", "head");
    this.readAllButton = el("button", "read-all", "Mark all read");
    this.readAllButton.type = "button";
    head.append(el("strong", "", "Notifications"), this.readAllButton);
    this.items = el("ul");
    this.foot = el("a", "foot", "Open the inbox");
    this.foot.href = `${server}/`;
    this.foot.target = "_blank";
    this.foot.rel = "noopener";
    this.panel.append(head, this.items, this.foot);
    root.append(this.button, this.panel);
    this.button.addEventListener("click", () => this.toggle());
    this.readAllButton.addEventListener("click", () => this.readAll());
    this.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        this.toggle();
        this.button.focus();
      }
    });
    this.start();
  }

  disconnectedCallback() {
    this.closeStream?.();
    this.closeStream = null;
  }

  /** Loads the latest notifications and goes live. */
  start() {
    this.signedOut = false;
    const listing = this.list();
    this.closeStream?.();
    this.closeStream = openStream({
      url: this.api.streamUrl(),
      withCredentials: true,
      onEvent: (name, data) => {
        this.inbox.event(name, data, Date.now());
        this.draw();
      },
      onStatus: (status) => {
        this.signedOut = status === "signed-out";
        this.dataset.connection = status;
        this.draw();
        // Caught up (again): the list is read again, as the inbox page does (app.js).
        if (status === "live") this.list();
      },
      isSignedIn: () => this.api.me().then(() => true, (err) => err.status !== 401),
    });
    return listing;
  }

  /** Reads the latest notifications (events meanwhile are applied after them). */
  async list() {
    const generation = this.inbox.reload();
    try {
      this.inbox.loaded(generation, await this.api.list({}, null, SHOWN));
    } catch (err) {
      this.inbox.failed(generation);
      this.signedOut = err.status === 401;
    }
    this.draw();
  }

  toggle() {
    this.panel.hidden = !this.panel.hidden;
    this.button.setAttribute("aria-expanded", String(!this.panel.hidden));
  }

  async readAll() {
    try {
      const answer = await this.api.readAll();
      this.inbox.allRead(answer.unreadCount, Date.now());
    } catch (err) {
      this.signedOut = err.status === 401;
    }
    this.draw();
  }

  async markRead(id) {
    try {
      this.inbox.updated(await this.api.markRead(id));
    } catch {
      // The stream's `read` event brings the count anyway.
    }
    this.draw();
  }

  item(n) {
    const li = el("li", n.readAt ? "" : "unread");
    li.dataset.type = n.type;
    li.dataset.id = n.id;
    const icon = el("span", "icon", (TYPES[n.type] ?? TYPES.INFO).icon);
    icon.setAttribute("aria-hidden", "true");
    const text = el("div", "text");
    const href = n.link ? safeLink(n.link) : null;
    const title = href ? el("a", "title", n.title) : el("span", "title", n.title);
    if (href) {
      title.href = href;
      title.target = "_blank";
      title.rel = "noopener noreferrer";
      title.addEventListener("click", () => this.markRead(n.id));
    }
    text.append(title, el("div", "time", relativeTime(n.createdAt, Date.now())));
    li.append(icon, text);
    return li;
  }

  draw() {
    const count = this.inbox.unreadCount ?? 0;
    this.badge.textContent = count > 99 ? "99+" : String(count);
    this.badge.dataset.count = String(count);
    this.dataset.unread = String(count);
    const label = this.signedOut ? "Notifications: sign in to notif" : `Notifications, ${count} unread`;
    this.button.setAttribute("aria-label", label);
    this.button.title = label;
    const shown = this.inbox.items.slice(0, SHOWN).map((n) => this.item(n));
    if (shown.length === 0) shown.push(el("li", "", this.signedOut ? "Sign in to notif to see your notifications." : "No notifications."));
    this.items.replaceChildren(...shown);
    this.readAllButton.disabled = this.signedOut || count === 0;
  }
}

if (!customElements.get("notif-bell")) customElements.define("notif-bell", NotifBell);
