// The tenant's own jobs, newest first: a status filter and "load more" through the cursor.

import { api } from "./api.js";
import { altText, describe, isExpired, unavailable } from "./job.js";

const $ = (id) => document.getElementById(id);

export class History {
  constructor({ onOpen, onError }) {
    this.onOpen = onOpen;
    this.onError = onError;
    this.cursor = null;
    this.loading = false;
    this.generation = 0;
    $("status-filter").addEventListener("change", () => this.reload());
    $("refresh").addEventListener("click", () => this.reload());
    $("load-more").addEventListener("click", () => this.more());
  }

  clear(message = "") {
    this.cursor = null;
    $("history-list").replaceChildren();
    $("load-more").hidden = true;
    $("history-message").textContent = message;
  }

  async reload() {
    // A new listing supersedes one still in flight: its answer is dropped when it comes.
    this.generation += 1;
    this.loading = false;
    this.clear("Loading…");
    await this.load();
  }

  async more() {
    await this.load();
    // Keyboard users stay where the new cards begin.
    const starts = $("history-list").querySelectorAll("li[data-first-of-page] button");
    starts[starts.length - 1]?.focus();
  }

  async load() {
    if (this.loading) return;
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.loading = true;
    $("history-list").setAttribute("aria-busy", "true");
    $("load-more").disabled = true;
    try {
      // A sparse filter can end a page before it found a job; read on a few times for one.
      let page = null;
      for (let reads = 0; reads < 5 && (!page || (!page.jobs.length && this.cursor)); reads++) {
        page = await api.list({ status: $("status-filter").value, cursor: this.cursor });
        if (!current()) return;
        this.cursor = page.next_cursor;
      }
      page.jobs.forEach((job, index) => $("history-list").append(this.card(job, index === 0)));
      const shown = $("history-list").children.length;
      $("history-message").textContent = shown
        ? `${shown} job${shown === 1 ? "" : "s"} shown${this.cursor ? "" : ", no more"}.`
        : "No jobs yet.";
      $("load-more").hidden = !this.cursor;
    } catch (error) {
      if (!current()) return;
      this.clear();
      this.onError(error);
    } finally {
      if (current()) {
        this.loading = false;
        $("history-list").setAttribute("aria-busy", "false");
        $("load-more").disabled = false;
      }
    }
  }

  card(job, firstOfPage) {
    const item = document.createElement("li");
    item.dataset.jobId = job.job_id;
    if (firstOfPage) item.dataset.firstOfPage = "true";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "card";
    const thumb = document.createElement("div");
    thumb.className = "thumb";
    if (job.images.length && isExpired(job)) {
      thumb.append(unavailable("Expired"));
    } else if (job.images.length) {
      const img = document.createElement("img");
      img.loading = "lazy";
      img.width = job.images[0].width;
      img.height = job.images[0].height;
      img.alt = altText(job, 0);
      img.addEventListener("error", () => img.replaceWith(unavailable("Image expired")));
      img.src = job.images[0].url;
      thumb.append(img);
    } else {
      thumb.append(unavailable(job.status === "succeeded" ? "No image" : job.status));
    }
    const prompt = document.createElement("span");
    prompt.className = "prompt";
    prompt.textContent = describe(job);
    const status = document.createElement("span");
    status.className = "status";
    status.dataset.status = job.status;
    status.textContent = job.status;
    button.append(thumb, prompt, status);
    button.setAttribute("aria-label", `${job.status}: ${describe(job)}. Open this job.`);
    button.addEventListener("click", () => this.onOpen(job));
    item.append(button);
    return item;
  }
}
