// One job, shown live: its state, elapsed time, images (at their real size), error, cancel;
// for an edit, the image it started from beside its result ("Before" and "After"), and an
// "Edit" button on each image. It polls GET /jobs/{id} with backoff (0.5 s, growing to 4 s)
// and stops once the job ends.

import { api, TERMINAL } from "./api.js";
import { MARGINS, taskName } from "./task.js";

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 4000;
const $ = (id) => document.getElementById(id);

export function isExpired(job, now = Date.now()) {
  return Date.parse(job.expires_at) <= now;
}

function seconds(ms) {
  const s = Math.max(0, ms) / 1000;
  return s < 60
    ? `${s.toFixed(1)} s`
    : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** "768 × 512", "16:9", or both: a model of ratios sizes each image itself. */
function size(p) {
  const pixels = p.width == null ? null : `${p.width} × ${p.height}`;
  if (pixels && p.aspect_ratio) return `${pixels} (${p.aspect_ratio})`;
  return pixels || p.aspect_ratio || "the input image's";
}

function extension(format) {
  return format === "jpeg" ? "jpg" : format;
}

/** What a job is about, in words: its prompt, else its task ("Remove the background"). */
export function describe(job) {
  return job.parameters.prompt || taskName(job.parameters.task);
}

export function altText(job, index) {
  const count = job.images.length;
  const which = count > 1 ? `, image ${index + 1} of ${count}` : "";
  return `${describe(job)}${which} (seed ${job.images[index].seed})`;
}

/** "an upload, 800 × 600" / "image 1 of job 3f1c9a5e…": where an input image came from. */
function origin(image) {
  const size = `${image.width} × ${image.height}`;
  if (image.source === "job") return `image ${image.index + 1} of job ${image.job_id.slice(0, 8)}…, ${size}`;
  return `${image.source === "upload" ? "an upload" : "an inline image"}, ${size}`;
}

/** What replaces a picture that cannot be shown, so no broken image is ever on screen. */
export function unavailable(text) {
  const note = document.createElement("p");
  note.className = "unavailable";
  note.textContent = text;
  return note;
}

function usd(value) {
  return `$${value.toFixed(6)}`;
}

/** Where the job's time went, and once it has ended, what it cost. */
export function metricRows(job) {
  const rows = [];
  if (job.queue_position != null) {
    const start = job.estimated_start_at
      ? `, starts about ${new Date(job.estimated_start_at).toLocaleTimeString()}`
      : "";
    rows.push(["Queue", `${job.queue_position} ahead${start}`]);
  }
  const m = job.metrics;
  if (m) {
    const running =
      m.running_seconds == null
        ? ""
        : ` · running ${m.running_seconds.toFixed(1)} s`;
    rows.push([
      "Time",
      `queued ${m.queued_seconds.toFixed(1)} s${running} (model ${m.model_seconds.toFixed(1)} s)` +
        ` · total ${m.total_seconds.toFixed(1)} s`,
    ]);
    rows.push([
      "Attempts",
      `${m.attempts} (throttled waits: ${m.throttled_waits})`,
    ]);
  }
  const c = job.cost_usd;
  if (c)
    rows.push([
      "Cost",
      `${usd(c.total)} (model ${usd(c.model)} + platform ${usd(c.platform)})`,
    ]);
  return rows;
}

export class JobPanel {
  constructor({ modelName, onAgain, onSettled, onError, onEdit }) {
    this.modelName = modelName;
    this.onAgain = onAgain;
    this.onSettled = onSettled;
    this.onError = onError;
    this.onEdit = onEdit;
    // What each job submitted from this page started from: {url, caption} by job id.
    this.befores = new Map();
    this.job = null;
    this.timer = null;
    this.ticker = null;
    this.generation = 0;
    $("cancel").addEventListener("click", () => this.cancel());
    $("again").addEventListener(
      "click",
      () => this.job && this.onAgain(this.job.parameters),
    );
  }

  /** Shows `job` and, unless it has ended, watches it until it does. `before`: the picture
   * it started from, if the page has one ({url, caption}). */
  open(job, { focus = false, before = null } = {}) {
    this.stop();
    this.generation += 1;
    this.job = null;
    if (before) this.befores.set(job.job_id, before);
    $("job").hidden = false;
    this.renderBefore(job, this.generation);
    this.render(job);
    if (focus) $("job").focus();
    if (!TERMINAL.has(job.status)) this.watch(this.generation);
  }

  close() {
    this.stop();
    this.job = null;
    $("job").hidden = true;
  }

  stop() {
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
  }

  watch(generation) {
    let delay = FIRST_DELAY_MS;
    this.ticker = setInterval(() => this.renderElapsed(), 100);
    const step = async () => {
      if (generation !== this.generation) return;
      try {
        const job = await api.job(this.job.job_id);
        if (generation !== this.generation) return;
        const changed = job.status !== this.job.status;
        this.render(job);
        if (TERMINAL.has(job.status)) {
          this.stop();
          this.onSettled(job);
          return;
        }
        delay = changed ? FIRST_DELAY_MS : Math.min(delay * 1.5, MAX_DELAY_MS);
      } catch (error) {
        if (generation !== this.generation) return;
        if (error.status === 403) {
          this.stop();
          this.onError(error);
          return;
        }
        // A network blip or a 5xx: keep watching, at the slowest pace.
        delay = MAX_DELAY_MS;
      }
      this.timer = setTimeout(step, delay);
    };
    this.timer = setTimeout(step, delay);
  }

  async cancel() {
    const button = $("cancel");
    button.disabled = true;
    try {
      this.render(await api.cancel(this.job.job_id));
    } catch (error) {
      if (error.status === 409) {
        this.render(await api.job(this.job.job_id));
      } else {
        this.onError(error);
      }
    } finally {
      button.disabled = false;
    }
    if (TERMINAL.has(this.job.status)) {
      this.stop();
      this.onSettled(this.job);
    }
  }

  render(job) {
    const previous = this.job;
    this.job = job;
    const status = $("job-status");
    const label =
      job.cancel_requested && !TERMINAL.has(job.status)
        ? "canceling"
        : job.status;
    status.textContent = label;
    status.dataset.status = label;
    this.renderElapsed();
    $("cancel").hidden = TERMINAL.has(job.status) || job.cancel_requested;
    $("again").hidden = !TERMINAL.has(job.status);
    $("job-model").textContent = `Model: ${this.modelName(job.parameters.model)}`;

    const error = $("job-error");
    error.hidden = !job.error;
    const ended = job.status === "canceled" ? "was canceled" : "failed";
    error.textContent = job.error
      ? `The job ${ended}: ${job.error.message}`
      : "";

    const expired = job.status === "succeeded" && isExpired(job);
    $("job-expired").hidden = !expired;
    $("job-expired").textContent = expired
      ? "This job's images have expired: they are deleted after the retention period."
      : "";
    const sameImages =
      previous &&
      previous.job_id === job.job_id &&
      previous.images.length === job.images.length;
    if (!sameImages) this.renderImages(expired ? { ...job, images: [] } : job);
    this.renderParameters(job);
  }

  renderElapsed() {
    const job = this.job;
    if (!job) return;
    const end = job.finished_at ? Date.parse(job.finished_at) : Date.now();
    const verb = TERMINAL.has(job.status) ? "took" : "elapsed";
    $("job-elapsed").textContent =
      `${verb} ${seconds(end - Date.parse(job.created_at))}`;
  }

  renderImages(job) {
    const box = $("job-images");
    box.replaceChildren();
    job.images.forEach((image, index) => {
      const figure = document.createElement("figure");
      const img = document.createElement("img");
      img.width = image.width;
      img.height = image.height;
      img.alt = altText(job, index);
      img.decoding = "async";
      img.addEventListener("error", () =>
        img.replaceWith(
          unavailable(
            "This image is no longer available: it has expired. Reopen the job for a fresh link.",
          ),
        ),
      );
      img.src = image.url;
      const caption = document.createElement("figcaption");
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "quiet edit";
      edit.textContent = "Edit";
      edit.setAttribute("aria-label", `Edit image ${index + 1} (seed ${image.seed})`);
      edit.addEventListener("click", () =>
        this.onEdit({ job_id: job.job_id, index, url: image.url, width: image.width, height: image.height }),
      );
      const link = document.createElement("a");
      link.href = image.url;
      link.download = `imagejobs-${job.job_id.slice(0, 8)}-${index + 1}.${extension(image.format)}`;
      link.textContent = "Download";
      link.setAttribute(
        "aria-label",
        `Download image ${index + 1} (seed ${image.seed})`,
      );
      caption.append(
        `${job.parameters.image ? "After: " : ""}Seed ${image.seed} · ${image.width} × ${image.height} ${image.format.toUpperCase()} · `,
        link,
        " ",
        edit,
      );
      figure.append(img, caption);
      box.append(figure);
    });
  }

  /**
   * "Before": the picture an edit started from, when the page has it (the file sent from this
   * page, or the image of a job it named), else what it was, in words.
   */
  async renderBefore(job, generation) {
    const input = job.parameters.image;
    const figure = $("job-before");
    figure.hidden = !input;
    if (!input) return;
    const img = $("job-before-image");
    let known = this.befores.get(job.job_id);
    if (!known && input.source === "job") {
      try {
        const source = await api.job(input.job_id);
        const image = source.images[input.index];
        if (image && !isExpired(source)) {
          known = { url: image.url, caption: `Before: ${origin(input)}` };
        }
      } catch {
        // Only the words, then.
      }
      if (generation !== this.generation) return;
    }
    img.hidden = !known;
    img.alt = known ? `The image the job started from (${input.width} × ${input.height})` : "";
    if (known) img.src = known.url;
    else img.removeAttribute("src");
    $("job-before-caption").textContent = known ? known.caption : `Before: ${origin(input)}`;
  }

  renderParameters(job) {
    const list = $("job-parameters");
    list.replaceChildren();
    const p = job.parameters;
    const edits = [
      ["Image", p.image && origin(p.image)],
      ["Mask", p.mask && origin(p.mask)],
      ["Style image", p.style_image && origin(p.style_image)],
      ["Margins", MARGINS.some((m) => p[m]) ? MARGINS.map((m) => `${m} ${p[m] || 0}`).join(", ") : null],
      ...["strength", "grow_mask", "mode", "creativity", "control_strength", "fidelity"].map(
        (name) => [name.replace("_", " ").replace(/^./, (c) => c.toUpperCase()), p[name]],
      ),
      ["Search for", p.search_prompt],
      ["Select", p.select_prompt],
    ].filter(([, value]) => value != null);
    const rows = [
      ["Job", job.job_id],
      ["Model", this.modelName(p.model)],
      ["Task", taskName(p.task)],
      ...edits,
      ["Prompt", p.prompt || "—"],
      ["Negative prompt", p.negative_prompt || "—"],
      ["Size", size(p)],
      ["Images", p.num_images],
      [
        "Format",
        p.format + (p.quality == null ? "" : `, quality ${p.quality}`),
      ],
      ["Style", p.style],
      ["Seed", p.seed],
      ["Guidance", p.guidance ?? "—"],
      ["Engine", job.engine],
      ["Submitted", new Date(job.created_at).toLocaleString()],
      [
        "Deadline",
        job.deadline_at ? new Date(job.deadline_at).toLocaleString() : "—",
      ],
      ["Expires", new Date(job.expires_at).toLocaleString()],
      ...metricRows(job),
    ];
    for (const [name, value] of rows) {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      list.append(dt, dd);
    }
  }
}
