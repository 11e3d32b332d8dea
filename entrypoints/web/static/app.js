// The askdocs chat page: sign in with an API key, ask, read the answer as it streams, open
// its sources, rate it. No framework and no build step; text goes in as text, never as HTML.

const KEY = "askdocs.key";
const $ = (id) => document.getElementById(id);
let sessionId = null;
let running = null; // the AbortController of the answer being streamed

function key() {
  return sessionStorage.getItem(KEY);
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}), "X-API-Key": key() };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    signOut("The key was refused: sign in again.");
  }
  return response;
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function show(signedIn) {
  $("sign-in").hidden = signedIn;
  $("chat").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
}

function signOut(message = "") {
  sessionStorage.removeItem(KEY);
  sessionId = null;
  $("conversation").replaceChildren();
  $("whoami").textContent = "";
  $("sign-in-error").textContent = message;
  show(false);
}

async function signIn(candidate) {
  sessionStorage.setItem(KEY, candidate);
  const response = await api("/api/v1/rate-limit/status");
  if (!response.ok) {
    signOut(response.status === 401 ? "That key is not known here." : await problemText(response));
    return;
  }
  showLimits(await response.json());
  $("whoami").textContent = "Signed in";
  $("sign-in-error").textContent = "";
  show(true);
  await loadModels();
  $("question").focus();
}

const NEAR_THE_LIMIT = 0.1; // warn when a tenth of the questions or fewer remain

function showLimits(status) {
  const chat = (status.groups && status.groups.chat) || status;
  const reset = new Date(Date.now() + chat.reset * 1000).toLocaleString();
  $("limit-status").textContent =
    `${chat.used} of ${chat.limit} questions used, ${chat.remaining} left until ${reset}`;
  $("limit-warning").textContent = chat.remaining <= chat.limit * NEAR_THE_LIMIT
    ? " Nearly at the limit." : "";
}

async function refreshLimits() {
  const response = await api("/api/v1/rate-limit/status");
  if (response.ok) showLimits(await response.json());
}

async function loadModels() {
  const response = await api("/v1/models");
  if (!response.ok) return;
  const models = (await response.json()).data.map((model) => model.id);
  $("model").replaceChildren(...models.map((id) => new Option(id, id)));
}

// Server-Sent Events from a fetch body: events end with a blank line, fields are "name: value".
async function* events(response, signal) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener("abort", () => reader.cancel());
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { name, data: JSON.parse(data.join("\n")) };
    }
  }
}

function snippetWithQuote(source) {
  const snippet = document.createElement("q");
  const text = source.snippet || "";
  const start = source.quote_start;
  const end = source.quote_end;
  if (Number.isInteger(start) && Number.isInteger(end) && start < end && end <= text.length) {
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    snippet.append(text.slice(0, start), mark, text.slice(end));
  } else {
    snippet.textContent = text;
  }
  return snippet;
}

async function openOriginal(source) {
  const response = await api(
    `/api/v1/docs/${encodeURIComponent(source.document_id)}/versions/${source.version}/file`,
  );
  if (!response.ok) {
    $("chat-error").textContent = await problemText(response);
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  window.open(source.page ? `${url}#page=${source.page}` : url, "_blank", "noopener");
}

function renderSources(list, sources) {
  list.replaceChildren();
  sources.forEach((source, index) => {
    const item = document.createElement("li");
    const where = source.page ? `, page ${source.page}` : "";
    const tags = source.tags && source.tags.length ? ` (${source.tags.join(", ")})` : "";
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = `[${index + 1}] ${source.document}${where}`;
    open.addEventListener("click", () => openOriginal(source));
    item.append(open, tags, " ", snippetWithQuote(source));
    list.append(item);
  });
}

function feedbackButtons(traceId) {
  const box = document.createElement("div");
  box.className = "feedback";
  for (const [rating, label] of [["up", "👍 Helpful"], ["down", "👎 Not helpful"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", async () => {
      const comment = rating === "down" ? prompt("What was wrong? (optional)") || "" : "";
      const response = await api("/api/v1/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ trace_id: traceId, rating, comment }),
      });
      if (response.ok) {
        box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", "false"));
        button.setAttribute("aria-pressed", "true");
      } else {
        $("chat-error").textContent = await problemText(response);
      }
    });
    box.append(button);
  }
  return box;
}

async function ask(question) {
  const turn = document.createElement("li");
  const asked = document.createElement("p");
  asked.className = "question";
  asked.textContent = question;
  const answer = document.createElement("p");
  answer.className = "answer";
  const sources = document.createElement("ol");
  sources.className = "sources";
  turn.append(asked, answer, sources);
  $("conversation").append(turn);
  $("chat-error").textContent = "";

  running = new AbortController();
  $("stop").disabled = false;
  $("ask").disabled = true;
  try {
    const response = await api("/api/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({
        question, session_id: sessionId, model: $("model").value || null, stream: true,
      }),
      signal: running.signal,
    });
    if (!response.ok) {
      const detail = await problemText(response);
      $("chat-error").textContent = response.status === 429
        ? `Too many questions for now: ${detail}` : detail;
      turn.remove();
      return;
    }
    for await (const event of events(response, running.signal)) {
      if (event.name === "meta") {
        sessionId = event.data.session_id;
        renderSources(sources, event.data.sources);
      } else if (event.name === "delta") {
        answer.textContent += event.data.text;
      } else if (event.name === "done") {
        renderSources(sources, event.data.sources);
        if (!event.data.answered) answer.classList.add("not-answered");
        turn.append(feedbackButtons(event.data.trace_id));
      } else if (event.name === "error") {
        $("chat-error").textContent = event.data.detail;
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") $("chat-error").textContent = String(error);
    else answer.textContent += " [stopped]";
  } finally {
    running = null;
    $("stop").disabled = true;
    $("ask").disabled = false;
    refreshLimits();
  }
}

async function reset() {
  if (running) running.abort();
  const ended = sessionId;
  sessionId = null;
  $("conversation").replaceChildren();
  $("question").focus();
  if (ended) {
    await api(`/api/v1/chat/sessions/${encodeURIComponent(ended)}`, { method: "DELETE" });
  }
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const candidate = $("api-key").value.trim();
  $("api-key").value = "";
  if (candidate) signIn(candidate);
});
$("sign-out").addEventListener("click", () => signOut());
$("ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question || running) return;
  $("question").value = "";
  ask(question);
});
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("ask-form").requestSubmit();
  }
});
$("stop").addEventListener("click", () => running && running.abort());
$("reset").addEventListener("click", () => reset());

if (key()) signIn(key());
else show(false);
