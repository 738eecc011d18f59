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

// The body's editor (django-prose-editor announces it when ready), for "Insert in body".
let bodyEditor = null;
document.addEventListener("prose-editor:ready", (event) => {
  const textarea = event.detail.textarea;
  if (textarea.name === "body") bodyEditor = event.detail.editor;
  // The editable area is named by its field's label ("Body"), as the hidden textarea was:
  // assistive technology otherwise announces an unnamed text box.
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const area = event.detail.editor.view.dom;
  if (label && area) {
    label.id = label.id || `${textarea.id}_label`;
    area.setAttribute("aria-labelledby", label.id);
    area.setAttribute("aria-multiline", "true");
  }
});

// An image attachment goes into the body at the cursor, with the alt text typed beside it:
// without alt text nothing is inserted (the server refuses such an image too).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.irsite-insert");
  if (!button) return;
  const box = button.closest(".irsite-insert-image");
  const alt = box.querySelector("input.irsite-alt");
  const status = box.querySelector(".irsite-insert-status");
  if (!alt.value.trim()) {
    status.textContent = "Type the alt text first: what the image shows.";
    alt.focus();
    return;
  }
  if (!bodyEditor) {
    status.textContent = "The body's editor is not ready yet.";
    return;
  }
  bodyEditor.chain().focus().setImage({ src: box.dataset.src, alt: alt.value.trim() }).run();
  status.textContent = "Inserted in the body.";
});

// Before go-live an image's public URL answers 404 to everyone, so the editor shows it from the
// admin's copy through srcset; the stored src (what the editor saves) stays the public URL.
function showPrivateImages() {
  for (const img of document.querySelectorAll(".ProseMirror img[src]")) {
    const box = document.querySelector(
      `.irsite-insert-image[data-src="${CSS.escape(img.getAttribute("src"))}"]`,
    );
    if (box && img.getAttribute("srcset") !== box.dataset.preview) {
      img.setAttribute("srcset", box.dataset.preview);
    }
  }
}
new MutationObserver(showPrivateImages).observe(document.documentElement, {
  childList: true,
  subtree: true,
});

// Plain text pasted into the body (a filing's text, hard-wrapped at ~78 columns) would become one
// paragraph per line. Such a paste is sent to the server, which reads it as the importer reads a
// text exhibit (re-flowed paragraphs, lists, tables), and what comes back is pasted as HTML.
// Pastes that carry HTML, and one-line text, are left to the editor.
document.addEventListener(
  "paste",
  async (event) => {
    const target = event.target.closest && event.target.closest(".ProseMirror");
    const data = event.clipboardData;
    const url = document.getElementById("irsite-paste-text")?.dataset.url;
    if (!target || !data || !url || data.types.includes("text/html")) return;
    const text = data.getData("text/plain");
    if (!/\n/.test(text.trim())) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    let html = null;
    try {
      const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
      const response = await fetch(url, {
        method: "POST",
        body: text,
        credentials: "same-origin",
        headers: { "Content-Type": "text/plain; charset=utf-8", "X-CSRFToken": csrf ? csrf.value : "" },
      });
      if (response.ok) html = (await response.json()).html;
    } catch {
      // The editor's own paste below: one paragraph per line, but nothing is lost.
    }
    const again = new DataTransfer();
    if (html) again.setData("text/html", html);
    else again.setData("text/html", text.split("\n").map((l) => `<p>${l.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c])}</p>`).join(""));
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: again, bubbles: true, cancelable: true }));
  },
  true,
);
