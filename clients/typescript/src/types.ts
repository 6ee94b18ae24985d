/**
 * The API's requests and answers, by the names the client uses. Every one is a schema of the
 * API's OpenAPI document (docs/openapi.json), from the types `npm run generate` writes to
 * schema.ts (not committed: `make setup` writes it whenever the document changes).
 */

import type { components } from "./schema.js";

type Schemas = components["schemas"];

/**
 * The body of `POST /jobs`, as sent. Every task but those that take none (`GET /models` says
 * which) needs a `prompt`; an edit names its `task` and its `image`.
 */
export type JobRequest = Schemas["JobRequest"];
/** An image uploaded with `POST /uploads`, as a job's input. */
export type UploadRef = Schemas["UploadRef"];
/** An image of one of your own jobs, as a job's input (`jobImage(job, index)`). */
export type JobImageRef = Schemas["JobImageRef"];
/**
 * What `image`, `mask` and `style_image` take in `jobs.create`: the API's three forms (a
 * `data:` URL, an `UploadRef`, a `JobImageRef`), or a file, which is uploaded first.
 */
export type ImageSource = NonNullable<JobRequest["image"]> | Blob | Uint8Array | ArrayBuffer;
/** What `jobs.create` takes: `JobRequest`, its images as any `ImageSource`. */
export type CreateRequest = Omit<JobRequest, ImageField> & {
  [field in ImageField]?: ImageSource | null;
};
/** `POST /uploads`: a presigned S3 POST for one image (`uploads.create` sends the file). */
export type Upload = Schemas["UploadView"];
/** A job as `GET /jobs/{job_id}` and `POST /jobs` answer it. */
export type Job = Schemas["JobView"];
export type JobStatus = Schemas["JobStatus"];
/**
 * Every parameter as the job is rendered: defaults applied, the seed chosen. A model that
 * takes aspect ratios has no `width` and `height` here: each image has its own.
 */
export type JobParameters = Schemas["JobParameters"];
/** An image a job takes in, as the job records it (never its bytes). */
export type InputImage = Schemas["InputImage"];
/** One image of a succeeded job: `url` is presigned and expires. */
export type Image = Schemas["ImageView"];
/** One page of `GET /jobs`, newest first. */
export type JobList = Schemas["JobListView"];
/** A model this deployment offers, as `GET /models` lists it: pass its `id` as `model`. */
export type Model = Schemas["ModelView"];
/** What a model takes, with its limits (`side` null: only its aspect ratios). */
export type ModelParameters = Schemas["ModelParametersView"];
/**
 * What a model takes for one task (its images, mask, prompt, numbers with their ranges, texts,
 * modes) and what it gives back: the fields to offer for it.
 */
export type ModelTask = Schemas["TaskView"];
/** `GET /models`. */
export type ModelList = Schemas["ModelListView"];
export type AspectRatio = Model["parameters"]["aspect_ratios"][number];
export type Task = ModelTask["task"];
export type UpscaleMode = ModelTask["modes"][number];
/** The request's fields that take an image. */
export type ImageField = "image" | "mask" | "style_image";
export const IMAGE_FIELDS: readonly ImageField[] = ["image", "mask", "style_image"];
/** Every 4xx/5xx body of the API. */
export type ErrorBody = Schemas["ErrorResponse"];

const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(["succeeded", "failed", "canceled"]);

/** succeeded, failed or canceled: the job never changes again. */
export function isTerminal(job: Pick<Job, "status">): boolean {
  return TERMINAL.has(job.status);
}
