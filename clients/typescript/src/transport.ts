/**
 * HTTP for the client, on the platform's own `fetch` (Node 20+, Deno, Bun, edge runtimes): JSON
 * in and out, retries, and errors made typed. The rules are the Python SDK's.
 *
 * Retries: network errors, timeouts and the answers 429 and 503, up to `maxRetries` times, the
 * first at once and then after `backoffFactor` * 2^n s (with jitter), or after the
 * `Retry-After` the API sent, never longer than `backoffMax`. Every request the client sends
 * is safe to repeat: reads, a create (it always carries an Idempotency-Key) and a cancel.
 *
 * Durations are in seconds, as in the API (`Prefer: wait=20`) and the Python SDK.
 */

import { ConnectionFailed, errorFor } from "./errors.js";

export interface ClientOptions {
  /** The key to send as `x-api-key`. */
  apiKey?: string;
  /** Seconds each request may take (30); a long poll may take its wait plus a margin. */
  timeout?: number;
  /** Retries of a request that failed to connect, timed out, or met 429 or 503 (4). */
  maxRetries?: number;
  /** The backoff's first step in seconds (0.5): 0, 2x, 4x, ... with jitter. */
  backoffFactor?: number;
  /** The longest pause before a retry, `Retry-After` included (20 s). */
  backoffMax?: number;
  /** A `fetch` of your own (a proxy agent, a test double); the global one otherwise. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** Ask the API to hold the answer until the resource settles (`Prefer: wait`, 1 to 25 s). */
  wait?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface Answer {
  status: number;
  headers: Headers;
  payload: unknown;
}

const RETRIED_STATUSES = new Set([429, 503]);
/** `Prefer: wait=N` takes 1 to 25 s: API Gateway ends any request at 29 s. */
export const MAX_SERVER_WAIT = 25;
/** A waiting request's timeout: the wait, plus the time to start, work and answer. */
const ANSWER_MARGIN = 15;
const USER_AGENT = "imagejobs-client-ts";

/** One HTTP exchange to perform: `timeout` (s) bounds each attempt, the answer read in full. */
interface Outgoing {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** A string, or a form that fetch encodes (multipart/form-data, with its length). */
  body?: string | FormData | undefined;
  timeout: number;
  signal?: AbortSignal | undefined;
}

export interface Reply {
  status: number;
  headers: Headers;
  content: Uint8Array;
}

export class Transport {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeout: number;
  private readonly maxRetries: number;
  private readonly backoffFactor: number;
  private readonly backoffMax: number;
  private readonly fetch: typeof fetch;

  constructor(apiUrl: string, options: ClientOptions = {}) {
    this.baseUrl = apiUrl.replace(/\/+$/, "") + "/";
    this.apiKey = options.apiKey;
    this.timeout = options.timeout ?? 30;
    this.maxRetries = options.maxRetries ?? 4;
    this.backoffFactor = options.backoffFactor ?? 0.5;
    this.backoffMax = options.backoffMax ?? 20;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** One API call, retried by the rules; the answer, or the typed error. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    let timeout = this.timeout;
    if (options.wait !== undefined) {
      const seconds = serverWait(options.wait);
      headers["Prefer"] = `wait=${seconds}`;
      timeout = Math.max(timeout, seconds + ANSWER_MARGIN);
    }
    if (this.apiKey) headers["x-api-key"] = this.apiKey;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
    const url = new URL(path.replace(/^\/+/, ""), this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    const reply = await this.exchange({
      method,
      url,
      headers,
      body,
      timeout,
      signal: options.signal,
    });
    const payload = parseJson(reply.content);
    if (reply.status >= 400) {
      throw errorFor(reply.status, payload, parseRetryAfter(reply.headers.get("retry-after")));
    }
    return { status: reply.status, headers: reply.headers, payload };
  }

  /** GETs a presigned URL. The API key is never sent to where the images live. */
  async download(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const reply = await this.exchange({
      method: "GET",
      url: new URL(url),
      headers: {},
      timeout: this.timeout,
      signal,
    });
    if (reply.status >= 400) throw errorFor(reply.status, undefined, undefined);
    return reply.content;
  }

  /**
   * POSTs a multipart form (a presigned S3 POST), retried by the rules; the API key is never
   * sent there. The answer, whatever its status: the caller reads the error its way.
   */
  postForm(url: string, form: FormData, signal?: AbortSignal): Promise<Reply> {
    return this.exchange({
      method: "POST",
      url: new URL(url),
      headers: {},
      body: form,
      timeout: this.timeout,
      signal,
    });
  }

  /** Seconds to wait before the next attempt, after `failures` failed ones in a row. */
  pauseBeforeRetry(failures: number, retryAfter: number | undefined): number {
    if (retryAfter) return Math.min(retryAfter, this.backoffMax); // 0 means "no opinion"
    if (failures <= 1) return 0;
    const jitter = (Math.random() * this.backoffFactor) / 2;
    return Math.min(this.backoffMax, this.backoffFactor * 2 ** (failures - 1) + jitter);
  }

  private async exchange(outgoing: Outgoing): Promise<Reply> {
    const { method, url, signal } = outgoing;
    const request = { ...outgoing, headers: { "User-Agent": USER_AGENT, ...outgoing.headers } };
    for (let failures = 1; ; failures++) {
      let outcome: Reply | Error;
      try {
        outcome = await this.attempt(request);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        outcome = error instanceof Error ? error : new Error(String(error));
      }
      if (!(outcome instanceof Error) && !RETRIED_STATUSES.has(outcome.status)) return outcome;
      if (failures > this.maxRetries) {
        if (!(outcome instanceof Error)) return outcome; // the last answer: a typed error
        const reason = outcome.cause instanceof Error ? outcome.cause.message : outcome.message;
        throw new ConnectionFailed(`${method} ${url.origin}${url.pathname}: ${reason}`, {
          cause: outcome,
        });
      }
      const retryAfter =
        outcome instanceof Error ? undefined : parseRetryAfter(outcome.headers.get("retry-after"));
      await sleep(this.pauseBeforeRetry(failures, retryAfter), signal);
    }
  }

  /** One attempt, its whole answer read within the timeout; aborted with the caller's signal. */
  private async attempt({ method, url, headers, body, timeout, signal }: Outgoing): Promise<Reply> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${timeout} s`)),
      timeout * 1000,
    );
    const stop = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", stop, { once: true });
    try {
      const response = await this.fetch(url, { method, headers, body, signal: controller.signal });
      const content = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, content };
    } catch (error) {
      // An abort of ours (the timeout) reads as the reason we gave, not as "AbortError".
      throw controller.signal.aborted && !signal?.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
    }
  }
}

/** What `Prefer: wait` can ask for: whole seconds, 1 to 25. */
export function serverWait(seconds: number): number {
  return Math.max(1, Math.min(MAX_SERVER_WAIT, Math.floor(seconds)));
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date (RFC 9110, 10.2.3). */
export function parseRetryAfter(value: string | null): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const moment = Date.parse(text);
  return Number.isNaN(moment) ? undefined : Math.max(0, (moment - Date.now()) / 1000);
}

/** Waits `seconds`, or until `signal` aborts (then throws its reason). */
export function sleep(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

function parseJson(content: Uint8Array): unknown {
  if (content.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(content));
  } catch {
    return undefined;
  }
}
