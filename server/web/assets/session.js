// session.js — signing in and out, and the links that open the page. A one-time login
// code comes in the fragment of the sign-in link (`/login#<code>`, never sent to a server)
// and is traded at once for the session cookie; a pasted token is traded the same way. No
// token is kept by the page itself. `#preferences` (the `List-Unsubscribe` link of notif's
// emails) opens the preferences.

const PREFERENCES = "#preferences";

/** The page's address without the sign-in path and the fragment (a proxy's prefix kept). */
function home() {
  return location.pathname.replace(/login$/, "");
}

/** Whether the page was opened on the preferences, which it then forgets from the address bar. */
export function takePreferencesLink() {
  if (location.hash !== PREFERENCES) return false;
  history.replaceState(null, "", home());
  return true;
}

/**
 * The login code of a sign-in link (`…/login#<code>`), removed from the address bar as it is
 * read. Any other fragment (the page's own `#list`) is no code.
 */
export function takeLoginCode() {
  if (!location.pathname.endsWith("/login")) return null;
  let code = location.hash.slice(1);
  try {
    code = decodeURIComponent(code);
  } catch {
    // Not percent-encoded text: used as it is, and the server says whether it is a code.
  }
  history.replaceState(null, "", home());
  return code || null;
}

/** Trades a login code for the session cookie; resolves to whether it worked. */
export async function signInWithCode(api, code) {
  try {
    await api.signIn({ code });
    return { ok: true };
  } catch (err) {
    return { ok: false, message: err.status === 401 ? "This sign-in link is used or expired: run `notif web` again." : err.message };
  }
}

/** Trades a user token for the session cookie. */
export async function signInWithToken(api, token) {
  try {
    await api.signIn({ token });
    return { ok: true };
  } catch (err) {
    return { ok: false, message: err.status === 401 ? "This token is not a valid user token." : err.message };
  }
}

/** Whether the page's cookie is a good session (false on 401, true when unsure). */
export async function isSignedIn(api) {
  try {
    await api.me();
    return true;
  } catch (err) {
    return err.status !== 401;
  }
}
