-- For bench/http_bench.py: POST bodies, one-time links from a file, and a JSON summary.
-- BENCH_POST: the form body to POST (GET when empty). BENCH_TOKENS: a file of one-time
-- evaluation links, one a line; each request spends the next one at <path><token>/.
local body = os.getenv("BENCH_POST") or ""
local tokens_file = os.getenv("BENCH_TOKENS") or ""
local host = os.getenv("BENCH_HOST") or "localhost"
local tokens, next_token = {}, 1

if tokens_file ~= "" then
  for line in io.lines(tokens_file) do tokens[#tokens + 1] = line end
end

-- Each run starts after the links earlier runs spent (they are one-time): the Python side
-- passes how many went before.
next_token = tonumber(os.getenv("BENCH_OFFSET") or "0") + 1

request = function()
  if body == "" then
    return wrk.format("GET")
  end
  -- A headers table replaces wrk.headers (the -H ones): copy those in first.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Origin"] = "https://" .. host
  local path = wrk.path
  if #tokens > 0 then
    path = wrk.path .. tokens[next_token] .. "/"
    next_token = next_token + 1
    if next_token > #tokens then next_token = 1 end  -- spent links answer 410: counted as errors
  end
  return wrk.format("POST", path, headers, body)
end

done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "bad": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
