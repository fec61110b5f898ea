-- wrk script of the Retour benchmark (bench/run.py sets the environment).
--   BENCH_MODE    create | returnability | floor_insert | floor_read
--   BENCH_KEY     the API key
--   BENCH_DATA    a file of orders, one a line: "<number> <line id> <line id> ..."
--   BENCH_THREADS the number of wrk threads (-t)
--   BENCH_OFFSET  where this run starts in the sequence of orders
-- Request k of the run (k = offset + n * threads + thread id) uses order k mod #orders, so
-- every request names another order; a create returns one unit of line (k div #orders).

local mode = os.getenv("BENCH_MODE")
local key = os.getenv("BENCH_KEY")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")

local orders = {}
for text in io.lines(os.getenv("BENCH_DATA")) do
   local fields = {}
   for field in text:gmatch("%S+") do
      fields[#fields + 1] = field
   end
   orders[#orders + 1] = fields
end

local next_id = 0
function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
end

local n = 0
function init(args)
   wrk.headers["Authorization"] = "Bearer " .. key
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local k = offset + n * threads + (tid or 0)
   n = n + 1
   local order = orders[(k % #orders) + 1]
   if mode == "create" then
      local round = math.floor(k / #orders)
      local line_id = order[(round % (#order - 1)) + 2]
      local body = '{"order_number":"' .. order[1] .. '","lines":[{"line_id":' .. line_id
         .. ',"quantity":1,"reason":"too_small"}]}'
      return wrk.format("POST", "/api/v1/returns", nil, body)
   elseif mode == "returnability" then
      return wrk.format("GET", "/api/v1/orders/" .. order[1] .. "/returnability")
   elseif mode == "floor_insert" then
      return wrk.format("POST", "/bench/insert", nil, "{}")
   else
      return wrk.format("GET", "/bench/orders/" .. order[1])
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
         .. '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
