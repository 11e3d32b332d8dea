// The API as the page calls it: the key from this tab's sessionStorage on every request.

const KEY = "askdocs.key";
const ROLES = ["reader", "editor", "admin"];
let onRefused = () => {};

export const $ = (id) => document.getElementById(id);

export function key() {
  return sessionStorage.getItem(KEY);
}

export function remember(candidate) {
  sessionStorage.setItem(KEY, candidate);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

// What to do when the server no longer takes the key (it was revoked, or the server restarted).
export function whenRefused(callback) {
  onRefused = callback;
}

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}), "X-API-Key": key() };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) onRefused();
  return response;
}

export function postJson(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

// Whether `role` includes `needed`: each role includes the ones before it.
export function allows(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function megabytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB`;
}

// A new element of `tag` with a class and, as text, `text`.
export function element(tag, className = "", text = "") {
  const made = document.createElement(tag);
  if (className) made.className = className;
  made.textContent = text;
  return made;
}

export function button(label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}
