// The generate form: built from GET /config and the chosen model (GET /models), read into a
// POST /jobs body, and told which fields the API refused. No limit is written here: they all
// come from the deployment and its models.

import {
  defaultModel,
  lifecycleText,
  modelLabel,
  priceText,
  ratioLabel,
  usable,
} from "./models.js";

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
  "prompt", "negative_prompt", "model", "size", "width", "height", "num_images", "format",
  "quality", "style", "seed", "guidance",
];
// The API's names for a field that the form shows under another input.
const ALIASES = { cfg_scale: "guidance", aspect_ratio: "size" };
const RATIO = "ratio:";

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
    $("negative_prompt-field").hidden = !p.negative_prompt;

    this.renderSizes();
    setRange($("num_images"), p.num_images);
    const formats = p.formats.filter((name) => c.formats.includes(name));
    const format = formats.includes(c.default_format) ? c.default_format : formats[0];
    refill($("format"), formats.map((name) => option(name, name.toUpperCase())), format);
    this.showQuality();
    setRange($("seed"), p.seed);

    // A model that takes no guidance is refused one: the field goes, with what was typed.
    const guidance = p.guidance;
    $("guidance-field").hidden = !guidance;
    if (!guidance) {
      $("guidance").value = "";
      return;
    }
    setRange($("guidance"), guidance);
    $("guidance").placeholder = guidance.default == null ? "" : String(guidance.default);
    const preset = guidance.default == null ? "" : ` (default ${guidance.default})`;
    $("guidance-hint").textContent =
      `${guidance.min}–${guidance.max}: how closely to follow the prompt${preset}.`;
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
    $("size-pair").hidden = ratio;
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

  /** The POST /jobs body: what the user typed, empty optional fields left out. */
  read() {
    const body = { prompt: $("prompt").value, model: $("model").value };
    const text = (id) => $(id).value.trim();
    const number = (id) => (text(id) === "" ? undefined : Number(text(id)));
    const shown = (id) => !$(id).closest("[hidden]");
    if (shown("negative_prompt") && text("negative_prompt")) {
      body.negative_prompt = $("negative_prompt").value;
    }
    const size = $("size").value;
    if (size.startsWith(RATIO)) body.aspect_ratio = size.slice(RATIO.length);
    for (const id of ["width", "height", "num_images", "seed", "guidance"]) {
      const value = number(id);
      if (value !== undefined && shown(id)) body[id] = value;
    }
    body.format = $("format").value;
    if (shown("quality") && number("quality") !== undefined) body.quality = number("quality");
    body.style = $("style").value;
    return body;
  }

  /** Fills the form with a job's parameters, its model and seed included. */
  fill(parameters) {
    if ([...$("model").options].some((o) => o.value === parameters.model && !o.disabled)) {
      $("model").value = parameters.model;
      this.applyModel();
    }
    $("prompt").value = parameters.prompt;
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
    const error = $(`${id}-error`);
    if (!error) return;
    error.hidden = true;
    error.textContent = "";
    $(id).removeAttribute("aria-invalid");
  }

  clearErrors() {
    for (const id of FIELDS) this.clearError(id);
    $("form-error").hidden = true;
  }

  /** Shows each refused field's message beside it and focuses the first; the rest above. */
  showErrors(fieldErrors, fallback) {
    this.clearErrors();
    let first = null;
    const unplaced = [];
    for (const { field, message } of fieldErrors) {
      const id = ALIASES[field] || field;
      const error = FIELDS.includes(id) ? $(`${id}-error`) : null;
      if (!error || $(id).closest("[hidden]")) {
        unplaced.push(`${field}: ${message}`);
        continue;
      }
      error.textContent = error.hidden ? message : `${error.textContent} ${message}`;
      error.hidden = false;
      $(id).setAttribute("aria-invalid", "true");
      first = first || $(id);
    }
    if (unplaced.length || !first) this.showFormError(unplaced.join(" ") || fallback);
    (first || $("submit")).focus();
  }

  showFormError(message) {
    $("form-error").textContent = message;
    $("form-error").hidden = false;
  }

  busy(on) {
    $("submit").disabled = on;
    $("submit").textContent = on ? "Submitting…" : "Generate";
  }
}
