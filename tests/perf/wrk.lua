-- wrk script for tests/perf/bench.py: the headers a signed-in person (and the proxy) would send, and one JSON line
-- with the throughput and latency percentiles (wrk's own --latency output has no p95).
local token = os.getenv("WRK_TOKEN") or ""
local cookie = os.getenv("WRK_COOKIE") or ""
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Accept"] = "application/json, text/html"
if token ~= "" then wrk.headers["X-Session-Token"] = token end
if cookie ~= "" then wrk.headers["Cookie"] = "sessionid=" .. cookie end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
