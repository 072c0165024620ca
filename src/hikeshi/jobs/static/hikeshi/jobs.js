// Background jobs on the incident page and the jobs page: follow their progress without a
// reload. The server renders every row; this script only asks /incidents/<id>/jobs/status.json
// for news while a job is waiting or running, and updates the rows it finds. The texts in the
// answer are already in the reader's language. Without this script the pages show the state
// they were loaded with, and the cancel buttons work the same.
"use strict";

function setText(row, selector, text) {
  const element = row.querySelector(selector);
  if (element) {
    element.textContent = text || "";
    element.hidden = !text;
  }
  return element;
}

function showRow(row, selector, shown) {
  const element = row.querySelector(selector);
  if (element) {
    element.hidden = !shown;
  }
}

function updateProgress(row, job) {
  const bar = row.querySelector("progress[data-job-progress]");
  if (bar) {
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
    } else {
      bar.removeAttribute("value"); // an indeterminate bar: the total is not known yet
    }
    bar.textContent = job.percent === null ? "" : `${job.percent}%`;
  }
  setText(row, "[data-job-percent]", job.percent === null ? "" : `${job.percent}%`);
  setText(row, "[data-job-counts]", job.counts);
  const phase = row.querySelector("[data-job-phase]");
  if (phase && job.state !== "queued") {
    phase.textContent = job.phase_label;
  }
  showRow(row, "[data-job-progress-row]", job.active);
}

function updateResult(row, job) {
  const list = row.querySelector("[data-job-result]");
  if (!list) {
    return;
  }
  list.replaceChildren(
    ...job.result.map((line) => {
      const item = document.createElement("li");
      item.textContent = `${line.label}: ${line.value}`;
      return item;
    }),
  );
  list.hidden = job.result.length === 0;
}

function updateRow(row, job) {
  const wasActive = row.dataset.jobActive === "true";
  row.dataset.jobActive = job.active ? "true" : "false";
  const state = setText(row, "[data-job-state]", job.state_label);
  if (state) {
    state.className = `job-state job-state-${job.state}`;
  }
  updateProgress(row, job);
  setText(row, "[data-job-message]", job.message);
  const finished = row.querySelector("[data-job-finished]");
  if (finished) {
    finished.textContent = job.finished_at_text;
  }
  updateResult(row, job);
  showRow(row, "[data-job-cancel-requested]", job.cancel_requested);
  showRow(row, "[data-job-cancel]", job.can_cancel && !job.cancel_requested);
  if (wasActive && !job.active) {
    showRow(row, "[data-job-reload]", job.state === "done");
  }
}

function follow(container) {
  const url = container.dataset.jobStatusUrl;
  let delay = Number(container.dataset.pollMs) || 1500;
  const activeRows = () => container.querySelectorAll('[data-job-active="true"]').length;

  function later() {
    // The server is busy, restarting or out of reach: ask again, less often.
    delay = Math.min(delay * 2, 30000);
    window.setTimeout(poll, delay);
  }

  async function poll() {
    let answer;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.status >= 500) {
        later();
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.startsWith("application/json")) {
        return; // signed out, or the incident is gone for this person: stop asking
      }
      answer = await response.json();
    } catch (error) {
      later();
      return;
    }
    let unseen = false;
    for (const job of answer.jobs) {
      const row = container.querySelector(`[data-job-id="${job.id}"]`);
      if (row) {
        const wasActive = row.dataset.jobActive === "true";
        updateRow(row, job);
        if (wasActive && !job.active && "jobReloadWhenEnded" in container.dataset) {
          // A page that shows the job's outcome (an import's report): show it now.
          window.location.reload();
          return;
        }
      } else if (job.active) {
        unseen = true;
      }
    }
    showRow(container, "[data-job-news]", unseen);
    delay = answer.poll_ms || delay;
    if (activeRows() > 0 || answer.active > 0) {
      window.setTimeout(poll, delay);
    }
  }

  if (activeRows() > 0) {
    window.setTimeout(poll, delay);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const container of document.querySelectorAll("[data-job-status-url]")) {
    follow(container);
  }
});
