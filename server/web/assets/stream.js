// stream.js — the live connection: an EventSource on the user's stream, its reconnects,
// and what the connection indicator shows. Events are handed on by name, untouched.

/** The stream's event names (API.md, the event table). */
export const EVENTS = ["unread", "notification", "read", "deleted", "ping"];

/** How long to wait before reopening a stream the browser gave up on. */
const REOPEN_MS = 3000;

/**
 * Opens the stream at `url` and keeps it open. `onEvent(name, data, lastEventId)` gets each
 * event; `onStatus(status)` gets "connecting", "live" (caught up: the opening `unread`
 * event arrived), "reconnecting" or "signed-out".
 * `isSignedIn()` is asked (a promise of a boolean) when the browser gives up, to tell a
 * revoked session from a server that is down. Returns a function that closes the stream.
 */
export function openStream({ url, withCredentials = false, onEvent, onStatus, isSignedIn }) {
  let source = null;
  let lastEventId = null;
  let timer = null;
  let closed = false;

  function connect() {
    const resume = lastEventId === null ? "" : `?lastEventId=${encodeURIComponent(lastEventId)}`;
    source = new EventSource(url + resume, { withCredentials });
    source.onerror = () => {
      // CONNECTING: the browser reconnects by itself with Last-Event-ID. CLOSED: it gave up
      // (a refused answer), so find out whether the session is still good.
      if (source.readyState === EventSource.CONNECTING) {
        onStatus("reconnecting");
        return;
      }
      source.close();
      giveUp();
    };
    for (const name of EVENTS) {
      source.addEventListener(name, (event) => {
        if (event.lastEventId) lastEventId = event.lastEventId;
        let data = null;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        onEvent(name, data, event.lastEventId);
        // Live once caught up: the opening `unread` ends a connection's replay, and its id
        // is what a reconnect resumes from. (An open connection without it is not enough:
        // one lost before that event would reconnect without an id, past what came since.)
        if (name === "unread") onStatus("live");
      });
    }
  }

  async function giveUp() {
    if (closed) return;
    const signedIn = await isSignedIn().catch(() => true);
    if (closed) return;
    if (!signedIn) {
      onStatus("signed-out");
      return;
    }
    onStatus("reconnecting");
    timer = setTimeout(connect, REOPEN_MS);
  }

  onStatus("connecting");
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
