// The release change page: tables start with a header row, and preview links copy in one click.
"use strict";

// django-prose-editor's table dialog offers "Include header row: No" first; a release's tables
// have column headings, so the dialog opens with "Yes" (the editor can still choose No).
new MutationObserver(() => {
  for (const select of document.querySelectorAll('dialog select[name="withHeaderRow"]')) {
    if (!select.dataset.irsiteDefaulted) {
      select.dataset.irsiteDefaulted = "1";
      select.value = "Yes";
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch {
    // No clipboard API outside a secure context: select the text and copy the old way.
    field.select();
    copied = document.execCommand("copy");
  }
  const status = button.nextElementSibling;
  status.textContent = copied ? "Copied." : "Select the link and copy it.";
});
