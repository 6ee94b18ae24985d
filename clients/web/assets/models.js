// The models a job may name, as the form shows them: GET /models once a key is accepted, and
// until then the deployment's default model, described by GET /config.

const RATIO_NAMES = {
  "1:1": "square",
  "16:9": "wide",
  "21:9": "ultrawide",
  "2:3": "portrait",
  "3:2": "landscape",
  "4:5": "portrait",
  "5:4": "landscape",
  "9:16": "tall",
  "9:21": "tall",
};

/** The default model as GET /config describes it, in GET /models' shape (no price, no
 * lifecycle, no aspect ratios: those need GET /models, and so a key). */
export function defaultModel(config) {
  return {
    id: config.default_model,
    name: config.default_model,
    description: "",
    default: true,
    // GET /models' TaskView of text-to-image: the one task known before a key is given.
    tasks: [
      {
        task: "text-to-image",
        images: [],
        mask: false,
        prompt: "required",
        numbers: {},
        texts: [],
        aspect_ratio: true,
        modes: [],
        alpha: false,
        seeded: true,
        output: "",
      },
    ],
    parameters: {
      prompt: config.prompt,
      negative_prompt: true,
      aspect_ratios: [],
      side: config.side,
      seed: config.seed,
      num_images: config.num_images,
      formats: config.formats,
      guidance: config.guidance,
    },
    price: null,
    lifecycle: null,
  };
}

/** "16:9 (wide)". */
export function ratioLabel(ratio) {
  return RATIO_NAMES[ratio] ? `${ratio} (${RATIO_NAMES[ratio]})` : ratio;
}

/** The model's entry in the picker: its name, and whether it is the default or legacy. */
export function modelLabel(model) {
  const notes = [];
  if (model.default) notes.push("default");
  const status = model.lifecycle?.status;
  if (status === "legacy" || status === "unavailable") notes.push(status);
  return notes.length ? `${model.name} (${notes.join(", ")})` : model.name;
}

/** Whether a job may name the model now: an unavailable one is refused at submit. */
export function usable(model) {
  return model.lifecycle?.status !== "unavailable";
}

/** "$0.080 per image (as of 2026-12-06, not verified at the provider)", or "Free". */
export function priceText(model) {
  if (!model.price) return "";
  const usd = model.price.usd_per_image;
  const figure = usd === 0 ? "Free" : `$${usd.toFixed(3)} per image`;
  if (usd === 0 || model.price.verified) return figure;
  return `${figure} (as of ${model.price.as_of}, not verified at the provider)`;
}

/** What the lifecycle means for a job: nothing to say while the model is active. */
export function lifecycleText(model) {
  const lifecycle = model.lifecycle;
  if (!lifecycle || lifecycle.status === "active") return "";
  const until = lifecycle.end_of_life ? ` until ${lifecycle.end_of_life}` : "";
  if (lifecycle.status === "legacy") {
    return `Legacy: it still works${until}, then it is retired.`;
  }
  return `Unavailable${lifecycle.reason ? `: ${lifecycle.reason}` : ""}.`;
}
