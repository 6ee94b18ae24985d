// The task picker, and the chosen task's own fields: what GET /models' TaskView says the
// chosen model takes for it (its numbers with their ranges, texts and modes). The image, mask
// and margins preview are editor.js's; the fields every task shares are form.js's.

// Each task's name, and what it does in a sentence.
const NAMES = {
  "text-to-image": ["Text to image", "Draws the prompt."],
  "image-to-image": ["Image to image", "Draws the prompt, starting from the image."],
  inpaint: ["Inpaint", "Paint over a part of the image; the prompt says what goes there."],
  outpaint: ["Outpaint", "Extends the canvas by the margins, and fills them."],
  erase: ["Erase", "Paint over what to remove; it is filled from around it."],
  "remove-background": ["Remove background", "Keeps the subject, with a transparent background."],
  "search-and-replace": ["Search and replace", "Finds what you name, and replaces it."],
  "search-and-recolor": ["Search and recolor", "Finds what you name, and recolors it."],
  upscale: ["Upscale", "Makes the image larger."],
  "control-sketch": ["Control: sketch", "Draws the prompt along the sketch's lines."],
  "control-structure": ["Control: structure", "Draws the prompt in the image's structure."],
  "style-guide": ["Style guide", "Draws the prompt in the image's style."],
  "style-transfer": ["Style transfer", "Gives the image the style image's style."],
};
export const MARGINS = ["left", "right", "up", "down"];
const NUMBERS = {
  strength: ["Strength", "0 keeps the image, 1 ignores it."],
  grow_mask: ["Grow mask (px)", "Pixels to widen the painted part by."],
  control_strength: ["Control strength", "How closely to follow the image's lines."],
  creativity: ["Creativity", "How much the model may invent."],
  fidelity: ["Fidelity", "How closely to keep the style image's style."],
  left: ["Left", ""],
  right: ["Right", ""],
  up: ["Top", ""],
  down: ["Bottom", ""],
};
const TEXTS = {
  search_prompt: ["Search for", "What in the image to replace."],
  select_prompt: ["Select", "What in the image to recolor."],
};
// Numbers that count pixels take whole numbers.
const WHOLE = new Set(["grow_mask", ...MARGINS]);

const $ = (id) => document.getElementById(id);

export function taskName(task) {
  return NAMES[task]?.[0] || task;
}

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text) made.textContent = text;
  return made;
}

/** A labelled field with its hint and error, as the form's static ones are. */
function field(name, label, hint, control) {
  const box = element("div", { class: "field", id: `${name}-field` });
  control.id = name;
  control.name = name;
  control.setAttribute("aria-describedby", `${name}-hint ${name}-error`);
  box.append(
    element("label", { for: name }, label),
    control,
    element("p", { class: "hint", id: `${name}-hint` }, hint),
    element("p", { class: "error", id: `${name}-error`, hidden: "" }),
  );
  return box;
}

function numberField(name, span) {
  const [label, hint] = NUMBERS[name] || [name, ""];
  const whole = WHOLE.has(name);
  const input = element("input", {
    type: "number",
    inputmode: whole ? "numeric" : "decimal",
    step: whole ? "1" : "0.05",
    min: String(span.min),
    max: String(span.max),
  });
  if (span.default != null) input.placeholder = String(span.default);
  const range = `${span.min}–${span.max}`;
  const preset = span.default == null ? "" : `, default ${span.default}`;
  return field(name, label, `${hint} ${range}${preset}.`.trim(), input);
}

export class TaskFields {
  constructor({ onChange }) {
    this.onChange = onChange;
    this.tasks = [];
    this.names = [];
    $("task").addEventListener("change", () => this.apply());
  }

  /** The tasks the chosen model does: the picker offers them, keeping the one chosen. */
  useModel(model) {
    this.tasks = model.tasks;
    const previous = $("task").value;
    $("task").replaceChildren(
      ...model.tasks.map((t) => {
        const option = element("option", { value: t.task }, taskName(t.task));
        return option;
      }),
    );
    const kept = model.tasks.some((t) => t.task === previous);
    $("task").value = kept ? previous : model.tasks[0].task;
    this.apply();
  }

  /** The chosen task's TaskView. */
  get current() {
    return this.tasks.find((t) => t.task === $("task").value) || this.tasks[0];
  }

  /** Chooses `task` if the model does it; whether it did. */
  choose(task) {
    if (!this.tasks.some((t) => t.task === task)) return false;
    $("task").value = task;
    this.apply();
    return true;
  }

  /** Shows the chosen task's numbers (margins apart), texts and modes, and nothing else. */
  apply() {
    const task = this.current;
    const box = $("task-fields");
    box.replaceChildren();
    $("margins").querySelectorAll(".field").forEach((f) => f.remove());
    this.names = [];
    for (const [name, span] of Object.entries(task.numbers)) {
      const made = numberField(name, span);
      if (MARGINS.includes(name)) {
        made.querySelector("input").value = "0";
        $("margins").append(made);
      } else {
        box.append(made);
      }
      this.names.push(name);
    }
    $("margins").hidden = !MARGINS.some((m) => m in task.numbers);
    for (const name of task.texts) {
      const [label, hint] = TEXTS[name] || [name, ""];
      box.append(field(name, label, hint, element("input", { type: "text", spellcheck: "false" })));
      this.names.push(name);
    }
    if (task.modes.length) {
      const select = element("select");
      select.append(...task.modes.map((mode) => element("option", { value: mode }, mode)));
      box.append(field("mode", "Mode", "How to upscale.", select));
      this.names.push("mode");
    }
    const does = NAMES[task.task]?.[1] || "";
    $("task-hint").textContent = task.output ? `${does} Gives ${task.output}.` : does;
    this.onChange(task);
  }

  /** The task's fields in a POST /jobs body: numbers and texts given, the mode. */
  read(body) {
    body.task = this.current.task;
    for (const name of this.names) {
      const value = $(name).value.trim();
      if (value === "") continue;
      body[name] = $(name).type === "number" ? Number(value) : value;
    }
  }

  /** Fills the task's fields from a job's parameters. */
  fill(parameters) {
    if (!this.choose(parameters.task)) return;
    for (const name of this.names) {
      if (parameters[name] != null) $(name).value = String(parameters[name]);
    }
  }
}
