/**
 * The TypeScript client against a local HTTP stand-in for the API: real requests, no AWS.
 * Retries and their backoff, Idempotency-Keys, the error mapping, waiting, paging, aborting.
 */

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";

import {
  Client,
  Conflict,
  ConnectionFailed,
  IdempotencyKeyReused,
  NotFound,
  RateLimited,
  ServerError,
  ValidationError,
  WaitTimeout,
} from "../src/index.js";
import { apiError, clientFor, DROP, JOB_ID, jobBody, pollUntil, withStandIn } from "./standin.js";

const JOBS = "POST /v1/jobs";
const JOB = `GET /v1/jobs/${JOB_ID}`;
const APPLIED = { "Preference-Applied": "wait=25" };

async function seconds<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, (performance.now() - started) / 1000];
}

describe("creating a job", () => {
  test("sends a fresh Idempotency-Key, the API key and only the fields given", () =>
    withStandIn(async (api) => {
      // Given an API that accepts jobs
      api.script(JOBS, { status: 202, body: jobBody() });
      const client = clientFor(api);

      // When two jobs are created
      await client.jobs.create({ prompt: "a cat", width: 256, format: "jpeg" });
      await client.jobs.create({ prompt: "a cat" });

      // Then each request has its own UUID key, the API key, the body as given, no Prefer
      const [first, second] = api.to(JOBS);
      assert.ok(first && second);
      assert.match(String(first.headers["idempotency-key"]), /^[0-9a-f-]{36}$/);
      assert.notEqual(first.headers["idempotency-key"], second.headers["idempotency-key"]);
      assert.equal(first.headers["x-api-key"], "the-key");
      assert.deepEqual(first.body, { prompt: "a cat", width: 256, format: "jpeg" });
      assert.equal(first.headers["prefer"], undefined);
    }));

  test("sends a given Idempotency-Key as is", () =>
    withStandIn(async (api) => {
      api.script(JOBS, { status: 202, body: jobBody() });
      await clientFor(api).jobs.create({ prompt: "a cat" }, { idempotencyKey: "order-42" });
      assert.equal(api.to(JOBS)[0]?.headers["idempotency-key"], "order-42");
    }));

  test("sends cancelAfter as the Cancel-After header", () =>
    withStandIn(async (api) => {
      api.script(JOBS, { status: 202, body: jobBody() });
      await clientFor(api).jobs.create({ prompt: "a cat" }, { cancelAfter: "1h30m" });
      await clientFor(api).jobs.create({ prompt: "a cat" }, { cancelAfter: 2.5 });
      assert.deepEqual(
        api.to(JOBS).map((r) => r.headers["cancel-after"]),
        ["1h30m", "3s"],
      );
    }));

  test("retries while the API still processes the same key", () =>
    withStandIn(async (api) => {
      api.script(JOBS, apiError(409, "request_in_progress", undefined, { "Retry-After": "0" }), {
        status: 202,
        body: jobBody(),
      });
      const job = await clientFor(api).jobs.create({ prompt: "a cat" });
      assert.equal(job.job_id, JOB_ID);
      const keys = new Set(api.to(JOBS).map((r) => r.headers["idempotency-key"]));
      assert.deepEqual([api.to(JOBS).length, keys.size], [2, 1]);
    }));
});

describe("retries", () => {
  for (const [name, first] of [
    ["a 503", apiError(503, "service_unavailable", undefined, { "Retry-After": "0" })],
    ["a 429", apiError(429, "too_many_requests")],
    ["a lost answer", DROP],
  ] as const) {
    test(`${name} is retried with the same Idempotency-Key`, () =>
      withStandIn(async (api) => {
        // Given an API whose first answer refuses, or is lost
        api.script(JOBS, first, { status: 202, body: jobBody() });

        // When a job is created
        const job = await clientFor(api).jobs.create({ prompt: "a cat" });

        // Then the retry carried the same key, so the API can never make two jobs
        const [one, two] = api.to(JOBS);
        assert.equal(job.job_id, JOB_ID);
        assert.equal(api.to(JOBS).length, 2);
        assert.equal(one?.headers["idempotency-key"], two?.headers["idempotency-key"]);
      }));
  }

  test("honour Retry-After, capped at backoffMax", () =>
    withStandIn(async (api) => {
      // Given an API that asks for 1 s, then for an hour
      api.script(
        JOB,
        apiError(429, "too_many_requests", undefined, { "Retry-After": "1" }),
        apiError(503, "service_unavailable", undefined, { "Retry-After": "3600" }),
        { status: 200, body: jobBody() },
      );

      // When the job is read by a client whose longest pause is 1.5 s
      const [, elapsed] = await seconds(() => clientFor(api, { backoffMax: 1.5 }).jobs.get(JOB_ID));

      // Then it waited the second asked for, then its own cap, not an hour
      assert.equal(api.to(JOB).length, 3);
      assert.ok(elapsed >= 2.5 && elapsed < 10, `${elapsed} s`);
    }));

  test("grow the backoff between attempts", () =>
    withStandIn(async (api) => {
      // Given an API that answers 503 (no Retry-After) three times
      const refused = apiError(503, "x");
      api.script(JOB, refused, refused, refused, { status: 200, body: jobBody() });

      // When the job is read, then the pauses grew: 0, then 0.4, then 0.8 s, less jitter
      const [, elapsed] = await seconds(() =>
        clientFor(api, { backoffFactor: 0.2 }).jobs.get(JOB_ID),
      );
      assert.equal(api.to(JOB).length, 4);
      assert.ok(elapsed >= 0.2 * 2 + 0.2 * 4 - 0.3, `${elapsed} s`);
    }));

  test("end with the typed error and the API's Retry-After", () =>
    withStandIn(async (api) => {
      api.script(JOB, apiError(429, "too_many_requests", undefined, { "Retry-After": "0" }));
      await assert.rejects(clientFor(api, { maxRetries: 2 }).jobs.get(JOB_ID), (error) => {
        assert.ok(error instanceof RateLimited);
        assert.deepEqual([error.status, error.retryAfter], [429, 0]);
        return true;
      });
      assert.equal(api.to(JOB).length, 3);
    }));

  test("end in ConnectionFailed when the API cannot be reached", async () => {
    // Given a port nothing listens on
    const probe = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => probe.once("listening", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const client = new Client(`http://127.0.0.1:${port}/`, { maxRetries: 2, backoffFactor: 0.01 });

    // When a job is created, then
    await assert.rejects(client.jobs.create({ prompt: "a cat" }), ConnectionFailed);
  });

  test("stop at a request that takes longer than the timeout, but not at a long poll", () =>
    withStandIn(async (api) => {
      // Given an API that takes 1.5 s to answer, and a client whose timeout is 0.5 s
      api.script(JOB, { status: 200, body: jobBody("succeeded"), headers: APPLIED, delay: 1.5 });
      const client = clientFor(api, { timeout: 0.5, maxRetries: 0 });

      // Then a long poll gets its answer (its timeout is the wait plus a margin)
      assert.equal((await client.jobs.get(JOB_ID, { wait: 1 })).status, "succeeded");
      // And a plain read is bounded by the client's timeout
      await assert.rejects(client.jobs.get(JOB_ID), ConnectionFailed);
    }));
});

describe("errors", () => {
  for (const [answer, kind, code, field] of [
    [apiError(404, "not_found"), NotFound, "not_found", undefined],
    [apiError(422, "validation_error", "width"), ValidationError, "validation_error", "width"],
    [apiError(400, "validation_error", "Prefer"), ValidationError, "validation_error", "Prefer"],
    [
      apiError(422, "idempotency_key_reused"),
      IdempotencyKeyReused,
      "idempotency_key_reused",
      undefined,
    ],
    [apiError(409, "conflict"), Conflict, "conflict", undefined],
    [apiError(500, "internal_error"), ServerError, "internal_error", undefined],
    [
      { status: 502, raw: Buffer.from("<html>Bad Gateway</html>") },
      ServerError,
      "http_502",
      undefined,
    ],
  ] as const) {
    test(`${answer.status} ${code} is ${kind.name}, and not retried`, () =>
      withStandIn(async (api) => {
        api.script(JOBS, answer);
        await assert.rejects(clientFor(api).jobs.create({ prompt: "a cat" }), (error) => {
          assert.ok(error instanceof kind);
          assert.deepEqual([error.status, error.code, error.field], [answer.status, code, field]);
          return true;
        });
        assert.equal(api.to(JOBS).length, 1);
      }));
  }
});

describe("waiting", () => {
  test("create with wait asks the API to wait, and long-polls for the rest", () =>
    withStandIn(async (api) => {
      // Given an API that waited its longest (25 s) and answered 202, then finishes the job
      api.script(JOBS, { status: 202, body: jobBody("running"), headers: APPLIED });
      api.script(JOB, { status: 200, body: jobBody("succeeded"), headers: APPLIED });

      // When a job is created with wait: 60
      const job = await clientFor(api).jobs.create({ prompt: "a cat" }, { wait: 60 });

      // Then the create asked for 25 s, and the client long-polled for the rest
      assert.equal(api.to(JOBS)[0]?.headers["prefer"], "wait=25");
      assert.match(String(api.to(JOB)[0]?.headers["prefer"]), /^wait=\d+$/);
      assert.equal(job.status, "succeeded");
    }));

  test("create with wait: true waits until the job ends", () =>
    withStandIn(async (api) => {
      api.script(JOBS, { status: 202, body: jobBody("running"), headers: APPLIED });
      const running = { status: 200, body: jobBody("running"), headers: APPLIED };
      api.script(JOB, running, { status: 200, body: jobBody("succeeded"), headers: APPLIED });

      const job = await clientFor(api).jobs.create({ prompt: "a cat" }, { wait: true });

      assert.equal(job.status, "succeeded");
      assert.deepEqual(
        [...api.to(JOBS), ...api.to(JOB)].map((r) => r.headers["prefer"]),
        ["wait=25", "wait=25", "wait=25"],
      );
    }));

  test("wait long-polls until the job ends, with no pause between", () =>
    withStandIn(async (api) => {
      const running = { status: 200, body: jobBody("running"), headers: APPLIED };
      api.script(JOB, running, running, { status: 200, body: jobBody("failed"), headers: APPLIED });
      const seen: string[] = [];

      const job = await clientFor(api).jobs.wait(JOB_ID, {
        timeout: 120,
        onUpdate: (j) => seen.push(j.status),
      });

      assert.equal(job.status, "failed");
      assert.deepEqual(seen, ["running", "running", "failed"]);
      assert.deepEqual(
        api.to(JOB).map((r) => r.headers["prefer"]),
        ["wait=25", "wait=25", "wait=25"],
      );
    }));

  test("wait is bounded: WaitTimeout with the job as it stood", () =>
    withStandIn(async (api) => {
      // Given a job that never ends, on an API that ignores Prefer (no Preference-Applied)
      api.script(JOB, { status: 200, body: jobBody("running") });

      // When the caller waits 1.5 s, then it gives up on time, having paused between reads
      const started = performance.now();
      await assert.rejects(clientFor(api).jobs.wait(JOB_ID, { timeout: 1.5 }), (error) => {
        assert.ok(error instanceof WaitTimeout);
        assert.equal(error.job.status, "running");
        return true;
      });
      const elapsed = (performance.now() - started) / 1000;
      assert.ok(elapsed >= 1.5 && elapsed < 5, `${elapsed} s`);
      assert.ok(api.to(JOB).length >= 2 && api.to(JOB).length <= 5);
    }));

  test("an aborted wait aborts its request: the connection closes, nothing follows", () =>
    withStandIn(async (api) => {
      // Given a job the API long-polls for 30 s
      api.script(JOB, { status: 200, body: jobBody("running"), headers: APPLIED, delay: 30 });
      const controller = new AbortController();

      // When the caller aborts a wait while its request is in flight
      const waiting = clientFor(api).jobs.wait(JOB_ID, { timeout: 120, signal: controller.signal });
      await pollUntil(() => api.to(JOB).length === 1);
      controller.abort();

      // Then the wait rejects with the abort, the API sees the request abandoned and no
      // connection is left open
      await assert.rejects(waiting, { name: "AbortError" });
      await pollUntil(() => api.abandoned.length === 1 && api.openConnections === 0);
      assert.equal(api.to(JOB).length, 1);
    }));
});

describe("listing, cancel, download", () => {
  test("list iterates across pages with the cursor", () =>
    withStandIn(async (api) => {
      // Given two pages of jobs
      const ids = ["a", "b", "c"].map((n) => `${n}0000000-0000-4000-8000-000000000000`);
      api.script(
        "GET /v1/jobs",
        {
          status: 200,
          body: {
            jobs: ids.slice(0, 2).map((id) => jobBody("succeeded", { job_id: id })),
            next_cursor: "c2",
          },
        },
        {
          status: 200,
          body: { jobs: [jobBody("succeeded", { job_id: ids[2]! })], next_cursor: null },
        },
      );

      // When the caller lists their succeeded jobs
      const listed: string[] = [];
      for await (const job of clientFor(api).jobs.list({ status: "succeeded", pageSize: 2 }))
        listed.push(job.job_id);

      // Then every job of both pages, in order, the second page asked for with the cursor
      assert.deepEqual(listed, ids);
      const [first, second] = api.to("GET /v1/jobs");
      assert.equal(first?.query.get("status"), "succeeded");
      assert.equal(first?.query.get("limit"), "2");
      assert.equal(second?.query.get("cursor"), "c2");
    }));

  test("a retried cancel that finds the job canceled returns it", () =>
    withStandIn(async (api) => {
      api.script(`POST /v1/jobs/${JOB_ID}/cancel`, DROP, apiError(409, "conflict"));
      api.script(JOB, { status: 200, body: jobBody("canceled") });
      assert.equal((await clientFor(api).jobs.cancel(JOB_ID)).status, "canceled");
    }));

  test("cancel of a finished job is a Conflict", () =>
    withStandIn(async (api) => {
      api.script(`POST /v1/jobs/${JOB_ID}/cancel`, apiError(409, "conflict"));
      api.script(JOB, { status: 200, body: jobBody("succeeded") });
      await assert.rejects(clientFor(api).jobs.cancel(JOB_ID), Conflict);
    }));

  test("download returns the image's bytes and never sends the API key", () =>
    withStandIn(async (api) => {
      api.script("GET /v1/images/0.png", {
        status: 200,
        raw: Buffer.from("\x89PNG fake", "latin1"),
      });
      api.script(JOB, { status: 200, body: jobBody("succeeded", {}, `${api.url}images/0.png`) });
      const client = clientFor(api);

      const job = await client.jobs.get(JOB_ID);
      const bytes = await client.download(job.images[0]!);

      assert.equal(Buffer.from(bytes).toString("latin1"), "\x89PNG fake");
      assert.equal(api.to("GET /v1/images/0.png")[0]?.headers["x-api-key"], undefined);
    }));
});
