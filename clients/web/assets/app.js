// Wires the page: the key, the limits (GET /config, no key needed), the models (GET /models,
// once a key is accepted), the form (with the image an edit takes, uploaded as it is sent),
// the job, history.

import { api, apiKey, ApiError, NoKeyError, UploadError } from "./api.js";
import { JobForm } from "./form.js";
import { History } from "./history.js";
import { JobPanel } from "./job.js";

const $ = (id) => document.getElementById(id);

function keyMessage(text, kind = "") {
  $("key-message").textContent = text;
  $("key-message").dataset.kind = kind;
}

let form = null;

/** A refused key: say so, forget it, and show none of the data fetched with it. */
function onError(error) {
  if (error instanceof NoKeyError || error.status === 403 || error.status === 401) {
    if (error instanceof ApiError) apiKey.clear();
    keyMessage(error.message, "error");
    history.clear("Enter a valid API key to see your jobs.");
    panel.close();
    $("api-key").focus();
    return;
  }
  $("form-error").textContent = error.message || "Something went wrong; please retry.";
  $("form-error").hidden = false;
}

const panel = new JobPanel({
  modelName: (id) => (form ? form.modelName(id) : id),
  onAgain: (parameters) => {
    form.fill(parameters);
    $("job-form").requestSubmit();
  },
  onSettled: () => history.reload(),
  onError,
  onEdit: (image) => form && form.editImage(image),
});
const history = new History({ onOpen: (job) => openJob(job), onError });

async function openJob(job) {
  panel.open(job, { focus: true });
  // The listing's URLs may be old: read the job again for fresh ones.
  try {
    panel.open(await api.job(job.job_id));
  } catch (error) {
    onError(error);
  }
}

async function useKey(value) {
  apiKey.set(value);
  keyMessage("Checking the key…");
  await history.reload();
  if (!apiKey.get()) return; // refused: the key field says so
  keyMessage("Key accepted; it is kept in this tab only.", "ok");
  await loadModels();
}

/** The models the key may use: the picker offers them in place of the default alone. */
async function loadModels() {
  if (!form) return;
  try {
    form.useModels((await api.models()).models);
  } catch (error) {
    if (error.status === 403 || error.status === 401) {
      onError(error);
      return;
    }
    // The default model still works: say why the others are missing, and go on.
    $("model-hint").textContent = `Could not list the models: ${error.message}`;
  }
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("api-key").value.trim();
  if (value) useKey(value);
});

$("forget-key").addEventListener("click", () => {
  apiKey.clear();
  $("api-key").value = "";
  history.clear("Enter your API key to see your jobs.");
  panel.close();
  keyMessage("Key forgotten.");
});

$("job-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!form) return;
  form.clearErrors();
  form.busy(true);
  try {
    // The key in the field is the one to use, whether or not "Use key" was pressed.
    const typed = $("api-key").value.trim();
    if (typed && typed !== apiKey.get()) {
      await useKey(typed);
      if (!apiKey.get()) return; // refused: the key field says so
    }
    const body = form.read();
    const inputs = await form.inputs();
    if (inputs === null) return; // the form says what is missing
    // Files (chosen, dropped, or the painted mask) go to S3 first; the job names them.
    for (const [field, given] of Object.entries(inputs)) {
      if (given instanceof Blob) {
        form.busy(true, "Uploading…");
        body[field] = { upload_id: await api.upload(given, field) };
      } else {
        body[field] = given;
      }
    }
    form.busy(true);
    const job = await api.submit(body);
    panel.open(job, { focus: true, before: inputs.image ? form.before() : null });
  } catch (error) {
    if (error instanceof UploadError || (error instanceof ApiError && error.status === 404 && error.fieldErrors.length)) {
      form.showErrors(error.fieldErrors, error.message);
    } else if (error instanceof ApiError && error.status === 422) {
      form.showErrors(error.fieldErrors, error.message);
    } else if (error instanceof ApiError && error.status === 400) {
      form.showFormError(error.message);
    } else {
      onError(error);
    }
  } finally {
    form.busy(false);
  }
});

async function start() {
  try {
    form = new JobForm(await api.config());
  } catch (error) {
    $("config-message").textContent = `Could not load this deployment's limits: ${error.message}`;
    $("config-message").hidden = false;
    $("submit").disabled = true;
  }
  const saved = apiKey.get();
  if (saved) {
    $("api-key").value = saved;
    await useKey(saved);
  } else {
    history.clear("Enter your API key to see your jobs.");
  }
  document.body.dataset.ready = "true";
}

start();
