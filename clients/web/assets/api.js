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

/** An upload S3 refused, or one refused before it was sent: an error about `field`. */
export class UploadError extends ApiError {
  constructor(field, message, status = 422) {
    super(status, null, message);
    this.field = field;
  }

  get fieldErrors() {
    return [{ field: this.field, message: this.message }];
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

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const startsWith = (bytes, magic, at = 0) => magic.every((byte, i) => bytes[at + i] === byte);

/** The media type of an image from its first bytes: what the API takes, or an Error. */
export function mediaType(bytes) {
  if (startsWith(bytes, PNG)) return "image/png";
  if (startsWith(bytes, JPEG)) return "image/jpeg";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp";
  }
  throw new Error("not a PNG, JPEG or WebP image.");
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Sends an image straight to S3 with the presigned POST that POST /uploads answers (the signed
 * fields, the Content-Type read from the bytes, the file last); its upload id. A refusal is an
 * UploadError about `field`, with S3's own words.
 */
async function upload(blob, field) {
  const type = mediaType(new Uint8Array(await blob.slice(0, 12).arrayBuffer()));
  const offer = await request("POST", "uploads");
  if (blob.size > offer.max_bytes) {
    throw new UploadError(
      field,
      `This image is ${megabytes(blob.size)}; this deployment takes images up to ${megabytes(offer.max_bytes)}.`,
    );
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(offer.fields)) form.append(name, value);
  form.append("Content-Type", type);
  form.append("file", blob, "image." + type.split("/")[1]);
  let response;
  try {
    response = await fetch(offer.url, {
      method: "POST",
      body: form,
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new UploadError(field, "The image could not be sent; check the connection and retry.", 0);
  }
  if (!response.ok) {
    const text = await response.text();
    const said = /<Message>([^<]{1,500})<\/Message>/.exec(text)?.[1] || `HTTP ${response.status}`;
    throw new UploadError(field, `The image was refused: ${said}`, response.status);
  }
  return offer.upload_id;
}

export const api = {
  upload,
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
