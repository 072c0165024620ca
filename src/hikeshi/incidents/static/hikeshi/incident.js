// The incident page's triage form: show only the fields that the decision needs, and mark
// the priority that the chosen urgency and impact give in the (server-rendered) table.
// Without this script every field stays visible and the form works the same.
"use strict";

function checkedValue(form, name) {
  const input = form.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : "";
}

function updateTriage(form) {
  const decision = checkedValue(form, "is_incident");
  for (const section of form.querySelectorAll("[data-shown-when]")) {
    section.hidden = decision !== "" && section.dataset.shownWhen !== decision;
  }
  const urgency = checkedValue(form, "urgency");
  const impact = checkedValue(form, "impact");
  for (const cell of form.querySelectorAll(".priority-matrix td")) {
    const chosen = cell.dataset.urgency === urgency && cell.dataset.impact === impact;
    cell.classList.toggle("is-chosen", chosen);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("[data-triage-form]")) {
    form.addEventListener("change", () => updateTriage(form));
    updateTriage(form);
  }
});
