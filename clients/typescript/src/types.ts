/**
 * The API's requests and answers, by the names the client uses. Every one is a schema of the
 * API's OpenAPI document (docs/openapi.json), from the types `npm run generate` writes to
 * schema.ts; `npm run lint` (and so `make lint`) fails when that file is not the document's.
 */

import type { components } from "./schema.js";

type Schemas = components["schemas"];

/** The body of `POST /jobs`: only `prompt` is required. */
export type JobRequest = Schemas["JobRequest"];
/** A job as `GET /jobs/{job_id}` and `POST /jobs` answer it. */
export type Job = Schemas["JobView"];
export type JobStatus = Schemas["JobStatus"];
/** Every parameter as the job is rendered: defaults applied, the seed chosen. */
export type JobParameters = Schemas["RenderRequest"];
/** One image of a succeeded job: `url` is presigned and expires. */
export type Image = Schemas["ImageView"];
/** One page of `GET /jobs`, newest first. */
export type JobList = Schemas["JobListView"];
/** Every 4xx/5xx body of the API. */
export type ErrorBody = Schemas["ErrorResponse"];

const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(["succeeded", "failed", "canceled"]);

/** succeeded, failed or canceled: the job never changes again. */
export function isTerminal(job: Pick<Job, "status">): boolean {
  return TERMINAL.has(job.status);
}
