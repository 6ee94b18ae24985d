/**
 * The TypeScript client of the imagejobs API.
 *
 *     import { Client, isTerminal } from "imagejobs-client";
 *
 *     const client = new Client(apiUrl, { apiKey });
 *     const job = await client.jobs.create({ prompt: "a red fox", width: 256 }, { wait: 20 });
 *     const png = await client.download(job.images[0]!);
 *
 * Webhook verification is `imagejobs-client/webhooks`.
 */

export { Client, Jobs, type CreateOptions, type ListOptions, type WaitOptions } from "./client.js";
export * from "./errors.js";
export type { ClientOptions } from "./transport.js";
export * from "./types.js";
export type { components, paths } from "./schema.js";
