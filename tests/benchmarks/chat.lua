-- wrk script: POST /api/v1/chat with the key from ASKDOCS_API_KEY.
-- ASKDOCS_BENCH_VARY=1 makes every question distinct, so each one misses the answer cache.
local key = os.getenv("ASKDOCS_API_KEY")
local vary = os.getenv("ASKDOCS_BENCH_VARY") == "1"
local questions = {
  "What does the GNU General Public License guarantee?",
  "What are magic-deleteall elements?",
  "Can I distribute modified versions of the software?",
  "What is the alias of audio/midi?",
}
local counter = 0

request = function()
  counter = counter + 1
  local question = questions[(counter % #questions) + 1]
  if vary then
    question = question .. " variant " .. counter .. " " .. math.random(1, 1000000000)
  end
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
