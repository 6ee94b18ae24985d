/**
 * The client against the deployed stack on LocalStack: create, wait, download, list, cancel.
 *
 * The stack's coordinates come from IMAGEJOBS_API_URL and IMAGEJOBS_API_KEY (as
 * tests/e2e/test_typescript_client.py passes the pytest session's stack), else from the file
 * `make up` writes (.localstack/stack.json). For an https URL, NODE_EXTRA_CA_CERTS names the CA.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Client, isTerminal, jobImage, NotFound, ValidationError } from "../../src/index.js";

function stack(): { apiUrl: string; apiKey: string } {
  const { IMAGEJOBS_API_URL: apiUrl, IMAGEJOBS_API_KEY: apiKey } = process.env;
  if (apiUrl && apiKey) return { apiUrl, apiKey };
  const file = new URL("../../../../../.localstack/stack.json", import.meta.url);
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as { api_url: string; api_key: string };
    return { apiUrl: state.api_url, apiKey: state.api_key };
  } catch {
    throw new Error("no stack: set IMAGEJOBS_API_URL and IMAGEJOBS_API_KEY, or run `make up`");
  }
}

/** The width and height of a PNG, from its IHDR chunk; fails if the bytes are not a PNG. */
function pngSize(bytes: Uint8Array): [number, number] {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

/** Whether a PNG has an alpha channel: its IHDR colour type is 4 (grey + alpha) or 6 (RGBA). */
function pngHasAlpha(bytes: Uint8Array): boolean {
  return [4, 6].includes(bytes[25]!);
}

async function finished(job: Awaited<ReturnType<Client["jobs"]["create"]>>) {
  const ended = isTerminal(job) ? job : await client.jobs.wait(job.job_id, { timeout: 120 });
  assert.equal(ended.status, "succeeded", JSON.stringify(ended.error));
  return ended;
}

const { apiUrl, apiKey } = stack();
const client = new Client(apiUrl, { apiKey });

test("a job is created, waited for, downloaded and listed", async () => {
  // When "a red fox" is created with wait: 20 (one request), and waited for if need be
  let job = await client.jobs.create(
    { prompt: "a red fox", width: 256, height: 256 },
    { wait: 20 },
  );
  if (!isTerminal(job)) job = await client.jobs.wait(job.job_id, { timeout: 120 });

  // Then it succeeded with one 256x256 PNG, which downloads
  assert.equal(job.status, "succeeded", JSON.stringify(job.error));
  const [image] = job.images;
  assert.ok(image);
  assert.deepEqual(pngSize(await client.download(image)), [256, 256]);

  // And it is listed, one job a page so that listing crosses pages (at most 50 of them)
  const listed: string[] = [];
  for await (const each of client.jobs.list({ pageSize: 1 })) {
    listed.push(each.job_id);
    if (each.job_id === job.job_id || listed.length === 50) break;
  }
  assert.ok(listed.includes(job.job_id));
});

test("a job is cancelled, and a wait with a bound and an AbortSignal sees it end", async () => {
  // Given a job far too large to finish at once (four 2048x2048 images)
  const big = await client.jobs.create({
    prompt: "a crowded harbour",
    width: 2048,
    height: 2048,
    num_images: 4,
  });

  // When it is cancelled and waited for
  const canceled = await client.jobs.cancel(big.job_id);
  const ended = await client.jobs.wait(big.job_id, {
    timeout: 120,
    signal: AbortSignal.timeout(150_000),
  });

  // Then the cancel took, at once or shortly after
  assert.ok(canceled.status === "canceled" || canceled.cancel_requested, canceled.status);
  assert.equal(ended.status, "canceled");
});

test("a request the API refuses is a typed error naming the field", async () => {
  await assert.rejects(client.jobs.create({ prompt: "a red fox", width: 9999 }), (error) => {
    assert.ok(error instanceof ValidationError);
    assert.deepEqual([error.status, error.field], [422, "width"]);
    return true;
  });
});

test("the models are listed, and a job drawn at one of its model's aspect ratios", async () => {
  // Given the deployment's models, and its default (on LocalStack, the built-in renderer)
  const models = await client.models.list();
  const model = models.find((m) => m.default);
  assert.ok(model, JSON.stringify(models.map((m) => m.id)));
  assert.ok(model.parameters.aspect_ratios.includes("16:9"));

  // When a job names that model and 16:9
  let job = await client.jobs.create(
    { prompt: "a harbour at dawn", model: model.id, aspect_ratio: "16:9" },
    { wait: 20 },
  );
  if (!isTerminal(job)) job = await client.jobs.wait(job.job_id, { timeout: 120 });

  // Then the job records both, and its picture is 16:9 (to the built-in renderer's whole
  // multiples of 8), the size it reports
  assert.equal(job.status, "succeeded", JSON.stringify(job.error));
  assert.deepEqual([job.parameters.model, job.parameters.aspect_ratio], [model.id, "16:9"]);
  const [image] = job.images;
  assert.ok(image);
  const [width, height] = pngSize(await client.download(image));
  assert.deepEqual([width, height], [image.width, image.height]);
  assert.ok(Math.abs(width / height - 16 / 9) < 0.01, `${width}x${height}`);
});

test("a file goes up, its background comes off, and the cut-out is upscaled from the job", async () => {
  // Given a picture on hand (drawn here: 160x120, opaque)
  const drawn = await finished(
    await client.jobs.create(
      { prompt: "a red apple on a table", width: 160, height: 120 },
      { wait: 20 },
    ),
  );
  const photo = await client.download(drawn.images[0]!);
  assert.equal(pngHasAlpha(photo), false);

  // When its bytes are given to remove-background (uploaded through the presigned POST)
  const cutout = await finished(
    await client.jobs.create({ task: "remove-background", image: photo }, { wait: 20 }),
  );

  // Then the job records the upload, and the result has the photo's size and real alpha
  assert.equal(cutout.parameters.image?.source, "upload");
  const cut = await client.download(cutout.images[0]!);
  assert.deepEqual(pngSize(cut), [160, 120]);
  assert.equal(pngHasAlpha(cut), true);

  // And a fast upscale of the cut-out, named by its job, is four times the size, alpha kept
  const bigger = await finished(
    await client.jobs.create(
      { task: "upscale", mode: "fast", image: jobImage(cutout) },
      { wait: 20 },
    ),
  );
  assert.deepEqual(bigger.parameters.image?.job_id, cutout.job_id);
  const big = await client.download(bigger.images[0]!);
  assert.deepEqual(pngSize(big), [640, 480]);
  assert.equal(pngHasAlpha(big), true);
});

test("an upload id that is not this key's is NotFound naming the image", async () => {
  await assert.rejects(
    client.jobs.create({ task: "upscale", image: { upload_id: `up_${"0".repeat(32)}` } }),
    (error) => {
      assert.ok(error instanceof NotFound);
      assert.deepEqual([error.status, error.field], [404, "image"]);
      return true;
    },
  );
});
