// The API, called with URLs relative to the page (the page is served at the API's base URL).
// The key lives in sessionStorage only: never in a URL, localStorage or a cookie.

const KEY_NAME = "imagejobs.api-key";

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_NAME),
  set: (value) => sessionStorage.setItem(KEY_NAME, value),
  clear: () => sessionStorage.removeItem(KEY_NAME),
};

/** An answer other than 2xx: `status`, the API's `body` (or null) and a sentence for people. */
export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }

  /** [{field, message}] from a 422's FastAPI-shaped `detail`. */
  get fieldErrors() {
    const detail = Array.isArray(this.body?.detail) ? this.body.detail : [];
    return detail.map((d) => ({ field: d.field, message: humanize(d.msg) }));
  }
}

export class NoKeyError extends Error {
  constructor() {
    super("Enter your API key first.");
  }
}

function humanize(msg) {
  const text = String(msg || "Invalid value")
    .replace(/^Value error, /, "")
    .replace(/^Input should be /, "Must be ")
    .replace(/^String should have /, "Must have ")
    .replace(/less than or equal to/, "at most")
    .replace(/greater than or equal to/, "at least")
    .replace(/^Field required$/, "Required")
    .replace(/^Extra inputs are not permitted$/, "Not accepted by this API");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describe(status, body) {
  if (status === 401 || status === 403) {
    return "The API refused this key (HTTP " + status + "). Check it and enter it again.";
  }
  if (status === 429) return "Too many requests for this key; wait a moment and retry.";
  if (body && typeof body.message === "string") return body.message;
  return "The API answered HTTP " + status + ".";
}

async function request(method, path, { body, key = true, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (key) {
    const value = apiKey.get();
    if (!value) throw new NoKeyError();
    headers["x-api-key"] = value;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    credentials: "omit",
    signal,
  });
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, parsed, describe(response.status, parsed));
  return parsed;
}

export const api = {
  config: () => request("GET", "config", { key: false }),
  models: () => request("GET", "models"),
  submit: (parameters) => request("POST", "jobs", { body: parameters }),
  job: (jobId, signal) => request("GET", "jobs/" + encodeURIComponent(jobId), { signal }),
  cancel: (jobId) => request("POST", "jobs/" + encodeURIComponent(jobId) + "/cancel"),
  list: ({ status, cursor, limit = 12 }) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (status) query.set("status", status);
    if (cursor) query.set("cursor", cursor);
    return request("GET", "jobs?" + query);
  },
};

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
