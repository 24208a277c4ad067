-- wrk script for web_load.py: each thread holds one connection and sends its share of the paths listed in a
-- file, each once and in order, then stops and says so; `done` prints what web_load.py reads.
-- Arguments (after wrk's `--`): the file of paths, one a line, and the number of threads.

local threads = 0

function setup(thread)
   thread:set("id", threads)
   threads = threads + 1
end

function init(args)
   local count = tonumber(args[2])
   paths, answered = {}, 0
   local line_number = 0
   for line in io.lines(args[1]) do
      if line_number % count == id then
         paths[#paths + 1] = line
      end
      line_number = line_number + 1
   end
end

-- One request at a time on the thread's one connection: the next to send is the one after those answered.
-- (wrk also calls this once before starting, to check the request: that call changes nothing.)
function request()
   return wrk.format("GET", paths[math.min(answered + 1, #paths)])
end

function response(status, headers, body)
   answered = answered + 1
   if answered == #paths then
      wrk.thread:stop()
      io.write("THREAD DONE\n")  -- wrk itself waits out its -d: web_load.py interrupts it once every thread is done
      io.flush()
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %d %.2f %.2f %.2f %.2f %d %d\n", summary.requests,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
