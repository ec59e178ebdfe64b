-- wrk script for bench/load_bench.py: replays pre-signed Slack requests from a file.
-- wrk's LuaJIT has no HMAC, so the bench signs every request (with a timestamp taken just
-- before the run) and this script only walks through them, each thread taking its own share
-- (thread t sends lines t, t+T, t+2T, ... in order, and says how many it sent).
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
  requests_, sent, non200, nonempty, replied, sorry = {}, 0, 0, 0, 0, 0
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
  if tid == 1 and not checked then
    -- wrk asks the first thread for one request to check it (script_verify_request) and does
    -- not send it: that one is not counted, and is sent first for real.
    checked = true
    return requests_[1]
  end
  -- Past the end of its share a thread starts again (a retyped command); the bench says so.
  sent = sent + 1
  return requests_[(sent - 1) % #requests_ + 1]
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body ~= nil and body ~= "" then
    nonempty = nonempty + 1
    -- An ack that carries the command's reply (Bolt sends it as JSON with its text).
    if body:find('"text"', 1, true) then
      replied = replied + 1
    end
    if body:find("Something went wrong", 1, true) then
      sorry = sorry + 1
    end
  end
end

function done(summary, latency, requests)
  local bad, filled, answered, wrong, shares = 0, 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    filled = filled + thread:get("nonempty")
    answered = answered + thread:get("replied")
    wrong = wrong + thread:get("sorry")
    shares[#shares + 1] = tostring(thread:get("sent"))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non200": %d, ' ..
    '"nonempty": %d, "replied": %d, "sorry": %d, "socket_errors": %d, "timeouts": %d, "sent": [%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad, filled,
    answered, wrong, e.connect + e.read + e.write + e.timeout, e.timeout, table.concat(shares, ",")))
end
