// inbox-view.js — the inbox list at work: loads pages (infinite scroll over the cursor),
// applies the stream's events, carries out the user's actions through the API, and asks
// render.js to draw. The rules themselves live in inbox-state.js.

import { Inbox } from "./inbox-state.js";
import { renderList, renderListStatus, renderUnread, rowOf } from "./render.js";

const $ = (id) => document.getElementById(id);

/** The inbox list over `api`; `announce(n)` is told of each notification new to the user. */
export function createInboxView(api, announce) {
  const inbox = new Inbox();
  const list = $("list");
  const status = $("list-status");
  const counter = $("unread-count");

  function draw() {
    renderList(list, inbox, Date.now());
    renderListStatus(status, inbox);
    renderUnread(counter, inbox.unreadCount);
  }

  function report(err) {
    status.textContent = `Something went wrong: ${err.message}`;
  }

  async function reload(filter = inbox.filter) {
    const generation = inbox.reload(filter);
    draw();
    try {
      inbox.loaded(generation, await api.list(inbox.filter));
    } catch (err) {
      inbox.failed(generation);
      report(err);
    }
    draw();
    loadMoreIfVisible();
  }

  async function loadMore() {
    if (!inbox.wantsPage()) return;
    const cursor = inbox.nextCursor;
    const generation = inbox.pageRequested();
    draw();
    try {
      inbox.pageLoaded(generation, await api.list(inbox.filter, cursor));
    } catch (err) {
      inbox.failed(generation);
      report(err);
    }
    draw();
    loadMoreIfVisible();
  }

  // Infinite scroll: the next page is asked for when the end of the list comes into view.
  let endVisible = false;
  new IntersectionObserver((entries) => {
    endVisible = entries.some((entry) => entry.isIntersecting);
    if (endVisible) loadMore();
  }).observe($("list-end"));
  function loadMoreIfVisible() {
    if (endVisible) loadMore();
  }

  function focusSelected() {
    const row = inbox.selectedId && rowOf(list, inbox.selectedId);
    if (!row) return;
    row.querySelector(".item-head").focus();
    row.scrollIntoView({ block: "nearest" });
  }

  async function toggleRead(id) {
    const n = inbox.find(id);
    if (!n) return;
    try {
      inbox.updated(await (n.readAt ? api.markUnread(id) : api.markRead(id)));
    } catch (err) {
      report(err);
    }
    draw();
  }

  async function markRead(id) {
    const n = inbox.find(id);
    if (!n || n.readAt) return;
    try {
      inbox.updated(await api.markRead(id));
    } catch (err) {
      report(err);
    }
    draw();
  }

  async function remove(id) {
    try {
      await api.remove(id);
      inbox.removed(id);
    } catch (err) {
      if (err.status === 404) inbox.removed(id);
      else report(err);
    }
    draw();
    focusSelected();
  }

  async function readAll() {
    try {
      const answer = await api.readAll();
      inbox.allRead(answer.unreadCount, Date.now());
    } catch (err) {
      report(err);
    }
    draw();
  }

  list.addEventListener("click", (event) => {
    const row = event.target.closest(".item");
    if (!row) return;
    const id = row.dataset.id;
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "toggle-read") toggleRead(id);
    else if (action === "delete") remove(id);
    else if (action === "open-link") markRead(id);
    else if (event.target.closest(".item-head")) {
      inbox.toggleOpen(id);
      draw();
    }
    if (action !== "open-link" && action !== "delete") inbox.select(id);
  });
  // Middle-click and keyboard opening of a link also mark it read.
  list.addEventListener("auxclick", (event) => {
    const link = event.target.closest(".item-link");
    if (link) markRead(link.closest(".item").dataset.id);
  });

  setInterval(draw, 30_000); // relative times move on

  return {
    inbox,
    reload,
    draw,
    /** A stream event: applied, drawn, and announced when it is news. */
    onEvent(name, data) {
      const fresh = inbox.event(name, data, Date.now());
      draw();
      if (fresh) announce(fresh);
    },
    /** Brings notification `id` into view, opened (a system notification was clicked). */
    reveal(id) {
      if (!inbox.find(id)) return;
      inbox.select(id);
      inbox.openId = id;
      draw();
      focusSelected();
    },
    /** The actions the keys ask for. */
    keys: {
      next: () => {
        inbox.move(1);
        draw();
        focusSelected();
        if (inbox.nearEnd()) loadMore();
      },
      previous: () => {
        inbox.move(-1);
        draw();
        focusSelected();
      },
      open: () => {
        if (inbox.selectedId === null) return;
        inbox.toggleOpen(inbox.selectedId);
        draw();
        focusSelected();
      },
      close: () => {
        inbox.openId = null;
        draw();
      },
      "toggle-read": () => inbox.selectedId && toggleRead(inbox.selectedId),
      delete: () => inbox.selectedId && remove(inbox.selectedId),
      "read-all": readAll,
    },
    readAll,
  };
}
