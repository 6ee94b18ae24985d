/**
 * Images in, through the TypeScript client, against the local stand-in for the API (which also
 * takes the presigned POST, as S3 would): `uploads.create`, and `jobs.create` given a file, a
 * job's image, an upload or a data URL, with what each sends.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { jobImage, NotFound, UploadFailed } from "../src/index.js";
import {
  apiError,
  clientFor,
  formOf,
  JOB_ID,
  jobBody,
  S3_POST,
  type StandIn,
  UPLOAD_ID,
  uploadBody,
  UPLOADS,
  withStandIn,
} from "./standin.js";

const JOBS = "POST /v1/jobs";
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6]);
const WEBP = Uint8Array.from([...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WEBPVP8 ")]);

/** The stand-in offering uploads and taking the files, and accepting jobs. */
function offering(api: StandIn, maxBytes?: number): void {
  api.script(UPLOADS, { status: 201, body: uploadBody(api, maxBytes) });
  api.script(S3_POST, { status: 204, raw: new Uint8Array() });
  api.script(JOBS, { status: 202, body: jobBody() });
}

async function fileOf(api: StandIn, index = 0): Promise<File> {
  const parts = await formOf(api.to(S3_POST)[index]!);
  const file = parts.at(-1)![1];
  assert.ok(file instanceof File);
  return file;
}

describe("uploads", () => {
  for (const [name, bytes, type] of [
    ["PNG", PNG, "image/png"],
    ["JPEG", JPEG, "image/jpeg"],
    ["WebP", WEBP, "image/webp"],
  ] as const) {
    test(`a ${name} goes up as the signed fields, its type, then the file`, () =>
      withStandIn(async (api) => {
        // Given a deployment that offers a presigned POST
        offering(api);
        const offered = uploadBody(api);

        // When the file is uploaded (as a Blob whose own type says nothing)
        const id = await clientFor(api).uploads.create(new Blob([bytes]));

        // Then the API was asked (with the key), and S3 got every signed field in order, the
        // Content-Type read from the bytes, and the file last, without the key
        assert.equal(id, UPLOAD_ID);
        assert.equal(api.to(UPLOADS)[0]?.headers["x-api-key"], "the-key");
        const [posted] = api.to(S3_POST);
        assert.ok(posted);
        assert.equal(posted.headers["x-api-key"], undefined);
        assert.equal(Number(posted.headers["content-length"]), posted.raw.length);
        const parts = await formOf(posted);
        assert.deepEqual(
          parts.map(([field]) => field),
          [...Object.keys(offered.fields), "Content-Type", "file"],
        );
        assert.deepEqual(Object.fromEntries(parts.slice(0, -2)), offered.fields);
        assert.equal(parts.at(-2)?.[1], type);
        const file = await fileOf(api);
        assert.equal(file.type, type);
        assert.deepEqual(new Uint8Array(await file.arrayBuffer()), bytes);
      }));
  }

  test("what is no image, or too large, is refused before the file is sent", () =>
    withStandIn(async (api) => {
      offering(api, 8);
      const client = clientFor(api);
      await assert.rejects(client.uploads.create(Buffer.from("GIF89a")), TypeError);
      assert.equal(api.received.length, 0);
      await assert.rejects(client.uploads.create(PNG), /at most 8/);
      assert.equal(api.to(S3_POST).length, 0);
    }));

  test("S3 refusing the file is UploadFailed with S3's code, naming the file", () =>
    withStandIn(async (api) => {
      offering(api);
      const xml =
        "<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>";
      api.script(S3_POST, { status: 400, raw: Buffer.from(xml) });
      await assert.rejects(clientFor(api).uploads.create(PNG), (error) => {
        assert.ok(error instanceof UploadFailed);
        assert.deepEqual([error.status, error.code, error.field], [400, "EntityTooLarge", "file"]);
        assert.match(error.message, /exceeds the maximum allowed size/);
        return true;
      });
    }));

  test("S3 slowing down is retried, and the file sent again", () =>
    withStandIn(async (api) => {
      offering(api);
      api.script(
        S3_POST,
        { status: 503, raw: Buffer.from("<Error><Code>SlowDown</Code></Error>") },
        { status: 204, raw: new Uint8Array() },
      );
      assert.equal(await clientFor(api).uploads.create(PNG), UPLOAD_ID);
      assert.equal(api.to(S3_POST).length, 2);
      assert.deepEqual(new Uint8Array(await (await fileOf(api, 1)).arrayBuffer()), PNG);
    }));
});

describe("images in a job", () => {
  test("files are uploaded first, and the job names the uploads; no prompt is sent", () =>
    withStandIn(async (api) => {
      offering(api);
      await clientFor(api).jobs.create({ task: "inpaint", image: JPEG, mask: new Blob([PNG]) });
      assert.equal(api.to(S3_POST).length, 2);
      assert.deepEqual(new Uint8Array(await (await fileOf(api, 0)).arrayBuffer()), JPEG);
      const upload = { upload_id: UPLOAD_ID };
      assert.deepEqual(api.to(JOBS)[0]?.body, { task: "inpaint", image: upload, mask: upload });
    }));

  test("a job's image is named by its job and index, with no upload", () =>
    withStandIn(async (api) => {
      offering(api);
      const done = jobBody("succeeded");
      done.images = [...done.images, { ...done.images[0]!, seed: 2 }];
      await clientFor(api).jobs.create({ task: "upscale", mode: "fast", image: jobImage(done, 1) });
      assert.deepEqual(api.to(JOBS)[0]?.body, {
        task: "upscale",
        mode: "fast",
        image: { job_id: JOB_ID, index: 1 },
      });
      assert.equal(api.to(UPLOADS).length, 0);
      assert.throws(() => jobImage(done, 2), RangeError);
    }));

  test("a retried create sends the same uploads, uploaded once", () =>
    withStandIn(async (api) => {
      offering(api);
      api.script(JOBS, apiError(503, "service_unavailable"), { status: 202, body: jobBody() });
      await clientFor(api).jobs.create({ task: "remove-background", image: PNG });
      const [first, second] = api.to(JOBS);
      assert.equal(api.to(S3_POST).length, 1);
      assert.deepEqual(first?.body, second?.body);
      assert.equal(first?.headers["idempotency-key"], second?.headers["idempotency-key"]);
    }));

  test("an upload that is not yours is NotFound naming the field", () =>
    withStandIn(async (api) => {
      api.script(JOBS, apiError(404, "not_found", "mask"));
      const request = {
        task: "erase",
        image: { upload_id: UPLOAD_ID },
        mask: { upload_id: UPLOAD_ID },
      } as const;
      await assert.rejects(clientFor(api).jobs.create(request), (error) => {
        assert.ok(error instanceof NotFound);
        assert.deepEqual([error.status, error.field], [404, "mask"]);
        return true;
      });
    }));
});
