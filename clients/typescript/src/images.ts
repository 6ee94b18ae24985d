/**
 * What `image`, `mask` and `style_image` take. The API takes an image three ways (docs/api.md,
 * "Images in"): a `data:` URL sent inline, an upload (`{ upload_id }`, a file sent straight to
 * S3 with a presigned POST: `client.uploads.create`), or an image of one of your own jobs
 * (`{ job_id, index }`: `jobImage(job, index)`), so that edits chain. `jobs.create` also takes
 * the file itself (a `Blob`, or bytes): it uploads it first.
 *
 *     const cutout = await client.jobs.create(
 *       { task: "remove-background", image: await readFile("photo.jpg") },
 *       { wait: true },
 *     );
 *     await client.jobs.create({ task: "upscale", mode: "fast", image: jobImage(cutout) });
 *
 * The media type is read from the bytes (PNG, JPEG or WebP, what the API takes); the API reads
 * them again, so nothing here is trusted.
 */

import type { Job, JobImageRef } from "./types.js";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return magic.every((byte, index) => bytes[at + index] === byte);
}

/** The image's media type, from its first bytes; a `TypeError` for any but PNG, JPEG, WebP. */
export function mediaType(bytes: Uint8Array): string {
  if (startsWith(bytes, PNG)) return "image/png";
  if (startsWith(bytes, JPEG)) return "image/jpeg";
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return "image/webp";
  throw new TypeError("the image is not a PNG, JPEG or WebP file");
}

/**
 * The bytes of a PNG, JPEG or WebP file as a `data:` URL, to send it inline (at most 512 KiB,
 * checked by the API); a `TypeError` for other bytes.
 */
export function dataUrl(bytes: Uint8Array): string {
  const type = mediaType(bytes);
  // btoa takes a binary string; built in chunks, so a large image stays within call limits.
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return `data:${type};base64,${btoa(binary)}`;
}

/** An image of a finished job (its first unless `index` says), as a job's input. */
export function jobImage(job: Pick<Job, "job_id" | "images">, index = 0): JobImageRef {
  if (index < 0 || index >= job.images.length) {
    throw new RangeError(`job ${job.job_id} has no image ${index}`);
  }
  return { job_id: job.job_id, index };
}

/** The bytes of a file to upload. */
export async function fileBytes(file: Blob | Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  if (file instanceof Uint8Array) return file;
  if (file instanceof ArrayBuffer) return new Uint8Array(file);
  return new Uint8Array(await file.arrayBuffer());
}

/** Whether `value` is a file to upload (not one of the API's own forms). */
export function isFile(value: unknown): value is Blob | Uint8Array | ArrayBuffer {
  return value instanceof Blob || value instanceof Uint8Array || value instanceof ArrayBuffer;
}
