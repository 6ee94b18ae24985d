// The generate form: built from GET /config and the chosen model (GET /models) and task, read
// into a POST /jobs body, and told which fields the API refused. No limit is written here: they
// all come from the deployment and its models. The task's own fields are task.js's, the image
// and its mask editor.js's.

import { ImageEditor } from "./editor.js";
import {
  defaultModel,
  lifecycleText,
  modelLabel,
  priceText,
  ratioLabel,
  usable,
} from "./models.js";
import { TaskFields } from "./task.js";

const PRESETS = [
  [512, 512, "Square"],
  [768, 768, "Square, medium"],
  [1024, 1024, "Square, large"],
  [768, 512, "Landscape 3:2"],
  [512, 768, "Portrait 2:3"],
  [1024, 576, "Wide 16:9"],
  [576, 1024, "Tall 9:16"],
];
const FIELDS = [
  "prompt", "negative_prompt", "model", "task", "size", "width", "height", "num_images", "format",
  "quality", "style", "seed", "guidance",
];
// The API's names for a field that the form shows under another input.
const ALIASES = { cfg_scale: "guidance", aspect_ratio: "size" };
// The inputs the image fields' errors are tied to.
const INPUTS = { image: "image-file", mask: "mask-canvas" };
const RATIO = "ratio:";
// A task that gives transparency (remove-background) needs a format that keeps it.
const OPAQUE_FORMATS = ["jpeg"];

const $ = (id) => document.getElementById(id);

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

function group(label, options) {
  const element = document.createElement("optgroup");
  element.label = label;
  element.append(...options);
  return element;
}

function setRange(input, range) {
  input.min = String(range.min);
  input.max = String(range.max);
}

/** Refills a select, keeping its value when it is still offered. */
function refill(select, children, fallback) {
  const previous = select.value;
  select.replaceChildren(...children);
  const offered = [...select.options].some((o) => o.value === previous && !o.disabled);
  select.value = offered ? previous : fallback;
}

export class JobForm {
  constructor(config) {
    this.config = config;
    this.form = $("job-form");
    this.models = [defaultModel(config)];
    this.editor = new ImageEditor();
    this.tasks = new TaskFields({ onChange: (task) => this.applyTask(task) });
    this.build();
  }

  build() {
    const c = this.config;
    for (const id of ["width", "height"]) $(id).value = String(c.side.default);
    $("num_images").value = String(c.num_images.default);

    setRange($("quality"), c.quality);
    $("quality").placeholder = String(c.quality.default);
    $("quality-hint").textContent = `${c.quality.min}–${c.quality.max}; lossy formats only (default ${c.quality.default}).`;

    for (const name of c.styles) $("style").append(option(name, name.replace("_", " ")));
    $("style").value = c.default_style;

    $("model").addEventListener("change", () => this.applyModel());
    $("size").addEventListener("change", () => this.applyPreset());
    for (const id of ["width", "height"]) $(id).addEventListener("input", () => this.matchPreset());
    $("format").addEventListener("change", () => this.showQuality());
    for (const id of FIELDS) $(id).addEventListener("input", () => this.clearError(id));
    // The task's own fields come and go: their errors clear as they are typed in.
    for (const box of ["task-fields", "margins"]) {
      $(box).addEventListener("input", (event) => this.clearError(event.target.id));
    }
    $("margins").addEventListener("input", () => this.editor.layout());
    this.renderModels();
    $("model-hint").textContent = "Enter your API key to choose among this deployment's models.";
  }

  /** The models GET /models answered: the picker offers them, keeping the one chosen. */
  useModels(models) {
    if (!models.length) return;
    this.models = models;
    this.renderModels();
  }

  /** The chosen model (the deployment's default until GET /models has answered). */
  get model() {
    return this.models.find((m) => m.id === $("model").value) || this.models[0];
  }

  /** A model's name, for a job that names it by id. */
  modelName(id) {
    const model = this.models.find((m) => m.id === id && m.price);
    return model ? `${model.name} (${id})` : id;
  }

  renderModels() {
    const fallback = (this.models.find((m) => m.default && usable(m)) || this.models[0]).id;
    const options = this.models.map((m) => {
      const entry = option(m.id, modelLabel(m));
      entry.disabled = !usable(m);
      return entry;
    });
    refill($("model"), options, fallback);
    this.applyModel();
  }

  /** Shows what the chosen model takes: its shapes, counts, formats, seeds and guidance. */
  applyModel() {
    const c = this.config;
    const m = this.model;
    const p = m.parameters;
    $("model-hint").textContent = m.description;
    $("model-price").textContent = priceText(m);
    $("model-lifecycle").textContent = lifecycleText(m);
    $("model-lifecycle").dataset.status = m.lifecycle?.status || "";
    $("model-facts").hidden = !m.price;

    $("prompt").maxLength = p.prompt.max_length;
    $("prompt-hint").textContent = `Up to ${p.prompt.max_length} characters.`;
    $("negative_prompt").maxLength = p.prompt.max_length;

    this.renderSizes();
    setRange($("num_images"), p.num_images);
    setRange($("seed"), p.seed);

    // A model that takes no guidance is refused one: the field goes, with what was typed.
    const guidance = p.guidance;
    if (!guidance) $("guidance").value = "";
    this.tasks.useModel(m);
    if (!guidance) return;
    setRange($("guidance"), guidance);
    $("guidance").placeholder = guidance.default == null ? "" : String(guidance.default);
    const preset = guidance.default == null ? "" : ` (default ${guidance.default})`;
    $("guidance-hint").textContent =
      `${guidance.min}–${guidance.max}: how closely to follow the prompt${preset}.`;
  }

  /**
   * Shows what the chosen task takes (a TaskView): its prompt (needed, optional or none), a size
   * only when it draws one, formats with transparency when it gives it, its image and fields.
   */
  applyTask(task) {
    const c = this.config;
    const p = this.model.parameters;
    const prompt = task.prompt !== "none";
    $("prompt-field").hidden = !prompt;
    const label = $("prompt-label");
    label.replaceChildren("Prompt");
    if (task.prompt === "optional") {
      const note = document.createElement("span");
      note.className = "optional";
      note.textContent = " (optional)";
      label.append(note);
    }
    $("prompt").required = task.prompt === "required";
    $("negative_prompt-field").hidden = !(p.negative_prompt && prompt);
    $("style-field").hidden = !prompt;
    $("guidance-field").hidden = !(p.guidance && prompt);
    $("size-field").hidden = !task.aspect_ratio;
    // Every seed gives the same image: a job of this task asks for one (left to the API).
    $("num_images-field").hidden = !task.seeded;
    this.showSizeFields();
    const formats = p.formats.filter(
      (name) => c.formats.includes(name) && !(task.alpha && OPAQUE_FORMATS.includes(name)),
    );
    const format = formats.includes(c.default_format) ? c.default_format : formats[0];
    refill($("format"), formats.map((name) => option(name, name.toUpperCase())), format);
    this.showQuality();
    this.editor.applyTask(task);
  }

  /** An image of a finished job, to edit: a task that takes one is chosen if need be. */
  async editImage(image) {
    if (!this.tasks.current.images.includes("image")) {
      const first = this.model.tasks.find((t) => t.images.includes("image"));
      if (!first || !this.tasks.choose(first.task)) return;
    }
    await this.editor.useJobImage(image);
    $("generate").scrollIntoView({ block: "start" });
    $("task").focus();
  }

  /** The model's aspect ratios, and for a model that draws any size, sizes in pixels. */
  renderSizes() {
    const side = this.side();
    const ratios = this.model.parameters.aspect_ratios;
    const groups = [];
    if (ratios.length) {
      groups.push(group("Aspect ratio", ratios.map((r) => option(RATIO + r, ratioLabel(r)))));
    }
    if (side) {
      for (const id of ["width", "height"]) setRange($(id), side);
      const fits = (n) => n >= side.min && n <= side.max;
      const presets = PRESETS.filter(([w, h]) => fits(w) && fits(h)).map(([w, h, name]) =>
        option(`${w}x${h}`, `${name} — ${w} × ${h}`),
      );
      groups.push(group("Size in pixels", [...presets, option("custom", "Custom")]));
    }
    refill($("size"), groups, side ? "custom" : RATIO + ratios[0]);
    if (side && $("size").value === "custom") this.matchPreset();
    this.showSizeFields();
  }

  /** The sides the model draws within this deployment's MaxImageSize; null: ratios only. */
  side() {
    const side = this.model.parameters.side;
    if (!side) return null;
    const deployment = this.config.side;
    return { min: Math.max(side.min, deployment.min), max: Math.min(side.max, deployment.max) };
  }

  showSizeFields() {
    const ratio = $("size").value.startsWith(RATIO);
    $("size-pair").hidden = ratio || $("size-field").hidden;
    const side = this.side();
    $("size-hint").textContent = ratio
      ? `${this.model.name} chooses the size for this shape; each image reports its own.`
      : `Each side ${side.min} to ${side.max} pixels.`;
  }

  applyPreset() {
    const value = $("size").value;
    this.showSizeFields();
    if (value.startsWith(RATIO)) return;
    if (value === "custom") {
      $("width").focus();
      return;
    }
    const [w, h] = value.split("x");
    $("width").value = w;
    $("height").value = h;
    this.clearError("width");
    this.clearError("height");
  }

  matchPreset() {
    const value = `${$("width").value}x${$("height").value}`;
    const known = [...$("size").options].some((o) => o.value === value);
    $("size").value = known ? value : "custom";
  }

  showQuality() {
    const lossy = this.config.lossy_formats.includes($("format").value);
    $("quality-field").hidden = !lossy;
    if (!lossy) $("quality").value = "";
  }

  /**
   * The POST /jobs body: what the user typed, empty optional fields left out, the task's own;
   * its images are the editor's, each a file to upload or a reference (`inputs`).
   */
  read() {
    const body = { model: $("model").value };
    const text = (id) => $(id).value.trim();
    const number = (id) => (text(id) === "" ? undefined : Number(text(id)));
    const shown = (id) => !$(id).closest("[hidden]");
    if (shown("prompt") && ($("prompt").required || text("prompt"))) {
      body.prompt = $("prompt").value;
    }
    if (shown("negative_prompt") && text("negative_prompt")) {
      body.negative_prompt = $("negative_prompt").value;
    }
    const size = $("size").value;
    if (shown("size") && size.startsWith(RATIO)) body.aspect_ratio = size.slice(RATIO.length);
    for (const id of ["width", "height", "num_images", "seed", "guidance"]) {
      const value = number(id);
      if (value !== undefined && shown(id)) body[id] = value;
    }
    body.format = $("format").value;
    if (shown("quality") && number("quality") !== undefined) body.quality = number("quality");
    if (shown("style")) body.style = $("style").value;
    this.tasks.read(body);
    return body;
  }

  /** The job's images: each a file to upload or a reference; null if the mask is missing. */
  inputs() {
    return this.editor.inputs();
  }

  /** What the "Before" of a job submitted now shows, if there is a picture of it. */
  before() {
    return this.editor.before();
  }

  /** Fills the form with a job's parameters, its model, task, images and seed included. */
  fill(parameters) {
    if ([...$("model").options].some((o) => o.value === parameters.model && !o.disabled)) {
      $("model").value = parameters.model;
      this.applyModel();
    }
    this.tasks.fill(parameters);
    this.editor.useRecorded(parameters.image, parameters.mask);
    $("prompt").value = parameters.prompt || "";
    $("negative_prompt").value = parameters.negative_prompt || "";
    const ratio = RATIO + parameters.aspect_ratio;
    if (parameters.width != null && this.side()) {
      $("width").value = String(parameters.width);
      $("height").value = String(parameters.height);
      this.matchPreset();
    } else if ([...$("size").options].some((o) => o.value === ratio)) {
      $("size").value = ratio;
    }
    this.showSizeFields();
    $("num_images").value = String(parameters.num_images);
    $("format").value = parameters.format;
    this.showQuality();
    $("quality").value = parameters.quality == null ? "" : String(parameters.quality);
    $("style").value = parameters.style;
    $("seed").value = String(parameters.seed);
    $("guidance").value = parameters.guidance == null ? "" : String(parameters.guidance);
    this.clearErrors();
  }

  clearError(id) {
    const error = id && $(`${id}-error`);
    if (!error) return;
    error.hidden = true;
    error.textContent = "";
    $(INPUTS[id] || id)?.removeAttribute("aria-invalid");
  }

  /** The fields an error may name now: the form's own, the task's, the images. */
  fieldIds() {
    return [...FIELDS, ...this.tasks.names, "image", "mask", "style_image"];
  }

  clearErrors() {
    for (const id of this.fieldIds()) this.clearError(id);
    $("form-error").hidden = true;
  }

  /** Shows each refused field's message beside it and focuses the first; the rest above. */
  showErrors(fieldErrors, fallback) {
    this.clearErrors();
    let first = null;
    const unplaced = [];
    for (const { field, message } of fieldErrors) {
      const id = ALIASES[field] || field;
      const error = this.fieldIds().includes(id) ? $(`${id}-error`) : null;
      const input = $(INPUTS[id] || id);
      if (!error || !input || input.closest("[hidden]")) {
        unplaced.push(`${field}: ${message}`);
        continue;
      }
      error.textContent = error.hidden ? message : `${error.textContent} ${message}`;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
    if (unplaced.length || !first) this.showFormError(unplaced.join(" ") || fallback);
    (first || $("submit")).focus();
  }

  showFormError(message) {
    $("form-error").textContent = message;
    $("form-error").hidden = false;
  }

  /** The submit button while a job is sent: "Uploading…", "Submitting…", or itself. */
  busy(on, doing = "Submitting…") {
    $("submit").disabled = on;
    $("submit").textContent = on ? doing : "Generate";
  }
}
