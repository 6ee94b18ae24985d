/**
 * The TypeScript client of the imagejobs API.
 *
 *     import { Client, isTerminal } from "imagejobs-client";
 *
 *     const client = new Client(apiUrl, { apiKey });
 *     const job = await client.jobs.create({ prompt: "a red fox", width: 256 }, { wait: 20 });
 *     const png = await client.download(job.images[0]!);
 *     const models = await client.models.list(); // what `model` may name, and the tasks
 *     const cutout = await client.jobs.create(
 *       { task: "remove-background", image: await readFile("photo.jpg") }, // uploaded first
 *       { wait: true },
 *     );
 *     await client.jobs.create({ task: "upscale", mode: "fast", image: jobImage(cutout) });
 *
 * Webhook verification is `imagejobs-client/webhooks`.
 */

export {
  Client,
  Jobs,
  Models,
  type CreateOptions,
  type ListOptions,
  type WaitOptions,
} from "./client.js";
export { dataUrl, jobImage, mediaType } from "./images.js";
export { Uploads } from "./uploads.js";
export * from "./errors.js";
export type { ClientOptions } from "./transport.js";
export * from "./types.js";
export type { components, paths } from "./schema.js";
