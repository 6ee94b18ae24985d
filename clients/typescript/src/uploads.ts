/**
 * `client.uploads.create(file)`: an image file sent straight to S3 with the presigned POST that
 * `POST /uploads` answers, so it never passes through the API (or its body limit). The form
 * has every signed field, then the `Content-Type` read from the bytes (the policy wants an
 * image type), then the file, last, as S3 requires. Both requests are safe to repeat: the
 * first makes nothing, the second writes the same key again.
 */

import { UploadFailed } from "./errors.js";
import { fileBytes, mediaType } from "./images.js";
import type { Transport } from "./transport.js";
import type { Upload } from "./types.js";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

export class Uploads {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads a PNG, JPEG or WebP file and returns its upload id: pass it as `image` (or `mask`,
   * `style_image`) as `{ upload_id }`, or just give `jobs.create` the file. A `TypeError` or
   * `RangeError` before anything is sent for bytes that are no such image or are over the
   * deployment's limit; `UploadFailed` (S3's code) if S3 refuses the file.
   */
  async create(
    file: Blob | Uint8Array | ArrayBuffer,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const bytes = await fileBytes(file);
    const type = mediaType(bytes);
    const answer = await this.transport.call("POST", "uploads", options);
    const offer = answer.payload as Upload;
    if (bytes.length > offer.max_bytes) {
      throw new RangeError(
        `the image has ${bytes.length} bytes; this deployment takes uploads of at most ${offer.max_bytes}`,
      );
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(offer.fields)) form.append(name, value);
    form.append("Content-Type", type);
    form.append("file", new Blob([bytes], { type }), `image.${EXTENSIONS[type]}`);
    const reply = await this.transport.postForm(offer.url, form, options.signal);
    if (reply.status >= 300) {
      const { code, message } = s3Error(reply.content);
      throw new UploadFailed(
        reply.status,
        code ?? `http_${reply.status}`,
        message,
        "file",
        undefined,
        undefined,
      );
    }
    return offer.upload_id;
  }
}

/**
 * S3's error `Code` and `Message` from its XML body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), read by pattern.
 */
function s3Error(content: Uint8Array): { code: string | undefined; message: string } {
  const text = new TextDecoder().decode(content);
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,500})<\/Message>/.exec(text)?.[1];
  return { code, message: message ?? "S3 refused the upload" };
}
