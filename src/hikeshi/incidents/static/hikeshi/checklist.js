// The checklist page: an item's steps, record, comments and forms are fetched from the
// item's own page when the item is opened, so that the list itself stays light. Without
// this script, an opened item shows the link to that page instead.
"use strict";

const FRAGMENT_HEADER = "X-Hikeshi-Fragment";

async function loadItem(details) {
  if (details.dataset.state === "loading" || details.dataset.state === "loaded") {
    return;
  }
  const panel = details.querySelector(".check-panel");
  const link = panel && panel.querySelector("a");
  if (!link) {
    return;
  }
  details.dataset.state = "loading";
  panel.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(link.href, {
      headers: { [FRAGMENT_HEADER]: "1" },
      credentials: "same-origin",
    });
    // A redirect means the session ended (the sign-in page): follow the link instead.
    if (!response.ok || response.redirected) {
      throw new Error(`status ${response.status}`);
    }
    panel.innerHTML = await response.text();
    details.dataset.state = "loaded";
  } catch (error) {
    details.dataset.state = "failed";
    const message = document.getElementById("checklist-load-error");
    if (message && !panel.querySelector(".error")) {
      const note = document.createElement("p");
      note.className = "error";
      note.textContent = message.textContent;
      panel.prepend(note);
    }
  } finally {
    panel.removeAttribute("aria-busy");
  }
}

function openFromHash() {
  const match = /^#item-(\d+)$/.exec(window.location.hash);
  const item = match && document.getElementById(`item-${match[1]}`);
  const details = item && item.querySelector(":scope > details");
  if (details) {
    details.open = true;
    loadItem(details);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const details of document.querySelectorAll(".check-item > details")) {
    details.addEventListener("toggle", () => {
      if (details.open) {
        loadItem(details);
      }
    });
  }
  openFromHash();
  window.addEventListener("hashchange", openFromHash);
});
