/**
 * An image to start from, as the request's `image` field takes it: a `data:` URL. The media
 * type is read from the bytes (PNG, JPEG or WebP, what the API takes); the API checks the
 * bytes again, so nothing here is trusted.
 *
 *     const image = dataUrl(await readFile("photo.png"));
 *     await client.jobs.create({ prompt: "in watercolour", task: "image-to-image", image });
 */

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return magic.every((byte, index) => bytes[at + index] === byte);
}

function mediaType(bytes: Uint8Array): string {
  if (startsWith(bytes, PNG)) return "image/png";
  if (startsWith(bytes, JPEG)) return "image/jpeg";
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return "image/webp";
  throw new TypeError("the image is not a PNG, JPEG or WebP file");
}

/** The bytes of a PNG, JPEG or WebP file as a `data:` URL; a `TypeError` for other bytes. */
export function dataUrl(bytes: Uint8Array): string {
  const type = mediaType(bytes);
  // btoa takes a binary string; built in chunks, so a large image stays within call limits.
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return `data:${type};base64,${btoa(binary)}`;
}
