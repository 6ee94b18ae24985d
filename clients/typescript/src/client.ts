/**
 * `new Client(apiUrl, { apiKey })`, its `jobs` and its `models`: the Python SDK's `Client`, for
 * TypeScript.
 *
 *     const client = new Client(apiUrl, { apiKey });
 *     const job = await client.jobs.create({ prompt: "a red fox" }, { wait: 20 });
 *     const png = await client.download(job.images[0]!);
 *     const models = await client.models.list();
 *     const cutout = await client.jobs.create(
 *       { task: "remove-background", image: jobImage(job) },
 *       { wait: true },
 *     );
 */

import { Conflict, WaitTimeout } from "./errors.js";
import { isFile } from "./images.js";
import { type Answer, type ClientOptions, MAX_SERVER_WAIT, sleep, Transport } from "./transport.js";
import {
  type CreateRequest,
  IMAGE_FIELDS,
  type Image,
  type Job,
  type JobList,
  type JobRequest,
  type JobStatus,
  type Model,
  type ModelList,
  isTerminal,
} from "./types.js";
import { Uploads } from "./uploads.js";

/** The longest one wait may take: `wait: true` means "until it ends", within this. */
const UNTIL_ENDED = 600;
/** How many times a create retries while the API still processes the same Idempotency-Key. */
const IN_PROGRESS_RETRIES = 5;

export interface CreateOptions {
  /**
   * Return once the job has ended or this many seconds have passed, whichever is first (check
   * `isTerminal(job)`); up to 25 s is one request, and `true` waits until it ends (at most 10
   * minutes).
   */
  wait?: number | boolean;
  /** Sent as `Idempotency-Key`; a new UUID unless given, so a retry never makes a second job. */
  idempotencyKey?: string;
  /**
   * A deadline, sent as `Cancel-After`: `"90s"`, `"5m"`, `"1h30m"`, or a number of seconds. A
   * job not ended by then is canceled, with `error.type` `"deadline_exceeded"`.
   */
  cancelAfter?: string | number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Seconds to wait at most; then `WaitTimeout`, with the job as it stood. */
  timeout: number;
  /** The longest single long poll, in seconds (25). */
  poll?: number;
  /** Called with the job after each read. */
  onUpdate?: (job: Job) => void;
  /** Stops waiting: the request in flight is aborted, and the signal's reason thrown. */
  signal?: AbortSignal;
}

export interface ListOptions {
  status?: JobStatus;
  /** Jobs per request (20). */
  pageSize?: number;
  signal?: AbortSignal;
}

/** The `Cancel-After` header: a duration as the API spells it, or whole seconds, rounded up. */
export function cancelAfter(value: string | number): string {
  return typeof value === "string" ? value : `${Math.ceil(value)}s`;
}

export class Client {
  readonly jobs: Jobs;
  readonly models: Models;
  readonly uploads: Uploads;
  private readonly transport: Transport;

  /** The imagejobs API at `apiUrl` (the stage's URL, e.g. `https://…/v1/`). */
  constructor(apiUrl: string, options: ClientOptions = {}) {
    this.transport = new Transport(apiUrl, options);
    this.uploads = new Uploads(this.transport);
    this.jobs = new Jobs(this.transport, this.uploads);
    this.models = new Models(this.transport);
  }

  /** The bytes of an image of a succeeded job (its presigned URL; the API key is not sent). */
  download(
    image: Pick<Image, "url"> | string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    return this.transport.download(typeof image === "string" ? image : image.url, options.signal);
  }
}

export class Jobs {
  constructor(
    private readonly transport: Transport,
    private readonly uploads: Uploads,
  ) {}

  /**
   * Submits a job. An edit names its `task` and takes `image` (and `mask`, `style_image`) as any
   * `ImageSource`: a file is uploaded first (`uploads.create`), and the job names the upload.
   * `NotFound` naming the field if an upload or job named is not yours (or has expired).
   *
   * Every create sends an Idempotency-Key, so a retry after a lost answer returns the same job;
   * one that meets `409 request_in_progress` (its own earlier attempt, still being processed)
   * waits and tries again.
   */
  async create(request: CreateRequest, options: CreateOptions = {}): Promise<Job> {
    const seconds = options.wait === true ? UNTIL_ENDED : options.wait || undefined;
    const started = Date.now();
    const headers: Record<string, string> = {
      "Idempotency-Key": options.idempotencyKey ?? crypto.randomUUID(),
    };
    if (options.cancelAfter !== undefined)
      headers["Cancel-After"] = cancelAfter(options.cancelAfter);
    const { signal } = options;
    // Each image as the API takes it, files uploaded first (once: a retried create below sends
    // the same upload ids).
    const body: JobRequest = { ...request } as JobRequest;
    for (const field of IMAGE_FIELDS) {
      const given = request[field];
      if (isFile(given)) {
        body[field] = { upload_id: await this.uploads.create(given, signal ? { signal } : {}) };
      }
    }
    let answer: Answer | undefined;
    for (let attempt = 0; answer === undefined; attempt++) {
      try {
        answer = await this.transport.call("POST", "jobs", {
          body,
          headers,
          wait: seconds,
          signal,
        });
      } catch (error) {
        if (
          !(error instanceof Conflict) ||
          error.code !== "request_in_progress" ||
          attempt === IN_PROGRESS_RETRIES
        ) {
          throw error;
        }
        await sleep(error.retryAfter === undefined ? 1 : Math.min(error.retryAfter, 5), signal);
      }
    }
    const job = answer.payload as Job;
    if (seconds === undefined || isTerminal(job)) return job;
    const left = seconds - (Date.now() - started) / 1000;
    if (left < 1) return job;
    try {
      return await this.wait(job.job_id, { timeout: left, ...(signal && { signal }) });
    } catch (error) {
      if (error instanceof WaitTimeout) return error.job;
      throw error;
    }
  }

  /** The job; with `wait` (1 to 25 s) a long poll that answers as soon as it has ended. */
  async get(jobId: string, options: { wait?: number; signal?: AbortSignal } = {}): Promise<Job> {
    return (await this.read(jobId, options.wait, options.signal)).job;
  }

  /**
   * The job once it has ended; `WaitTimeout` after `timeout` s. Long polls of at most `poll` s
   * each, so there is no request loop; against an API that does not honour `Prefer: wait`, it
   * polls with a growing pause.
   */
  async wait(jobId: string, options: WaitOptions): Promise<Job> {
    const { timeout, poll = MAX_SERVER_WAIT, onUpdate, signal } = options;
    const deadline = Date.now() + timeout * 1000;
    let pause = 0.5;
    for (;;) {
      let left = (deadline - Date.now()) / 1000;
      const { job, waited } = await this.read(
        jobId,
        left >= 1 ? Math.min(left, poll) : undefined,
        signal,
      );
      onUpdate?.(job);
      if (isTerminal(job)) return job;
      left = (deadline - Date.now()) / 1000;
      if (left <= 0) throw new WaitTimeout(job, timeout);
      if (!waited) {
        await sleep(Math.min(pause, left), signal);
        pause = Math.min(pause * 1.5, 5);
      }
    }
  }

  /**
   * Cancels a queued job at once, a running one shortly after (`cancel_requested`). `Conflict`
   * if the job had already ended; a retried cancel that finds the job canceled returns it.
   */
  async cancel(jobId: string, options: { signal?: AbortSignal } = {}): Promise<Job> {
    try {
      const answer = await this.transport.call(
        "POST",
        `jobs/${encodeURIComponent(jobId)}/cancel`,
        options,
      );
      return answer.payload as Job;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      const job = await this.get(jobId, options);
      if (job.status === "canceled" || job.cancel_requested) return job;
      throw error;
    }
  }

  /** Your jobs, newest first, across every page: `for await (const job of client.jobs.list())`. */
  async *list(options: ListOptions = {}): AsyncGenerator<Job, void, undefined> {
    const query: Record<string, string | undefined> = {
      limit: String(options.pageSize ?? 20),
      status: options.status,
    };
    for (;;) {
      const answer = await this.transport.call("GET", "jobs", { query, signal: options.signal });
      const page = answer.payload as JobList;
      yield* page.jobs;
      if (!page.next_cursor) return;
      query["cursor"] = page.next_cursor;
    }
  }

  /** The job, and whether the API long-polled for it. */
  private async read(jobId: string, wait: number | undefined, signal: AbortSignal | undefined) {
    const answer = await this.transport.call("GET", `jobs/${encodeURIComponent(jobId)}`, {
      wait,
      signal,
    });
    return { job: answer.payload as Job, waited: answer.headers.has("preference-applied") };
  }
}

export class Models {
  constructor(private readonly transport: Transport) {}

  /**
   * The models this deployment offers (`GET /models`), the default among them: what each
   * takes (tasks, aspect ratios, limits), costs, and whether it can be used (`lifecycle`).
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<Model[]> {
    const answer = await this.transport.call("GET", "models", options);
    return (answer.payload as ModelList).models;
  }
}
