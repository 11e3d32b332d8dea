// The askdocs page: sign in with an API key, then chat (chat.js) and, for editors, manage
// documents (documents.js). No framework and no build step; text goes in as text, never as
// HTML.

import { $, allows, api, forget, key, problemText, remember, whenRefused } from "./api.js";
import { forgetConversation, loadModels, setUpChat } from "./chat.js";
import { configureDocuments, refreshList, setUpDocuments } from "./documents.js";

const NEAR_THE_LIMIT = 0.1; // warn when a tenth of the questions or fewer remain

function show(signedIn) {
  $("sign-in").hidden = signedIn;
  $("signed-in").hidden = !signedIn;
  $("views").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
}

function signOut(message = "") {
  forget();
  forgetConversation();
  $("whoami").textContent = "";
  $("sign-in-error").textContent = message;
  show(false);
  $("api-key").focus();
}

// Hide what the role may not do: elements marked data-needs="editor" (or "admin").
function offerWhatTheRoleMay(role) {
  for (const element of document.querySelectorAll("[data-needs]")) {
    element.hidden = !allows(role, element.dataset.needs);
  }
}

async function signIn(candidate) {
  remember(candidate);
  const response = await api("/api/v1/me");
  if (!response.ok) {
    signOut(response.status === 401 ? "That key is not known here." : await problemText(response));
    return;
  }
  const me = await response.json();
  $("whoami").textContent = `Signed in as ${me.role}`;
  $("sign-in-error").textContent = "";
  offerWhatTheRoleMay(me.role);
  configureDocuments(me);
  show(true);
  showView("chat");
  $("question").focus();
  await Promise.all([loadModels(), refreshLimits()]);
}

function showLimits(status) {
  const chat = (status.groups && status.groups.chat) || status;
  const reset = new Date(Date.now() + chat.reset * 1000).toLocaleTimeString();
  $("limit-status").textContent =
    `Questions: ${chat.used} of ${chat.limit} used, ${chat.remaining} left; resets at ${reset}.`;
  $("limit-warning").textContent = chat.remaining <= chat.limit * NEAR_THE_LIMIT
    ? ` Nearly at the limit: ${chat.remaining} left.` : "";
}

async function refreshLimits() {
  const response = await api("/api/v1/rate-limit/status");
  if (response.ok) showLimits(await response.json());
}

function showView(view) {
  const documents = view === "documents";
  $("chat").hidden = documents;
  $("documents").hidden = !documents;
  $("show-chat").setAttribute("aria-pressed", String(!documents));
  $("show-documents").setAttribute("aria-pressed", String(documents));
  if (documents) refreshList();
}

whenRefused(() => signOut("The key was refused: sign in again."));
setUpChat({ onAnswered: refreshLimits });
setUpDocuments();
$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const candidate = $("api-key").value.trim();
  $("api-key").value = "";
  if (candidate) signIn(candidate);
});
$("sign-out").addEventListener("click", () => signOut());
$("show-chat").addEventListener("click", () => showView("chat"));
$("show-documents").addEventListener("click", () => showView("documents"));

if (key()) signIn(key());
else show(false);
