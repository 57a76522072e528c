// app.js — the page's entry point: signs in (login code, pasted token or the cookie it
// already has), then starts the inbox, its live stream, the keys, the preferences and the
// system notifications, and switches between the views.

import { createApi } from "./api.js";
import { createInboxView } from "./inbox-view.js";
import { installKeys } from "./keys.js";
import { askPermission, canAsk, createNotifier } from "./notifier.js";
import { createPrefs } from "./prefs.js";
import { renderConnection } from "./render.js";
import { isSignedIn, signInWithCode, signInWithToken, takeLoginCode, takePreferencesLink } from "./session.js";
import { openStream } from "./stream.js";

const $ = (id) => document.getElementById(id);
const api = createApi();
const connection = $("connection");
let closeStream = null;
let view = null;
/** Shows the preferences (set once the inbox is wired). */
let showPrefs = null;
/** The page was opened on `#preferences`: they show once signed in. */
let opensPrefs = false;

function show(name) {
  for (const section of ["login", "inbox", "prefs"]) $(`${section}-view`).hidden = section !== name;
  $("show-inbox").setAttribute("aria-pressed", String(name === "inbox"));
  $("show-prefs").setAttribute("aria-pressed", String(name === "prefs"));
  $("top-nav").hidden = name === "login";
}

function showLogin(message = "") {
  closeStream?.();
  closeStream = null;
  renderConnection(connection, "signed-out");
  document.title = "notif";
  $("login-error").textContent = message;
  show("login");
  $("login-token").focus();
}

function filterFromForm() {
  return {
    unread: $("filter-unread").checked,
    type: $("filter-type").value,
    category: $("filter-category").value.trim(),
    q: $("filter-q").value.trim(),
  };
}

function showHelp() {
  if (!$("help").open) $("help").showModal();
}

/** Wires the inbox once, the first time the user is signed in. */
function setUpInbox() {
  const notify = createNotifier((id) => view.reveal(id));
  view = createInboxView(api, notify);
  const prefs = createPrefs(api);
  showPrefs = () => {
    show("prefs");
    prefs.load();
  };
  const reloadFromForm = () => view.reload(filterFromForm());
  for (const id of ["filter-unread", "filter-type"]) $(id).addEventListener("change", reloadFromForm);
  for (const id of ["filter-category", "filter-q"]) $(id).addEventListener("change", reloadFromForm);
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    reloadFromForm();
  });
  $("read-all").addEventListener("click", view.readAll);
  $("show-inbox").addEventListener("click", () => show("inbox"));
  $("show-prefs").addEventListener("click", showPrefs);
  $("show-help").addEventListener("click", showHelp);
  $("logout").addEventListener("click", async () => {
    await api.signOut().catch(() => null);
    showLogin("Signed out.");
  });
  const permission = $("enable-notifications");
  permission.hidden = !canAsk();
  permission.addEventListener("click", async () => {
    await askPermission();
    permission.hidden = !canAsk();
  });
  installKeys({
    ...view.keys,
    "unread-only": () => {
      $("filter-unread").checked = !$("filter-unread").checked;
      reloadFromForm();
    },
    search: () => $("filter-q").focus(),
    help: showHelp,
    escape: () => {
      if (document.activeElement !== $("filter-q")) return view.keys.close();
      $("filter-q").value = "";
      $("filter-q").blur();
      reloadFromForm();
    },
  });
}

function startInbox() {
  if (!view) setUpInbox();
  show("inbox");
  view.reload(filterFromForm());
  closeStream?.();
  closeStream = openStream({
    url: api.streamUrl(),
    onEvent: (name, data) => view.onEvent(name, data),
    onStatus: (status) => {
      renderConnection(connection, status);
      // Caught up (again): the list is read again. The first page may have been read
      // before the stream subscribed, and a resume replays new notifications but not the
      // reads and deletes made while the stream was down; either would be missing. (Pages
      // beyond the first are dropped with it, as by any reload.)
      if (status === "live") view.reload();
      if (status === "signed-out") showLogin("Your session ended: sign in again.");
    },
    isSignedIn: () => isSignedIn(api),
  });
  if (opensPrefs) {
    opensPrefs = false;
    showPrefs();
  }
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("login-token");
  const result = await signInWithToken(api, field.value.trim());
  field.value = "";
  if (result.ok) startInbox();
  else $("login-error").textContent = result.message;
});

// The preferences link followed in a page already open: no new load, only a new fragment.
window.addEventListener("hashchange", () => {
  if (!takePreferencesLink()) return;
  if (closeStream) showPrefs();
  else opensPrefs = true;
});

async function boot() {
  opensPrefs = takePreferencesLink();
  const code = takeLoginCode();
  if (code) {
    const result = await signInWithCode(api, code);
    if (!result.ok) return showLogin(result.message);
  }
  try {
    await api.me();
    startInbox();
  } catch (err) {
    showLogin(err.status === 401 ? "" : `Cannot reach notif: ${err.message}`);
  }
}

boot();
