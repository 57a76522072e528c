// api.js — the notif HTTP API as functions: one fetch wrapper and one function per route.
// Speaks only the public API (API.md); the session cookie rides along, never a token.

/** An answer of the API that is not a success: the contract's error body, or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status; // 0 when the server could not be reached
    this.code = code;
  }
}

/**
 * A client for the server at `base` ("" for the page's own server). `credentials` is
 * "same-origin" for the inbox and "include" for an embed on another origin.
 */
export function createApi(base = "", credentials = "same-origin") {
  async function request(method, path, body) {
    const init = { method, credentials, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, init);
    } catch (err) {
      throw new ApiError(0, "network", `cannot reach the server (${err.message})`);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = data?.error ?? {};
      throw new ApiError(response.status, error.code ?? "unknown", error.message ?? response.statusText);
    }
    return data;
  }

  const id = (value) => encodeURIComponent(value);

  return {
    me: () => request("GET", "/api/me"),
    /** `filter`: {unread, type, category, q}; `cursor` from the previous page's nextCursor. */
    list(filter = {}, cursor = null, limit = 50) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (filter.unread) query.set("unread", "true");
      for (const key of ["type", "category", "q"]) {
        if (filter[key]) query.set(key, filter[key]);
      }
      if (cursor) query.set("cursor", cursor);
      return request("GET", `/api/notifications?${query}`);
    },
    markRead: (notificationId) => request("POST", `/api/notifications/${id(notificationId)}/read`),
    markUnread: (notificationId) => request("POST", `/api/notifications/${id(notificationId)}/unread`),
    readAll: () => request("POST", "/api/notifications/read-all"),
    remove: (notificationId) => request("DELETE", `/api/notifications/${id(notificationId)}`),
    preferences: () => request("GET", "/api/notifications/preferences"),
    /** `change`: any of inApp, email, categories (name → {inApp, email} or null to remove). */
    updatePreferences: (change) => request("PUT", "/api/notifications/preferences", change),
    /** Exchanges a user token or a one-time login code for the session cookie. */
    signIn: (credential) => request("POST", "/api/session", credential),
    signOut: () => request("DELETE", "/api/session"),
    streamUrl: () => `${base}/api/notifications/stream`,
  };
}
