-- wrk script of the Retour benchmark (bench/run.py sets the environment).
--   BENCH_MODE      create | returnability | create_order | portal_order | staff_queue
--                   | floor_insert | floor_read
--   BENCH_KEY       the bearer token (Retour's API key, or the floor's token)
--   BENCH_DATA      a file of orders, one a line: "<number> <line id> <line id> ..."
--   BENCH_SESSIONS  shopper session keys, one a line (portal_order)
--   BENCH_PORTAL_PATH, BENCH_STAFF_PATH, BENCH_STAFF_SESSION, BENCH_COOKIE_NAME
--   BENCH_THREADS   the number of wrk threads (-t)
--   BENCH_OFFSET    where this run starts in the sequence of orders
--   BENCH_RUN       a prefix unique to this run (order numbers of create_order)
-- Request k of the run (k = offset + n * threads + thread id) uses order k mod #orders, so
-- every request names another order; a create returns one unit of line (k div #orders).

local mode = os.getenv("BENCH_MODE")
local key = os.getenv("BENCH_KEY")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
local run = os.getenv("BENCH_RUN") or "R"
local cookie_name = os.getenv("BENCH_COOKIE_NAME") or "sessionid"
local portal_path = os.getenv("BENCH_PORTAL_PATH")
local staff_path = os.getenv("BENCH_STAFF_PATH")
local staff_session = os.getenv("BENCH_STAFF_SESSION")

local orders = {}
for text in io.lines(os.getenv("BENCH_DATA")) do
   local fields = {}
   for field in text:gmatch("%S+") do
      fields[#fields + 1] = field
   end
   orders[#orders + 1] = fields
end

local sessions = {}
local sessions_file = os.getenv("BENCH_SESSIONS")
if sessions_file then
   for text in io.lines(sessions_file) do
      if #text > 0 then sessions[#sessions + 1] = text end
   end
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

local order_template = '{"number":"%s","placed_at":"2026-01-05T10:00:00+00:00",'
   .. '"delivered_at":"2026-01-07T10:00:00+00:00","currency":"EUR",'
   .. '"customer":{"email":"%s@example.com","name":"Customer","language":"fr"},'
   .. '"shipping_address":{"name":"Customer","line1":"1 rue de Rivoli","city":"Paris",'
   .. '"postal_code":"75001","country":"FR"},"shipping":{"amount":"4.90","standard_amount":"4.90"},'
   .. '"lines":[{"ref":"L1","sku":"SKU-1","title":"Article 1","quantity":2,"unit_price":"19.90"},'
   .. '{"ref":"L2","sku":"SKU-2","title":"Article 2","quantity":1,"unit_price":"9.90"}]}'

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
   elseif mode == "create_order" then
      local number = run .. "-" .. k
      return wrk.format("POST", "/api/v1/orders", nil, string.format(order_template, number, number))
   elseif mode == "portal_order" then
      local session = sessions[(k % #sessions) + 1]
      return wrk.format("GET", portal_path, {["Cookie"] = cookie_name .. "=" .. session})
   elseif mode == "staff_queue" then
      return wrk.format("GET", staff_path, {["Cookie"] = cookie_name .. "=" .. staff_session})
   elseif mode == "floor_insert" then
      return wrk.format("POST", "/floor/items", nil, "{}")
   else
      return wrk.format("GET", "/floor/items/" .. order[1])
   end
end

-- BENCH_DEBUG=1 prints the first failed answers (defining response() costs wrk some speed)
if os.getenv("BENCH_DEBUG") then
   local shown = 0
   function response(status, headers, body)
      if status >= 400 and shown < 3 then
         shown = shown + 1
         io.write("BENCH_FAIL " .. status .. " " .. string.sub(body or "", 1, 300) .. "\n")
      end
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
