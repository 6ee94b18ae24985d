/**
 * A scripted local HTTP stand-in for the API (node:http), for the client's unit tests; the
 * Python SDK's tests/support/api_standin.py, in TypeScript.
 *
 * Each request is recorded and answered by the next scripted answer for its route, the last
 * one repeating; `DROP` closes the connection unanswered, as a lost answer does. A delayed
 * answer (a long poll) notices a client that hangs up first. It counts open connections.
 */

import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import {
  Client,
  type ClientOptions,
  type Job,
  type JobStatus,
  type Model,
  type ModelList,
  type ModelTask,
  type Upload,
} from "../src/index.js";

export const JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14";
export const DROP = "drop";
export const UPLOAD_ID = "up_0123456789abcdef0123456789abcdef";
/** Where the stand-in takes presigned POSTs, as S3 would (path-style: /<bucket>). */
export const UPLOADS = "POST /v1/uploads";
export const S3_POST = "POST /images";

export interface Scripted {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Uint8Array;
  /** Seconds before the answer, as a slow server or a long poll. */
  delay?: number;
}

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body, parsed; undefined for any other. */
  body: unknown;
  raw: Buffer;
}

/** A multipart/form-data body's parts, in order, as fetch's own parser reads them. */
export async function formOf(received: Received): Promise<[string, string | File][]> {
  const type = String(received.headers["content-type"]);
  const form = await new Response(received.raw, { headers: { "content-type": type } }).formData();
  return [...form.entries()];
}

export class StandIn {
  url = "";
  readonly received: Received[] = [];
  /** Requests whose client hung up while their answer was delayed. */
  readonly abandoned: Received[] = [];
  private readonly routes = new Map<string, (Scripted | typeof DROP)[]>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer(
    (request, response) => void this.handle(request, response),
  );

  /** `route` is "METHOD /path" (without the query). */
  script(route: string, ...answers: (Scripted | typeof DROP)[]): void {
    this.routes.set(route, answers);
  }

  to(route: string): Received[] {
    return this.received.filter((r) => `${r.method} ${r.path}` === route);
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async start(): Promise<this> {
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, "close");
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? "/", "http://standin");
    const json = String(request.headers["content-type"]).startsWith("application/json");
    const received: Received = {
      method: request.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: raw.length && json ? JSON.parse(raw.toString()) : undefined,
      raw,
    };
    this.received.push(received);
    const answer = this.next(`${received.method} ${received.path}`);
    if (answer === DROP) {
      request.socket.destroy();
      return;
    }
    if (answer.delay && (await hungUpWithin(request.socket, answer.delay))) {
      this.abandoned.push(received);
      return;
    }
    const payload = answer.raw ?? Buffer.from(JSON.stringify(answer.body ?? null));
    response.writeHead(answer.status, {
      "Content-Type": "application/json",
      "Content-Length": String(payload.length),
      ...answer.headers,
    });
    response.end(payload);
  }

  private next(route: string): Scripted | typeof DROP {
    const answers = this.routes.get(route);
    if (!answers?.length)
      return { status: 404, body: { error: "not_found", message: "No such resource" } };
    return (answers.length > 1 ? answers.shift() : answers[0])!;
  }
}

/** Waits `seconds` for the answer's time; true if the client closed the connection first. */
function hungUpWithin(socket: Socket, seconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off("close", closed);
      resolve(false);
    }, seconds * 1000);
    const closed = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once("close", closed);
  });
}

/** A client of the stand-in, its backoff in milliseconds: the tests measure behaviour, not patience. */
export function clientFor(api: StandIn, options: ClientOptions = {}): Client {
  return new Client(api.url, { apiKey: "the-key", backoffFactor: 0.01, ...options });
}

export async function withStandIn(run: (api: StandIn) => Promise<void>): Promise<void> {
  const api = await new StandIn().start();
  try {
    await run(api);
  } finally {
    await api.stop();
  }
}

/** An error answer in the API's shape; with `field`, a validation error naming it. */
export function apiError(
  status: number,
  code: string,
  field?: string,
  headers: Record<string, string> = {},
): Scripted {
  const detail = field ? [{ loc: ["body", field], field, msg: "bad", type: "value_error" }] : [];
  return { status, body: { error: code, message: `${code} happened`, detail }, headers };
}

/** A job as the API shows it (typed as the document's JobView); a succeeded one has an image. */
export function jobBody(
  status: JobStatus = "queued",
  changes: Partial<Job> = {},
  imageUrl = "http://images.invalid/0.png",
): Job {
  return {
    job_id: JOB_ID,
    status,
    parameters: {
      prompt: "p",
      negative_prompt: null,
      model: "pillow",
      task: "text-to-image",
      aspect_ratio: null,
      width: 64,
      height: 64,
      seed: 1,
      num_images: 1,
      format: "png",
      quality: null,
      style: "none",
      guidance: 6.5,
      strength: null,
      image: null,
    },
    engine: "pillow",
    created_at: "2026-11-23T08:00:00Z",
    updated_at: "2026-11-23T08:00:00Z",
    started_at: null,
    finished_at: null,
    expires_at: "2026-11-30T08:00:00Z",
    images:
      status === "succeeded"
        ? [{ url: imageUrl, width: 64, height: 64, format: "png", seed: 1 }]
        : [],
    error: status === "failed" ? { type: "render_failed", message: "the engine refused" } : null,
    cancel_requested: false,
    ignored_parameters: [],
    webhook: null,
    webhook_events_filter: null,
    webhook_deliveries: [],
    metrics: {
      queued_seconds: 0,
      running_seconds: null,
      model_seconds: 0,
      model_seconds_per_image: [],
      total_seconds: 0,
      attempts: 0,
      throttled_waits: 0,
    },
    ...changes,
  };
}

/** `POST /uploads` as the service answers it (the fields of a SigV4 presigned POST). */
export function uploadBody(api: StandIn, maxBytes = 20 * 1024 * 1024): Upload {
  return {
    upload_id: UPLOAD_ID,
    url: new URL("/images", api.url).href,
    fields: {
      key: `uploads/owner/${UPLOAD_ID}`,
      "x-amz-algorithm": "AWS4-HMAC-SHA256",
      "x-amz-credential": "AKIA/20261206/us-east-1/s3/aws4_request",
      "x-amz-date": "20261206T080000Z",
      policy: "eyJjb25kaXRpb25zIjogW119",
      "x-amz-signature": "0".repeat(64),
    },
    expires_at: "2026-12-06T08:15:00Z",
    max_bytes: maxBytes,
  };
}

const RATIOS: Model["parameters"]["aspect_ratios"] = ["1:1", "16:9", "2:3", "3:2", "9:16"];

/** A task as GET /models shows it: `changes` on a plain text-to-image. */
function task(name: ModelTask["task"], changes: Partial<ModelTask> = {}): ModelTask {
  return {
    task: name,
    images: [],
    mask: false,
    prompt: "required",
    numbers: {},
    texts: [],
    aspect_ratio: name === "text-to-image",
    modes: [],
    alpha: false,
    seeded: true,
    output: "the aspect ratio's size",
    ...changes,
  };
}

const IMAGE_TO_IMAGE = task("image-to-image", {
  images: ["image"],
  numbers: { strength: { min: 0, max: 1, default: 0.5 } },
  output: "the input image's size",
});

/**
 * `GET /models` of a deployment offering the built-in renderer (the default) and SD3.5 Large,
 * gone Legacy: typed as the document's ModelListView, so tsc holds it to the API's shape.
 */
export function modelsBody(): ModelList {
  const price = { as_of: "2026-12-06", source: "a price table" };
  const common = {
    provider: "Stability AI",
    description: "a model",
    prompt: { max_length: 2000 },
    seed: { min: 1, max: 2147483646, default: null },
    num_images: { min: 1, max: 4, default: 1 },
  };
  return {
    models: [
      {
        ...common,
        id: "pillow",
        name: "Built-in renderer",
        provider: "imagejobs",
        default: true,
        tasks: [
          task("text-to-image"),
          IMAGE_TO_IMAGE,
          task("outpaint", {
            images: ["image"],
            prompt: "optional",
            numbers: Object.fromEntries(
              ["left", "right", "up", "down"].map((m) => [m, { min: 0, max: 2000, default: 0 }]),
            ),
            output: "the input image plus the margins",
          }),
          task("remove-background", {
            images: ["image"],
            prompt: "none",
            alpha: true,
            seeded: false,
          }),
        ],
        parameters: {
          prompt: common.prompt,
          negative_prompt: true,
          aspect_ratios: RATIOS,
          side: { min: 64, max: 4096, default: null },
          seed: common.seed,
          num_images: common.num_images,
          formats: ["png", "jpeg", "webp"],
          guidance: { min: 1.1, max: 10, default: 6.5 },
          image: null,
        },
        price_per_image_usd: 0,
        price: { ...price, usd_per_image: 0, verified: true },
        lifecycle: { status: "active", end_of_life: null, checked_at: null, reason: null },
      },
      {
        ...common,
        id: "stability.sd3-5-large-v1:0",
        name: "Stable Diffusion 3.5 Large",
        default: false,
        tasks: [task("text-to-image"), IMAGE_TO_IMAGE],
        parameters: {
          prompt: common.prompt,
          negative_prompt: true,
          aspect_ratios: RATIOS,
          side: null,
          seed: common.seed,
          num_images: common.num_images,
          formats: ["png"],
          guidance: null,
          image: null,
        },
        price_per_image_usd: 0.08,
        price: { ...price, usd_per_image: 0.08, verified: false },
        lifecycle: {
          status: "legacy",
          end_of_life: "2027-06-30",
          checked_at: "2026-12-06T08:00:00Z",
          reason: null,
        },
      },
    ],
  };
}

/** Polls `condition` until it holds; fails after `within` s. */
export async function pollUntil(condition: () => boolean, within = 5): Promise<void> {
  const deadline = Date.now() + within * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
