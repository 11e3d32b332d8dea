-- wrk script: POST /api/v1/chat with questions about the PostgreSQL manual, every one distinct.
-- Each question ends with a run of stop words spelling out the run, the wrk thread and the
-- request number: it misses the answer cache, yet searches and ranks by the same terms as
-- the question it is built on (stop words are no search terms), so every request costs what
-- a new question about the manual costs. The hashing embedder does embed stop words, so the
-- vector side of every search differs.
local key = os.getenv("ASKDOCS_API_KEY")
local questions = {
  "How do I create a tablespace?",
  "What does VACUUM FULL do?",
  "How do I set up streaming replication?",
  "What is the default value of max_connections?",
  "How does MVCC handle concurrent updates?",
  "How do I create a partial index?",
  "What isolation levels does PostgreSQL support?",
  "How can I restore a backup made with pg_dump?",
  "What does the wal_level setting control?",
  "How do I grant SELECT on all tables in a schema?",
  "What is a GIN index good for?",
  "How do I create a function in PL/pgSQL?",
  "How does autovacuum decide when to run?",
  "What is the difference between json and jsonb?",
  "How do I use EXPLAIN ANALYZE?",
  "How can I partition a table by range?",
  "What does the COPY command do?",
  "How do I configure pg_hba.conf for password authentication?",
  "How do I reset a sequence?",
  "How do I refresh a materialized view?",
  "How do window functions work?",
  "What are advisory locks?",
  "How do I wait for notifications with LISTEN and NOTIFY?",
  "What does shared_buffers control?",
  "How do I write a recursive common table expression?",
  "How do I add a foreign key constraint?",
  "What is point-in-time recovery?",
  "How can I check the size of a database?",
  "How do I create a trigger that runs before insert?",
  "What does the pg_stat_activity view show?",
  "How do I set up logical replication with a publication and a subscription?",
  "What is TOAST?",
}
local digits = { "a", "an", "the", "of", "to", "in", "on", "for", "with", "by" }
-- Distinct across runs against one server too: ASKDOCS_BENCH_RUN numbers them.
local run = tonumber(os.getenv("ASKDOCS_BENCH_RUN") or "0")
local threads = 0
local counter = 0

setup = function(thread)
  thread:set("thread_id", threads)  -- a global of that thread's own Lua state
  threads = threads + 1
end

local function spelled(number)
  local words = {}
  repeat
    table.insert(words, 1, digits[(number % 10) + 1])
    number = math.floor(number / 10)
  until number == 0
  return table.concat(words, " ")
end

request = function()
  counter = counter + 1
  local question = questions[(counter % #questions) + 1]
  local suffix = { spelled(run), spelled(thread_id or 0), spelled(counter) }
  question = question .. " " .. table.concat(suffix, " and ")
  return wrk.format("POST", "/api/v1/chat", {
    ["Content-Type"] = "application/json",
    ["X-API-Key"] = key,
  }, '{"question": "' .. question .. '"}')
end

done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d errors=%d non2xx=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    summary.duration / 1e6,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
