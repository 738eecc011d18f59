// Email alert forms: the category choice stays one clear choice, and the sign-up frame on
// public pages grows to its content (a fixed height hid the categories on a phone).
"use strict";

document.addEventListener("change", (event) => {
  const input = event.target;
  const form = input.form;
  if (!form || !form.classList.contains("alerts-form")) return;
  if (input.name === "categories" && input.checked) {
    const chosen = form.querySelector('input[name="scope"][value="chosen"]');
    if (chosen) chosen.checked = true;
  } else if (input.name === "scope" && input.value !== "chosen" && input.checked) {
    form.querySelectorAll('input[name="categories"]').forEach((box) => { box.checked = false; });
  }
});

// In the frame (same origin, so the parent's <iframe> element is reachable): follow the
// content's height at every width, e.g. when a phone turns.
if (window.frameElement && document.body.classList.contains("alerts-embed")) {
  const frame = window.frameElement;
  const fit = () => {
    frame.style.height = Math.ceil(document.documentElement.getBoundingClientRect().height) + "px";
  };
  new ResizeObserver(fit).observe(document.documentElement);
  fit();
}
