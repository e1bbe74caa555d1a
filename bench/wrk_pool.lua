-- wrk script of the benchmark (bench/load.py runs it): posts each request of a pool file exactly
-- once, in order, over wrk's keep-alive connections, then stops.
--   wrk -t1 -cN -d300s --latency -s bench/wrk_pool.lua URL -- POOL_FILE COUNT MARKER TALLY [HEADER ...]
-- POOL_FILE: one request a line, "path<TAB>signature<TAB>body" (the first COUNT lines are sent).
-- MARKER: a string every reply must contain ("" for none); TALLY: a string whose replies are counted
-- ("" for none). HEADER: "Name: value", sent on each.
-- A connection that would go past COUNT is parked (delay) instead of sending anything; when the
-- last reply is in, the script prints "BENCH-DONE <first send> <last reply>" (CLOCK_MONOTONIC
-- seconds) and stops wrk's thread, so no request is ever left in flight or sent twice.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local requests = {}
local count, marker, tally = 0, "", ""
reserved, sent, received, matched, tallied, other_status = 0, 0, 0, 0, 0, 0
first_sent, last_received = 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  count = tonumber(args[2])
  marker = args[3] or ""
  tally = args[4] or ""
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  for i = 5, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local n = 0
  for line in io.lines(file) do
    if n >= count then break end
    local path, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    local h = {}
    for k, v in pairs(headers) do h[k] = v end
    if signature ~= "" then h["X-Sipgate-Signature"] = signature end
    n = n + 1
    requests[n] = wrk.format("POST", path, h, body)
  end
  if n < count then error("pool file has " .. n .. " requests, " .. count .. " wanted") end
end

function delay()
  if reserved < count then
    reserved = reserved + 1
    return 0
  end
  return 3600000
end

function request()
  -- wrk calls request() once before the run to check that it parses: send nothing for it.
  if reserved == 0 then return requests[1] end
  sent = sent + 1
  if sent == 1 then first_sent = now() end
  return requests[sent]
end

function response(status, headers, body)
  received = received + 1
  if status ~= 200 then other_status = other_status + 1 end
  if marker == "" or (body and body:find(marker, 1, true)) then matched = matched + 1 end
  if tally ~= "" and body and body:find(tally, 1, true) then tallied = tallied + 1 end
  if received == count then
    last_received = now()
    io.write(string.format("BENCH-DONE %.6f %.6f\n", first_sent, last_received))
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, _)
  local t = threads[1]
  local out = {
    sent = t:get("sent"), received = t:get("received"), matched = t:get("matched"), tallied = t:get("tallied"),
    non_200 = t:get("other_status"), first_sent = t:get("first_sent"), last_received = t:get("last_received"),
    completed = summary.requests,
    errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    p50_us = latency:percentile(50), p90_us = latency:percentile(90), p99_us = latency:percentile(99),
    max_us = latency.max, mean_us = latency.mean,
  }
  local parts = {}
  for k, v in pairs(out) do table.insert(parts, string.format('"%s": %.6f', k, v)) end
  io.write("BENCH-RESULT {" .. table.concat(parts, ", ") .. "}\n")
end
