/**
 * The models a job may name (GET /models) and a job naming one, through the TypeScript client,
 * against the local stand-in for the API.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { dataUrl, Forbidden } from "../src/index.js";
import { apiError, clientFor, jobBody, modelsBody, withStandIn } from "./standin.js";

const JOBS = "POST /v1/jobs";

describe("models", () => {
  test("list answers the offered models, typed, with the key sent", () =>
    withStandIn(async (api) => {
      // Given a deployment offering the built-in renderer and SD3.5 Large, gone Legacy
      api.script("GET /v1/models", { status: 200, body: modelsBody() });

      // When the models are listed
      const models = await clientFor(api).models.list();

      // Then one GET /models with the key, and each model as the API answered it
      assert.equal(api.to("GET /v1/models")[0]?.headers["x-api-key"], "the-key");
      assert.deepEqual(
        models.map((m) => [m.id, m.default, m.lifecycle.status, m.parameters.side === null]),
        [
          ["pillow", true, "active", false],
          ["stability.sd3-5-large-v1:0", false, "legacy", true],
        ],
      );
      // And each model's tasks say what they take and give
      const tasks = models[0]!.tasks;
      const cutout = tasks.find((t) => t.task === "remove-background");
      assert.deepEqual([cutout?.alpha, cutout?.prompt, cutout?.images], [true, "none", ["image"]]);
      const outpaint = tasks.find((t) => t.task === "outpaint");
      assert.deepEqual(Object.keys(outpaint?.numbers ?? {}), ["left", "right", "up", "down"]);
      assert.equal(
        models[1]!.tasks.find((t) => t.task === "image-to-image")?.numbers["strength"]?.max,
        1,
      );
    }));

  test("list refused is a typed error", () =>
    withStandIn(async (api) => {
      api.script("GET /v1/models", apiError(403, "forbidden"));
      await assert.rejects(clientFor(api).models.list(), Forbidden);
    }));

  test("a job names its model and aspect ratio, and starts from an image as a data URL", () =>
    withStandIn(async (api) => {
      api.script(JOBS, { status: 202, body: jobBody() });
      const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

      // When jobs are created for a model at a ratio, and from an image
      const model = "stability.sd3-5-large-v1:0";
      await clientFor(api).jobs.create({ prompt: "a cat", model, aspect_ratio: "16:9" });
      const image = dataUrl(png);
      await clientFor(api).jobs.create({ prompt: "a cat", model, task: "image-to-image", image });

      // Then the requests carry them as the API names them, the image's bytes intact
      const [ratio, started] = api.to(JOBS);
      assert.deepEqual(ratio?.body, { prompt: "a cat", model, aspect_ratio: "16:9" });
      assert.deepEqual(started?.body, { prompt: "a cat", model, task: "image-to-image", image });
      assert.ok(image.startsWith("data:image/png;base64,"));
      assert.deepEqual(Buffer.from(image.split(",")[1]!, "base64"), Buffer.from(png));
    }));

  test("dataUrl reads the type from the bytes, and refuses what is no PNG, JPEG or WebP", () => {
    const webp = Uint8Array.from([...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WEBPVP8 ")]);
    assert.ok(dataUrl(webp).startsWith("data:image/webp;base64,"));
    assert.ok(dataUrl(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])).startsWith("data:image/jpeg;"));
    assert.throws(() => dataUrl(Buffer.from("GIF89a")), /not a PNG, JPEG or WebP/);
  });
});
