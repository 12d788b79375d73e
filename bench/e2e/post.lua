-- wrk script: POSTs one fixed body (BODY_FILE) with CONTENT_TYPE on every request and
-- prints one JSON line with the counts and latencies the benchmark runner reads.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")

-- wrk keeps one latency distribution for all answers, 503s included. The slowest 1% of
-- the answered ones (2xx) are among the slowest ok/requests % of all, so that percentile
-- of all answers is an upper bound of their p99 (and their p99 when none failed).
function done(summary, latency, requests)
  local e = summary.errors
  local ok = summary.requests - e.status
  local p99_ok = ok > 0 and latency:percentile(100 - ok / summary.requests) or 0
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"p99_ok_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), p99_ok, latency.max))
end
