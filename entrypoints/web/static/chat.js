// Chat: ask, read the answer as it streams, stop it, open its sources, rate it.

import { $, api, button, element, postJson, problemText } from "./api.js";

let sessionId = null;
let running = null; // the AbortController of the answer being streamed
const modelsTakingSampling = new Set();
let afterEachAnswer = () => {};

export function forgetConversation() {
  if (running) running.abort();
  sessionId = null;
  $("conversation").replaceChildren();
}

export async function loadModels() {
  const response = await api("/v1/models");
  if (!response.ok) return;
  const models = (await response.json()).data;
  modelsTakingSampling.clear();
  for (const model of models) {
    if (model.askdocs && model.askdocs.takes_sampling) modelsTakingSampling.add(model.id);
  }
  $("model").replaceChildren(...models.map((model) => new Option(model.id, model.id)));
  showSampling();
}

function showSampling() {
  const takes = modelsTakingSampling.has($("model").value);
  $("sampling-fields").hidden = !takes;
  $("sampling-note").hidden = takes;
}

function sampling() {
  if (!modelsTakingSampling.has($("model").value)) return {};
  const chosen = {};
  const temperature = $("temperature").valueAsNumber;
  const maxTokens = $("max-tokens").valueAsNumber;
  if (!Number.isNaN(temperature)) chosen.temperature = temperature;
  if (!Number.isNaN(maxTokens)) chosen.max_tokens = maxTokens;
  return chosen;
}

// Server-Sent Events from a fetch body: events end with a blank line, fields are "name: value".
async function* events(response, signal) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
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
  const snippet = element("q");
  const text = source.snippet || "";
  const start = source.quote_start;
  const end = source.quote_end;
  if (Number.isInteger(start) && Number.isInteger(end) && start < end && end <= text.length) {
    const mark = element("mark");
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
    const item = element("li");
    const where = source.page ? `, page ${source.page}` : "";
    const tags = source.tags && source.tags.length ? ` (${source.tags.join(", ")})` : "";
    const open = button(`[${index + 1}] ${source.document}${where}`, () => openOriginal(source));
    open.className = "link";
    open.title = "Open the original";
    item.append(open, tags, " ", snippetWithQuote(source));
    list.append(item);
  });
}

function feedbackForm(traceId) {
  const box = element("form");
  box.className = "feedback";
  const comment = element("input");
  comment.placeholder = "A comment (optional)";
  comment.maxLength = 2000;
  comment.setAttribute("aria-label", "Comment on this answer");
  const thanks = element("span");
  thanks.setAttribute("role", "status");
  const rate = async (rating, pressed) => {
    const response = await postJson("/api/v1/feedback", {
      trace_id: traceId, rating, comment: comment.value.trim(),
    });
    if (!response.ok) {
      $("chat-error").textContent = await problemText(response);
      return;
    }
    box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", "false"));
    pressed.setAttribute("aria-pressed", "true");
    thanks.textContent = "Thank you: feedback saved.";
  };
  const up = button("Helpful", () => rate("up", up));
  const down = button("Not helpful", () => rate("down", down));
  for (const b of [up, down]) b.setAttribute("aria-pressed", "false");
  box.addEventListener("submit", (event) => event.preventDefault());
  box.append(up, down, comment, thanks);
  return box;
}

async function ask(question) {
  const turn = element("li");
  const answer = element("p", "answer");
  const sources = element("ol", "sources");
  turn.append(element("p", "question", question), answer, sources);
  $("conversation").append(turn);
  $("chat-error").textContent = "";

  const controller = new AbortController();
  running = controller;
  $("stop").disabled = false;
  $("ask").disabled = true;
  try {
    const response = await api("/api/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({
        question, session_id: sessionId, model: $("model").value || null, stream: true,
        ...sampling(),
      }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const detail = await problemText(response);
      $("chat-error").textContent = response.status === 429
        ? `Too many questions for now: ${detail}` : detail;
      turn.remove();
      return;
    }
    for await (const event of events(response, controller.signal)) {
      if (event.name === "meta") {
        sessionId = event.data.session_id;
        renderSources(sources, event.data.sources);
      } else if (event.name === "delta") {
        answer.textContent += event.data.text;
      } else if (event.name === "done") {
        renderSources(sources, event.data.sources);
        if (!event.data.answered) answer.classList.add("not-answered");
        turn.append(feedbackForm(event.data.trace_id));
      } else if (event.name === "error") {
        $("chat-error").textContent = event.data.detail;
      }
    }
    // Stopping cancels the body's reader, which ends the events as if the stream had ended.
    if (controller.signal.aborted) answer.textContent += " [stopped]";
  } catch (error) {
    if (error.name !== "AbortError") $("chat-error").textContent = String(error);
    else answer.textContent += " [stopped]";
  } finally {
    running = null;
    $("stop").disabled = true;
    $("ask").disabled = false;
    afterEachAnswer();
  }
}

async function reset() {
  const ended = sessionId;
  forgetConversation();
  $("chat-error").textContent = "";
  $("question").focus();
  if (ended) {
    await api(`/api/v1/chat/sessions/${encodeURIComponent(ended)}`, { method: "DELETE" });
  }
}

export function setUpChat({ onAnswered }) {
  afterEachAnswer = onAnswered;
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
  $("model").addEventListener("change", showSampling);
  $("stop").addEventListener("click", () => running && running.abort());
  $("reset").addEventListener("click", () => reset());
}
