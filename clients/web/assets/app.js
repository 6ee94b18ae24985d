// Wires the page: the key, the limits (GET /config, no key needed), the form, the job, history.

import { api, apiKey, ApiError, NoKeyError } from "./api.js";
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
  onAgain: (parameters) => {
    form.fill(parameters);
    $("job-form").requestSubmit();
  },
  onSettled: () => history.reload(),
  onError,
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
  if (apiKey.get()) keyMessage("Key accepted; it is kept in this tab only.", "ok");
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
    const job = await api.submit(form.read());
    panel.open(job, { focus: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) {
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
