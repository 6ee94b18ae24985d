// The image a job edits, and what is drawn on it: a file chosen or dropped, or an image of a
// finished job ("Edit"); its preview; the mask painted over it with the mouse (brush, eraser,
// size), sent as a PNG of the image's size, white where to change; and for outpaint the
// canvas extended by the margins, shown around the image as they are typed.
//
// The image is never read back from a canvas: a job's image comes from another origin (its
// presigned URL), and the mask is a canvas of its own laid over the picture.

import { mediaType } from "./api.js";
import { MARGINS } from "./task.js";

const $ = (id) => document.getElementById(id);
// How the strokes look over the picture; the mask sent is white where they are.
const INK = "rgba(255, 64, 160, 1)";

/** Width and height of a picture once loaded (EXIF orientation applied, as the API does). */
function loaded(img) {
  return img.decode().then(() => [img.naturalWidth, img.naturalHeight]);
}

export class ImageEditor {
  constructor() {
    // {kind: "file", blob, url, name} | {kind: "job", ref, url} | {kind: "ref", ref, label};
    // all with width and height.
    this.source = null;
    this.maskRef = null; // a job's own mask, when a job is filled in again
    this.styleRef = null;
    this.painted = false;
    this.erasing = false;
    this.task = null;
    const input = $("image-file");
    input.addEventListener("change", () => input.files[0] && this.useFile(input.files[0]));
    const drop = $("image-drop");
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      const file = event.dataTransfer.files[0];
      if (file) this.useFile(file);
    });
    $("brush").addEventListener("click", () => this.tool(false));
    $("eraser").addEventListener("click", () => this.tool(true));
    $("clear-mask").addEventListener("click", () => this.clearMask());
    this.drawing();
  }

  /** Shows what `task` (a TaskView) takes: the image, the mask tools, the margins preview. */
  applyTask(task) {
    this.task = task;
    $("image-field").hidden = !task.images.includes("image");
    $("style_image-field").hidden = !task.images.includes("style_image");
    this.showMaskTools();
    this.layout();
  }

  showMaskTools() {
    const mask = Boolean(this.task?.mask && this.source && !this.maskRef);
    $("mask-tools").hidden = !mask;
    $("mask-canvas").hidden = !mask;
  }

  /** A file a person chose or dropped: refused at once unless PNG, JPEG or WebP. */
  async useFile(file) {
    this.error("");
    let type;
    try {
      type = mediaType(new Uint8Array(await file.slice(0, 12).arrayBuffer()));
    } catch (error) {
      this.error(`${file.name}: ${error.message}`);
      return;
    }
    // Kept for the page's life: the job made from it shows it as its "Before".
    const url = URL.createObjectURL(file);
    await this.show({ kind: "file", blob: file, url, name: file.name, type });
  }

  /** An image of a finished job, as "Edit" names it. */
  async useJobImage({ job_id, index, url, width, height }) {
    this.error("");
    await this.show({ kind: "job", ref: { job_id, index }, url, width, height });
  }

  /** A job's recorded input (to run it again): by reference, with no picture to show. */
  useRecorded(image, mask) {
    this.error("");
    const ref = (recorded) =>
      recorded.source === "upload"
        ? { upload_id: recorded.upload_id }
        : recorded.source === "job"
          ? { job_id: recorded.job_id, index: recorded.index }
          : null;
    const own = image && ref(image);
    if (!own) return;
    this.source = { kind: "ref", ref: own, width: image.width, height: image.height };
    this.maskRef = mask ? ref(mask) : null;
    $("editor").hidden = true;
    $("image-hint").textContent = `The job's own image, ${image.width} × ${image.height}.`;
    this.showMaskTools();
  }

  async show(source) {
    const img = $("preview");
    img.src = source.url;
    img.alt = source.kind === "file" ? `The image to edit: ${source.name}` : "The image to edit";
    let size;
    try {
      size = await loaded(img);
    } catch {
      this.error("This image cannot be shown: it is damaged, or its link has expired.");
      return;
    }
    [source.width, source.height] = size;
    this.source = source;
    this.maskRef = null;
    $("editor").hidden = false;
    const what = source.kind === "file" ? source.name : `Image ${source.ref.index + 1} of the job`;
    $("image-hint").textContent = `${what}, ${source.width} × ${source.height}.`;
    const canvas = $("mask-canvas");
    canvas.width = source.width;
    canvas.height = source.height;
    this.clearMask();
    this.showMaskTools();
    this.layout();
  }

  /** The stage: the picture, and for outpaint the margins around it, in proportion. */
  layout() {
    const source = this.source;
    if (!source || source.kind === "ref") return;
    const outpaint = this.task && MARGINS.some((m) => m in this.task.numbers);
    const [left, right, up, down] = MARGINS.map((m) => {
      const value = outpaint && $(m) ? Number($(m).value) : 0;
      return Number.isFinite(value) && value > 0 ? value : 0;
    });
    const width = source.width + left + right;
    const height = source.height + up + down;
    const stage = $("stage");
    stage.style.aspectRatio = `${width} / ${height}`;
    stage.classList.toggle("extended", width > source.width || height > source.height);
    for (const shown of [$("preview"), $("mask-canvas")]) {
      shown.style.left = `${(100 * left) / width}%`;
      shown.style.top = `${(100 * up) / height}%`;
      shown.style.width = `${(100 * source.width) / width}%`;
      shown.style.height = `${(100 * source.height) / height}%`;
    }
    stage.dataset.size = `${width} × ${height}`;
  }

  tool(erasing) {
    this.erasing = erasing;
    $("brush").setAttribute("aria-pressed", String(!erasing));
    $("eraser").setAttribute("aria-pressed", String(erasing));
  }

  clearMask() {
    const canvas = $("mask-canvas");
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    this.painted = false;
    this.maskError("");
  }

  /** Paints with the pointer: round strokes, in image pixels, the size as seen on screen. */
  drawing() {
    const canvas = $("mask-canvas");
    canvas.style.touchAction = "none";
    let last = null;
    const at = (event) => {
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale, scale };
    };
    const stroke = (from, to) => {
      const context = canvas.getContext("2d");
      context.globalCompositeOperation = this.erasing ? "destination-out" : "source-over";
      context.strokeStyle = context.fillStyle = INK;
      context.lineWidth = Number($("brush-size").value) * to.scale;
      context.lineCap = context.lineJoin = "round";
      context.beginPath();
      if (from) {
        context.moveTo(from.x, from.y);
        context.lineTo(to.x, to.y);
        context.stroke();
      } else {
        context.arc(to.x, to.y, context.lineWidth / 2, 0, 2 * Math.PI);
        context.fill();
      }
      if (!this.erasing) {
        this.painted = true;
        this.maskError("");
      }
    };
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      last = at(event);
      stroke(null, last);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!last) return;
      const next = at(event);
      stroke(last, next);
      last = next;
    });
    const end = () => (last = null);
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  /** The mask to send: a PNG of the image's size, white where painted, black elsewhere. */
  maskBlob() {
    const painted = $("mask-canvas");
    const white = document.createElement("canvas");
    white.width = painted.width;
    white.height = painted.height;
    const ink = white.getContext("2d");
    ink.drawImage(painted, 0, 0);
    ink.globalCompositeOperation = "source-in";
    ink.fillStyle = "#fff";
    ink.fillRect(0, 0, white.width, white.height);
    const mask = document.createElement("canvas");
    mask.width = painted.width;
    mask.height = painted.height;
    const out = mask.getContext("2d");
    out.fillStyle = "#000";
    out.fillRect(0, 0, mask.width, mask.height);
    out.drawImage(white, 0, 0);
    return new Promise((resolve) => mask.toBlob(resolve, "image/png"));
  }

  /**
   * The request's image fields: each a file to upload (a Blob) or a reference the API takes.
   * An error under the mask, and null, when a task that takes one has nothing painted.
   */
  async inputs() {
    const task = this.task;
    const given = {};
    if (!this.source || !task.images.includes("image")) return given;
    given.image = this.source.kind === "file" ? this.source.blob : this.source.ref;
    if (task.mask) {
      if (this.maskRef) {
        given.mask = this.maskRef;
      } else if (!this.painted) {
        this.maskError("Paint over the part to change first.");
        return null;
      } else {
        given.mask = await this.maskBlob();
      }
    }
    const style = $("style_image").files[0];
    if (task.images.includes("style_image") && style) given.style_image = style;
    return given;
  }

  /** What the "Before" of a job made from this source shows: a picture's URL and a caption. */
  before() {
    const source = this.source;
    if (!source || source.kind === "ref") return null;
    const what = source.kind === "file" ? source.name : "The job's image";
    return { url: source.url, caption: `Before: ${what}, ${source.width} × ${source.height}` };
  }

  error(message) {
    $("image-error").textContent = message;
    $("image-error").hidden = !message;
  }

  maskError(message) {
    $("mask-error").textContent = message;
    $("mask-error").hidden = !message;
  }
}
