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
  if (textarea.name === "body") addImageButton(textarea);
});

// The toolbar's "Insert an image" button: the body-image flow (an image attachment of this
// release, inserted at the cursor with its alt text) from where the editor is writing, rather
// than only from the attachments table below (issue 29). It opens a dialog listing the saved
// image attachments, each with its alt text field; with none yet, it says how to add one.
function addImageButton(textarea, tries = 50) {
  const container = textarea.closest(".prose-editor");
  const menubar = container && container.querySelector(".prose-menubar:not(.prose-menubar--floating)");
  if (!menubar) {
    // The menu bar is drawn just after the editor announces itself.
    if (tries > 0) requestAnimationFrame(() => addImageButton(textarea, tries - 1));
    return;
  }
  if (menubar.querySelector(".irsite-image-button")) return;
  const group = document.createElement("div");
  group.className = "prose-menubar__group";
  // Drawn like the toolbar's own buttons: a Material icon named for assistive technology.
  const button = document.createElement("button");
  button.type = "button";
  button.className = "prose-menubar__button material-icons irsite-image-button";
  button.title = "Insert an image from this release's image attachments";
  button.setAttribute("aria-label", "Insert an image");
  button.setAttribute("aria-haspopup", "dialog");
  button.textContent = "image";
  button.addEventListener("click", () => openImageDialog(button));
  group.append(button);
  menubar.append(group);
}

function element(tag, properties = {}, children = []) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function openImageDialog(opener) {
  let dialog = document.getElementById("irsite-image-dialog");
  if (!dialog) {
    dialog = element("dialog", { id: "irsite-image-dialog", className: "irsite-image-dialog" });
    dialog.setAttribute("aria-labelledby", "irsite-image-dialog-title");
    // Cancelled: back to the button. Inserted: the editor has the focus, after the image;
    // sent to the attachments: their "Add another" link has it.
    dialog.addEventListener("close", () => {
      if (!dialog.returnValue) opener.focus();
    });
    document.body.append(dialog);
  }
  const boxes = [...document.querySelectorAll(".irsite-insert-image")];
  const close = element("button", { type: "button", textContent: "Cancel" });
  close.addEventListener("click", () => dialog.close());
  const parts = [element("h2", { id: "irsite-image-dialog-title", textContent: "Insert an image" })];
  if (!boxes.length) {
    parts.push(element("p", {
      textContent: "This release has no saved image yet. Add the image under “Attachments” " +
        "below, save, and insert it from here with its alt text.",
    }));
    const go = element("button", { type: "button", textContent: "Go to attachments" });
    go.addEventListener("click", () => {
      dialog.close("moved");
      const add = document.querySelector("#attachments-group .add-row a") ||
        document.getElementById("attachments-group");
      add.scrollIntoView({ block: "center" });
      add.focus();
    });
    parts.push(element("p", {}, [go, " ", close]));
  } else {
    parts.push(element("p", {
      textContent: "It goes in at the cursor. Alt text says what the image shows.",
    }));
    boxes.forEach((box, n) => {
      const row = box.closest("tr");
      const titleField = row && row.querySelector("input[name$='-title']");
      const title = (titleField && titleField.value) || box.dataset.src.split("/").pop();
      const id = `irsite-image-alt-${n}`;
      const alt = element("input", { type: "text", id, size: 40, className: "irsite-alt" });
      alt.value = box.querySelector("input.irsite-alt").value;
      const status = element("span", { className: "irsite-insert-status" });
      status.setAttribute("role", "status");
      const insert = element("button", { type: "button", textContent: "Insert" });
      insert.setAttribute("aria-label", `Insert “${title}”`);
      insert.addEventListener("click", () => {
        if (insertImage(box.dataset.src, alt.value, status, alt)) {
          dialog.close("inserted");
          bodyEditor.commands.focus();
        }
      });
      const label = element("label", { htmlFor: id, textContent: `Alt text of “${title}”` });
      parts.push(element("p", { className: "irsite-image-choice" }, [label, " ", alt, " ", insert, " ", status]));
    });
    parts.push(element("p", {}, [close]));
  }
  dialog.replaceChildren(...parts);
  dialog.returnValue = "";
  dialog.showModal();
  (dialog.querySelector("input") || dialog.querySelector("button")).focus();
}

// Puts the image at ``src`` into the body with ``altText``; false, saying why in ``status``,
// when there is no alt text or no editor yet.
function insertImage(src, altText, status, altField) {
  if (!altText.trim()) {
    status.textContent = "Type the alt text first: what the image shows.";
    altField.focus();
    return false;
  }
  if (!bodyEditor) {
    status.textContent = "The body's editor is not ready yet.";
    return false;
  }
  bodyEditor.chain().focus().setImage({ src, alt: altText.trim() }).run();
  status.textContent = "Inserted in the body.";
  return true;
}

// An image attachment goes into the body at the cursor, with the alt text typed beside it:
// without alt text nothing is inserted (the server refuses such an image too).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.irsite-insert");
  if (!button) return;
  const box = button.closest(".irsite-insert-image");
  const alt = box.querySelector("input.irsite-alt");
  const status = box.querySelector(".irsite-insert-status");
  insertImage(box.dataset.src, alt.value, status, alt);
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
