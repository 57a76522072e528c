// inbox-state.js — the inbox as state and its transitions: what is listed, in which order,
// what is selected and open, the unread count. No DOM, no network, no clock (`now` is
// passed in), so every rule here can be checked by feeding it events.

/** Whether notification `n` belongs in a list filtered by `filter` ({unread, type, category, q}). */
export function matches(filter, n) {
  if (filter.unread && n.readAt) return false;
  if (filter.type && n.type !== filter.type) return false;
  if (filter.category && n.category !== filter.category) return false;
  if (filter.q) {
    const text = [n.title, n.body ?? "", n.category ?? ""].join("\n").toLowerCase();
    return filter.q.toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
  }
  return true;
}

export class Inbox {
  constructor() {
    this.filter = { unread: false, type: "", category: "", q: "" };
    /** Notifications in display order: unread first, newest first, as the server pages them. */
    this.items = [];
    this.nextCursor = null;
    /** All of the user's unread notifications, not only the loaded ones; null until known. */
    this.unreadCount = null;
    this.selectedId = null;
    this.openId = null;
    /** Bumped by each reload, so that an answer to an older request is dropped. */
    this.generation = 0;
    this.loading = false;
    this.loadingPage = false;
    /** Stream events that arrived while the first page was loading, applied after it. */
    this.pending = [];
  }

  /** Starts over with `filter` (a reload); returns the generation the answer must carry. */
  reload(filter = this.filter) {
    this.filter = { ...filter };
    this.generation += 1;
    this.loading = true;
    this.loadingPage = false;
    // What arrived before this request went out is in its answer already (applied after
    // it, an older unread count would replace the answer's).
    this.pending = [];
    return this.generation;
  }

  /** The first page of a reload arrived. */
  loaded(generation, page) {
    if (generation !== this.generation) return;
    this.loading = false;
    this.items = this.matching(page.notifications);
    this.nextCursor = page.nextCursor;
    this.unreadCount = page.unreadCount;
    if (!this.find(this.selectedId)) this.selectedId = this.items[0]?.id ?? null;
    const pending = this.pending;
    this.pending = [];
    // A queued count (unread, read, deleted) is older than the answer's; a notification
    // queued after it is not in that count, even when the answer lists it already.
    let olderCount = false;
    for (const [name, data, now] of pending) {
      if (name === "notification" && olderCount && !data.readAt && this.find(data.id)) {
        this.unreadCount += 1;
      }
      this.event(name, data, now);
      if (name === "unread" || name === "read" || name === "deleted") olderCount = true;
    }
  }

  /** Whether another page should be asked for (none is loading and there is one). */
  wantsPage() {
    return !this.loading && !this.loadingPage && this.nextCursor !== null;
  }

  /** A request for the page after `nextCursor` is going out. */
  pageRequested() {
    this.loadingPage = true;
    return this.generation;
  }

  /** A further page arrived: appended, without the ones already listed. */
  pageLoaded(generation, page) {
    if (generation !== this.generation) return;
    this.loadingPage = false;
    const known = new Set(this.items.map((n) => n.id));
    this.items.push(...this.matching(page.notifications).filter((n) => !known.has(n.id)));
    this.nextCursor = page.nextCursor;
    this.unreadCount = page.unreadCount;
  }

  /** A request failed: stop waiting for it. */
  failed(generation) {
    if (generation !== this.generation) return;
    this.loading = false;
    this.loadingPage = false;
  }

  /** The notifications of a page that pass the filter (the server applies it too; a server
   * without search (`q`) still shows only what was searched for). */
  matching(notifications) {
    return notifications.filter((n) => matches(this.filter, n));
  }

  find(id) {
    return id === null ? undefined : this.items.find((n) => n.id === id);
  }

  /**
   * Applies one stream event (API.md's event table). Returns the notification when it is
   * one the user has not seen yet, so that the caller can announce it.
   */
  event(name, data, now) {
    if (this.loading) {
      this.pending.push([name, data, now]);
      return null;
    }
    switch (name) {
      case "unread":
        this.unreadCount = data.unreadCount;
        return null;
      case "notification":
        return this.arrived(data);
      case "read":
        this.readChanged(data.ids, data.unreadCount, now);
        return null;
      case "deleted":
        this.removeItem(data.id);
        this.unreadCount = data.unreadCount;
        return null;
      default:
        return null;
    }
  }

  /** A new notification (or a replayed one already listed, which is replaced). */
  arrived(n) {
    const index = this.items.findIndex((item) => item.id === n.id);
    if (index >= 0) {
      this.items[index] = n;
      return null;
    }
    if (!n.readAt && this.unreadCount !== null) this.unreadCount += 1;
    if (matches(this.filter, n)) this.items.unshift(n);
    if (this.selectedId === null) this.selectedId = n.id;
    return n;
  }

  /**
   * A `read` event names ids but not whether they became read or unread: the change of the
   * unread count tells (one event is one action, so one direction), as in the TUI.
   */
  readChanged(ids, unreadCount, now) {
    const before = this.unreadCount;
    this.unreadCount = unreadCount;
    if (before === null || before === unreadCount) return;
    const readAt = unreadCount < before ? new Date(now).toISOString() : null;
    for (const n of this.items) {
      if (ids.includes(n.id) && Boolean(n.readAt) !== Boolean(readAt)) n.readAt = readAt;
    }
  }

  /** This page changed one notification (read or unread): the server's answer replaces it. */
  updated(n) {
    const index = this.items.findIndex((item) => item.id === n.id);
    if (index < 0) return;
    const wasUnread = !this.items[index].readAt;
    this.items[index] = n;
    if (this.unreadCount === null || wasUnread === !n.readAt) return;
    this.unreadCount += wasUnread ? -1 : 1;
  }

  /** This page deleted a notification. */
  removed(id) {
    const n = this.find(id);
    if (n && !n.readAt && this.unreadCount !== null) this.unreadCount -= 1;
    this.removeItem(id);
  }

  /** This page marked everything read. */
  allRead(unreadCount, now) {
    const readAt = new Date(now).toISOString();
    for (const n of this.items) n.readAt ??= readAt;
    this.unreadCount = unreadCount;
  }

  removeItem(id) {
    const index = this.items.findIndex((n) => n.id === id);
    if (index < 0) return;
    this.items.splice(index, 1);
    if (this.openId === id) this.openId = null;
    if (this.selectedId === id) {
      this.selectedId = (this.items[index] ?? this.items[index - 1])?.id ?? null;
    }
  }

  /** Moves the selection by `step` (j/k), staying inside the list. */
  move(step) {
    if (this.items.length === 0) return;
    const at = this.items.findIndex((n) => n.id === this.selectedId);
    const next = Math.min(Math.max(at + step, 0), this.items.length - 1);
    this.selectedId = this.items[at < 0 ? 0 : next].id;
  }

  select(id) {
    if (this.find(id)) this.selectedId = id;
  }

  /** Opens the notification `id`, or closes it when it is the open one. */
  toggleOpen(id) {
    this.select(id);
    this.openId = this.openId === id ? null : id;
  }

  /** Whether the selection is among the last few loaded, so the next page is due. */
  nearEnd(margin = 5) {
    const at = this.items.findIndex((n) => n.id === this.selectedId);
    return at >= this.items.length - margin;
  }
}
