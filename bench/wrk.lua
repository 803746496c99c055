-- wrk's script for bench/wrk.py. With a file of bodies (`-- FILE THREADS`), each request
-- POSTs the next line as its body, each thread walking its own share of the lines (a
-- one-time token is sent once; past the end a thread starts again, and the repeats are
-- refused, which the run reports). With a header's name after them (`-- FILE THREADS
-- NAME`), each request is a GET whose header NAME is the next line instead (the app's
-- access tokens: a different person on each request). With `paths` after the name, each
-- line is a path, a tab and the header's value (a person's own resource, read with their
-- token). Without a file, each request is
-- wrk's GET. At the end, one JSON line of figures: the counts, the errors by kind and the
-- latency quantiles in µs.

local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  bodies = nil
  header = args[3]
  paired = args[4] == "paths"
  if args[1] then
    bodies = {}
    local n, share = 0, tonumber(args[2])
    for line in io.lines(args[1]) do
      if n % share == id then
        bodies[#bodies + 1] = line
      end
      n = n + 1
    end
    if not header then
      wrk.method = "POST"
    end
  end
  sent = 0
end

function request()
  if not bodies then
    return wrk.format()
  end
  sent = sent + 1
  local line = bodies[(sent - 1) % #bodies + 1]
  if paired then
    local path, value = line:match("^([^\t]*)\t(.*)$")
    return wrk.format(nil, path, {[header] = value})
  end
  if header then
    return wrk.format(nil, nil, {[header] = line})
  end
  return wrk.format(nil, nil, nil, line)
end

function done(summary, latency, requests)
  local quantiles = {}
  for i = 1, 1000 do
    quantiles[i] = latency:percentile(i / 10)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "mean_us": %.1f, "max_us": %d, "quantiles_us": [%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, table.concat(quantiles, ",")))
end
