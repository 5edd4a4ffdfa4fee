-- wrk script of the hotline benchmark (bench/run.py hotline): form submissions, one per request.
--
--   wrk -c32 -t2 -d5s -s bench/hotline.lua URL -- PATH STATUS FIELDS OUT [COOKIE TOKEN]...
--
-- PATH is the form's path (/hotline/ or the bare view's /file), STATUS the answer of a filing
-- (303 or 201), FIELDS the url-encoded fields without the CSRF token, OUT the file the tracking
-- codes go to (one per line; from the Location of a 303, or the body of a 201). Each COOKIE TOKEN
-- pair is a session cookie and the CSRF token of that session, taken from the form beforehand;
-- requests go round them. An answer with another status is counted in OUT as "error STATUS".

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   path, status, fields, out = args[1], tonumber(args[2]), args[3], args[4]
   sessions = {}
   for i = 5, #args, 2 do
      table.insert(sessions, { cookie = args[i], token = args[i + 1] })
   end
   codes, errors, sent = {}, {}, 0
end

function request()
   sent = sent + 1
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
   local body = fields
   if #sessions > 0 then
      local s = sessions[sent % #sessions + 1]
      headers["Cookie"] = s.cookie
      body = "csrf_token=" .. s.token .. "&" .. fields
   end
   return wrk.format("POST", path, headers, body)
end

function response(code, headers, body)
   if code ~= status then
      table.insert(errors, code)
   elseif code == 303 then
      table.insert(codes, string.match(headers["Location"] or "", "code=([0-9A-Z-]+)") or "?")
   else
      table.insert(codes, body)
   end
end

function done(summary, latency, requests)
   local f = assert(io.open(threads[1]:get("out"), "w"))  -- done() runs apart from the threads' init()
   for _, thread in ipairs(threads) do
      for _, c in ipairs(thread:get("codes")) do
         f:write(c, "\n")
      end
      for _, e in ipairs(thread:get("errors")) do
         f:write("error ", e, "\n")
      end
   end
   f:close()
end
