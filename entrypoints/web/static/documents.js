// Documents: upload (picker or drop, several at once) and follow each file to ready or
// failed; list, filter, rename, retag, delete and restore. Editors only, but the list.

import { $, allows, api, button, element, megabytes, problemText } from "./api.js";

const POLL_MS = 1000;
let maxUploadBytes = Infinity;
let role = "reader";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const documentUrl = (id) => `/api/v1/docs/${encodeURIComponent(id)}`;

export function configureDocuments(me) {
  role = me.role;
  maxUploadBytes = me.max_upload_bytes;
  $("upload-limit").textContent = `Up to ${megabytes(maxUploadBytes)} per file.`;
  $("uploads").replaceChildren();
}

// One line per file being uploaded: its name, where it is, and a retry button if it failed.
function uploadRow(name) {
  const item = element("li");
  const state = element("span", "upload-state");
  const progress = element("progress");
  progress.hidden = true;
  item.append(element("span", "file-name", name), " ", state, " ", progress);
  $("uploads").prepend(item);
  return { item, state, progress };
}

function showVersion(row, version) {
  row.item.dataset.status = version.status;
  const total = version.pages_total;
  if (version.status === "processing" && total) {
    row.state.textContent = `processing: ${version.pages_done} of ${total} pages`;
    row.progress.hidden = false;
    row.progress.max = total;
    row.progress.value = version.pages_done;
  } else {
    row.state.textContent = version.status === "failed"
      ? `failed: ${version.error || "no reason given"}` : version.status;
    row.progress.hidden = true;
  }
}

function failed(row, message) {
  row.item.dataset.status = "refused";
  row.state.textContent = message;
  row.state.classList.add("error");
}

async function follow(row, statusUrl) {
  for (;;) {
    const response = await api(statusUrl);
    if (!response.ok) {
      failed(row, await problemText(response));
      return;
    }
    const version = await response.json();
    showVersion(row, version);
    if (version.status === "ready" || version.status === "failed") {
      if (version.status === "failed") {
        row.item.append(" ", button("Retry", () => retry(row, statusUrl)));
      }
      await refreshList();
      return;
    }
    await sleep(POLL_MS);
  }
}

async function retry(row, statusUrl) {
  row.item.querySelectorAll("button").forEach((b) => b.remove());
  row.state.classList.remove("error");
  row.item.dataset.status = "retrying";
  row.state.textContent = "retrying";
  const response = await api(`${statusUrl}/retry`, { method: "POST" });
  if (!response.ok) {
    failed(row, await problemText(response));
    return;
  }
  await follow(row, statusUrl);
}

async function upload(file) {
  const row = uploadRow(file.name);
  if (file.size > maxUploadBytes) {
    failed(row, `refused: ${megabytes(file.size)} is over the ${megabytes(maxUploadBytes)} limit`);
    return;
  }
  row.state.textContent = "uploading";
  const form = new FormData();
  form.append("file", file, file.name);
  const tags = $("upload-tags").value.trim();
  if (tags) form.append("tags", tags);
  const response = await api("/api/v1/docs", { method: "POST", body: form });
  if (!response.ok) {
    failed(row, `refused: ${await problemText(response)}`);
    return;
  }
  const accepted = await response.json();
  await follow(row, accepted.status_url);
}

function uploadAll(files) {
  if (!allows(role, "editor")) return;
  return Promise.all([...files].map(upload));
}

function editButtons(document_) {
  const url = documentUrl(document_.id);
  const patch = async (body) => {
    const response = await api(url, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await settled(response);
  };
  const rename = button("Rename", () => {
    const name = prompt(`New name for ${document_.name}`, document_.name);
    if (name && name.trim()) patch({ name: name.trim() });
  });
  const retag = button("Tags", () => {
    const tags = prompt(`Tags for ${document_.name} (comma-separated)`, document_.tags.join(", "));
    if (tags !== null) patch({ tags: tags.split(",").map((t) => t.trim()).filter(Boolean) });
  });
  const remove = document_.deleted
    ? button("Restore", async () => settled(await api(`${url}/restore`, { method: "POST" })))
    : button("Delete", async () => settled(await api(url, { method: "DELETE" })));
  const buttons = [rename, retag, remove];
  if (document_.status === "failed" && document_.newest_version) {
    const statusUrl = `${url}/versions/${document_.newest_version}`;
    buttons.push(button("Retry", async () => {
      await settled(await api(`${statusUrl}/retry`, { method: "POST" }));
      follow(uploadRow(document_.name), statusUrl);
    }));
  }
  for (const b of buttons) b.setAttribute("aria-label", `${b.textContent} ${document_.name}`);
  return buttons;
}

async function settled(response) {
  $("documents-error").textContent = response.ok ? "" : await problemText(response);
  await refreshList();
}

function cell(...content) {
  const td = element("td");
  td.append(...content);
  return td;
}

export async function refreshList() {
  const query = new URLSearchParams({ limit: "200" });
  const tags = $("filter-tags").value.trim();
  if (tags) query.set("tags", tags);
  if ($("filter-status").value) query.set("status", $("filter-status").value);
  if ($("filter-deleted").checked) query.set("include_deleted", "true");
  const response = await api(`/api/v1/docs?${query}`);
  if (!response.ok) {
    $("documents-error").textContent = await problemText(response);
    return;
  }
  const rows = (await response.json()).items.map((document_) => {
    const row = element("tr");
    if (document_.deleted) row.className = "deleted";
    const status = document_.deleted ? "deleted" : document_.status || "";
    row.append(cell(document_.name), cell(document_.tags.join(", ")), cell(status));
    if (allows(role, "editor")) row.append(cell(...editButtons(document_)));
    return row;
  });
  $("document-list").tBodies[0].replaceChildren(...rows);
}

export function setUpDocuments() {
  $("files").addEventListener("change", async (event) => {
    const files = [...event.target.files];
    event.target.value = "";
    await uploadAll(files);
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    uploadAll(event.dataTransfer.files);
  });
  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    refreshList();
  });
}
