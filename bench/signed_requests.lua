-- wrk script for bench/load_bench.py: replays pre-signed Slack requests from a file.
-- wrk's LuaJIT has no HMAC, so the bench signs every request (with a timestamp taken just
-- before the run) and this script only cycles through them, each thread taking its own share.
-- Usage: wrk -s bench/signed_requests.lua URL -- REQUESTS_FILE THREADS

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  requests_, index_, non200, nonempty = {}, 0, 0, 0
  local n = 0
  for line in io.lines(path) do
    n = n + 1
    if (n - 1) % nthreads == tid - 1 then
      local ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests_[#requests_ + 1] = wrk.format("POST", "/slack/events", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Slack-Request-Timestamp"] = ts,
        ["X-Slack-Signature"] = sig,
      }, body)
    end
  end
end

function request()
  index_ = index_ % #requests_ + 1
  return requests_[index_]
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body ~= nil and body ~= "" then
    nonempty = nonempty + 1
  end
end

function done(summary, latency, requests)
  local bad, filled = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    filled = filled + thread:get("nonempty")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non200": %d, ' ..
    '"nonempty": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad, filled,
    e.connect + e.read + e.write + e.timeout))
end
