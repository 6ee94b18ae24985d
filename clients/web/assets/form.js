// The generate form: built from GET /config, read into a POST /jobs body, and told which
// fields the API refused. No limit is written here: they all come from the deployment.

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
  "prompt", "negative_prompt", "width", "height", "num_images", "format", "quality", "style",
  "seed", "guidance",
];
// The API's names for a field that the form shows under another input.
const ALIASES = { cfg_scale: "guidance" };

const $ = (id) => document.getElementById(id);

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

function setRange(input, range) {
  input.min = String(range.min);
  input.max = String(range.max);
}

export class JobForm {
  constructor(config) {
    this.config = config;
    this.form = $("job-form");
    this.build();
  }

  build() {
    const c = this.config;
    $("prompt").maxLength = c.prompt.max_length;
    $("prompt-hint").textContent = `Up to ${c.prompt.max_length} characters. Renders with ${c.engine}.`;
    $("negative_prompt").maxLength = c.negative_prompt.max_length;

    for (const id of ["width", "height"]) {
      setRange($(id), c.side);
      $(id).value = String(c.side.default);
    }
    const size = $("size");
    for (const [w, h, name] of PRESETS) {
      if (w >= c.side.min && w <= c.side.max && h >= c.side.min && h <= c.side.max) {
        size.append(option(`${w}x${h}`, `${name} — ${w} × ${h}`));
      }
    }
    size.append(option("custom", "Custom"));
    $("size-hint").textContent = `Each side ${c.side.min} to ${c.side.max} pixels.`;
    size.addEventListener("change", () => this.applyPreset());
    for (const id of ["width", "height"]) $(id).addEventListener("input", () => this.matchPreset());
    this.matchPreset();

    setRange($("num_images"), c.num_images);
    $("num_images").value = String(c.num_images.default);

    for (const name of c.formats) $("format").append(option(name, name.toUpperCase()));
    $("format").value = c.default_format;
    $("format").addEventListener("change", () => this.showQuality());

    setRange($("quality"), c.quality);
    $("quality").placeholder = String(c.quality.default);
    $("quality-hint").textContent = `${c.quality.min}–${c.quality.max}; lossy formats only (default ${c.quality.default}).`;
    this.showQuality();

    for (const name of c.styles) $("style").append(option(name, name.replace("_", " ")));
    $("style").value = c.default_style;

    setRange($("seed"), c.seed);
    setRange($("guidance"), c.guidance);
    $("guidance").placeholder = String(c.guidance.default);
    $("guidance-hint").textContent =
      `${c.guidance.min}–${c.guidance.max}: how closely to follow the prompt (default ${c.guidance.default}).`;

    for (const id of FIELDS) $(id).addEventListener("input", () => this.clearError(id));
  }

  applyPreset() {
    const value = $("size").value;
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
    const body = { prompt: $("prompt").value };
    const text = (id) => $(id).value.trim();
    const number = (id) => (text(id) === "" ? undefined : Number(text(id)));
    if (text("negative_prompt")) body.negative_prompt = $("negative_prompt").value;
    for (const id of ["width", "height", "num_images", "seed", "guidance"]) {
      const value = number(id);
      if (value !== undefined) body[id] = value;
    }
    body.format = $("format").value;
    if (!$("quality-field").hidden && number("quality") !== undefined) body.quality = number("quality");
    body.style = $("style").value;
    return body;
  }

  /** Fills the form with a job's parameters, its seed included. */
  fill(parameters) {
    $("prompt").value = parameters.prompt;
    $("negative_prompt").value = parameters.negative_prompt || "";
    $("width").value = String(parameters.width);
    $("height").value = String(parameters.height);
    this.matchPreset();
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
