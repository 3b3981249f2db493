#!/usr/bin/env bash
# Gateway overhead benchmark: the same chat request sent straight to the simulator, through nginx
# (the floor any proxy pays), through a bare Vert.x pass-through (the floor a JVM proxy on Tollgate's own
# Vert.x and Netty pays; src/bench/BareVertxProxy.java) and through Tollgate, with the simulator at zero
# latency in its own process.
# Needs: a packaged app (./mvnw -B package -DskipTests) and the Debian packages wrk, hey, nginx.
# Usage: src/bench/gateway-bench.sh [rounds] [seconds-per-round]   Results: target/bench/*.txt
#   GATEWAY_JVM="..."  other JVM flags for Tollgate (to compare settings)
#   LATENCY_ONLY=1     stop after the latency rounds
#
# Latency at 500 req/s is measured in alternating rounds (direct, nginx, Tollgate, again and again) and
# reported as medians, so that a noisy second on a shared 2-core machine hits all three alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-8}
SECONDS_PER_ROUND=${2:-5}
JAR=target/quarkus-app/quarkus-run.jar
# What a 2-core box with a 512 MiB budget should run Tollgate with (docs/configuration.md, "Memory and JVM flags").
GATEWAY_JVM=${GATEWAY_JVM:-"-XX:+UseSerialGC -Xmx128m"}
OUT=target/bench
SIM_PORT=19090; NGINX_PORT=19091; VERTX_PORT=19092; GW_PORT=18080; GW_MANAGEMENT_PORT=18090
mkdir -p "$OUT"; rm -rf "$OUT"/data "$OUT"/nginx "$OUT"/rounds; mkdir -p "$OUT"/nginx "$OUT"/rounds
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; exit 1; }

echo "== simulator (zero latency) on :$SIM_PORT"
java -Xmx512m -jar "$JAR" simulator --port "$SIM_PORT" --latency zero >"$OUT/simulator.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$SIM_PORT/_simulator/stats"

echo "== nginx proxy_pass on :$NGINX_PORT"
cat >"$OUT/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream sim { server 127.0.0.1:$SIM_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://sim; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGINX
nginx -c "$PWD/$OUT/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
wait_for "http://127.0.0.1:$NGINX_PORT/_simulator/stats"

echo "== bare Vert.x pass-through on :$VERTX_PORT ($GATEWAY_JVM)"
java $GATEWAY_JVM -cp "target/quarkus-app/lib/main/*" src/bench/BareVertxProxy.java "$VERTX_PORT" "$SIM_PORT" \
  >"$OUT/vertx.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$VERTX_PORT/_simulator/stats"

echo "== Tollgate on :$GW_PORT ($GATEWAY_JVM, embedded PostgreSQL, ledger on, upstream = the simulator above)"
TOLLGATE_DATA_DIR="$OUT/data" DEEPSEEK_API_KEY=bench DEEPSEEK_BASE_URL="http://127.0.0.1:$SIM_PORT" \
  TOLLGATE_ADMIN_PASSWORD=bench-password QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT=$GW_MANAGEMENT_PORT \
  QUARKUS_LOG_CONSOLE_LEVEL=WARN java $GATEWAY_JVM -jar "$JAR" >"$OUT/tollgate.log" 2>&1 & GW_PID=$!; pids+=($GW_PID)
wait_for "http://127.0.0.1:$GW_MANAGEMENT_PORT/q/health/ready"
curl -sf -u admin:bench-password -H 'Content-Type: application/json' \
  -d '{"slug":"bench","displayName":"Bench"}' "http://127.0.0.1:$GW_PORT/api/admin/tenants" >/dev/null
KEY=$(curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$GW_PORT/api/admin/tenants/bench/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/')

BODY='{"model":"deepseek-v4-flash","thinking":{"type":"disabled"},"max_tokens":32,"messages":[{"role":"user","content":"Summarise the benchmark in one line."}]}'
STREAM_BODY='{"model":"deepseek-v4-flash","stream":true,"thinking":{"type":"disabled"},"max_tokens":32,"messages":[{"role":"user","content":"Summarise the benchmark in one line."}]}'
printf '%s' "$BODY" >"$OUT/body.json"
# wrk_script FILE BODY [LUA]: a wrk script that posts BODY with the tenant key, plus any further Lua.
wrk_script() {
  printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' "$2" >"$1"
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n%s\n' "$KEY" "${3:-}" >>"$1"
}
wrk_script "$OUT/post.lua" "$BODY"
wrk_script "$OUT/paced.lua" "$BODY" 'function delay() return math.random(0, 40) end'
wrk_script "$OUT/stream.lua" "$STREAM_BODY"

# The bare Vert.x proxy buffers whole answers, so it is only in the latency rounds, not the streaming ones.
TARGETS=(direct nginx tollgate)
LATENCY_TARGETS=(direct nginx vertx tollgate)
declare -A TARGET=([direct]="http://127.0.0.1:$SIM_PORT/v1/chat/completions"
                   [nginx]="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
                   [vertx]="http://127.0.0.1:$VERTX_PORT/v1/chat/completions"
                   [tollgate]="http://127.0.0.1:$GW_PORT/v1/chat/completions")

# Tollgate's JIT compiler is still busy for about 40 s of full load (a third of a core at 20 s), and it
# shares the two cores with everything measured, so the JVM proxies are warmed for 60 s, the others for 20 s.
echo "== warm-up at 16 connections, so the JIT has compiled the hot path (60 s the JVM proxies, 20 s the others)"
declare -A WARM=([direct]=20s [nginx]=20s [vertx]=60s [tollgate]=60s)
for t in "${LATENCY_TARGETS[@]}"; do
  hey -z "${WARM[$t]}" -c 16 -m POST -T application/json -H "Authorization: Bearer $KEY" -D "$OUT/body.json" "${TARGET[$t]}" >/dev/null
done
# Paced load takes other branches than full load (event loops that go idle and are woken, small ledger
# batches): the first paced round after full load made Tollgate's JIT compile about 900 more methods, about
# a second of compiler CPU inside that round. So the JVM proxies are also warmed at the rate measured.
echo "== warm-up at the measured rate (500 requests/s, 20 s the JVM proxies)"
for t in vertx tollgate; do
  hey -z 20s -c 10 -q 50 -m POST -T application/json -H "Authorization: Bearer $KEY" -D "$OUT/body.json" "${TARGET[$t]}" >/dev/null
done

# CPU time of Tollgate's JIT compiler threads, in seconds: what compiling still costs while rounds run.
jit_seconds() {
  for t in /proc/$GW_PID/task/*; do if grep -qs Compiler "$t/comm"; then sed 's/.*) //' "$t/stat"; fi; done |
    awk -v hz="$(getconf CLK_TCK)" '{ t += $12 + $13 } END { printf "%.2f", t / hz }'
}
JIT_BEFORE=$(jit_seconds)
echo "== latency at a fixed 500 requests/s (hey: 10 workers x 50 rps), $ROUNDS alternating rounds of ${SECONDS_PER_ROUND}s"
ms() { grep -E "  $1% in" "$2" | awk '{printf "%.2f", $3 * 1000}'; }
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  for t in "${LATENCY_TARGETS[@]}"; do
    f="$OUT/rounds/latency-$t-$r.txt"
    hey -z "${SECONDS_PER_ROUND}s" -c 10 -q 50 -m POST -T application/json -H "Authorization: Bearer $KEY" \
      -D "$OUT/body.json" "${TARGET[$t]}" >"$f"
    line="$line $t p50 $(ms 50 "$f") p99 $(ms 99 "$f") |"
  done
  echo "$line"
done | tee "$OUT/latency-rounds.txt"
python3 - "$OUT/rounds" "$ROUNDS" <<'PY' | tee "$OUT/latency-summary.txt"
import re, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
def pct(t, r, p):
    m = re.search(r"  %s%% in ([0-9.]+) secs" % p, open(f"{d}/latency-{t}-{r}.txt").read())
    return float(m.group(1)) * 1000
for p in (50, 99):
    med = {t: statistics.median(pct(t, r, p) for r in range(1, rounds + 1)) for t in ("direct", "nginx", "vertx", "tollgate")}
    added = {t: statistics.median(pct(t, r, p) - pct("direct", r, p) for r in range(1, rounds + 1)) for t in ("nginx", "vertx", "tollgate")}
    print(f"p{p} median: " + ", ".join(f"{t} {v:.2f} ms" for t, v in med.items())
          + "; added (median of per-round differences): " + ", ".join(f"{t} +{v:.2f} ms" for t, v in added.items()))
PY

# hey's workers fire in step (waves of 10 every 20 ms), so each call also waits for its wave-mates. The same
# rate from clients that are not in step: wrk, 10 connections, each pausing a random 0-40 ms between calls.
echo "== latency at about 500 requests/s, arrivals not in step (wrk: 10 connections, random 0-40 ms pauses), $ROUNDS alternating rounds of ${SECONDS_PER_ROUND}s"
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  for t in "${LATENCY_TARGETS[@]}"; do
    f="$OUT/rounds/paced-$t-$r.txt"
    wrk -t1 -c10 -d"${SECONDS_PER_ROUND}s" --latency -s "$OUT/paced.lua" "${TARGET[$t]}" >"$f"
    line="$line $t $(grep -E 'Requests/sec' "$f" | awk '{printf "%.0f req/s", $2}') p50 $(grep -E '^ +50%' "$f" | awk '{print $2}') p99 $(grep -E '^ +99%' "$f" | awk '{print $2}') |"
  done
  echo "$line"
done | tee "$OUT/paced-rounds.txt"
python3 - "$OUT/rounds" "$ROUNDS" <<'PY' | tee "$OUT/paced-summary.txt"
import re, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
def pct(t, r, p):
    m = re.search(r"^\s+%s%%\s+([0-9.]+)(us|ms|s)$" % p, open(f"{d}/paced-{t}-{r}.txt").read(), re.M)
    return float(m.group(1)) * UNIT[m.group(2)]
for p in (50, 99):
    med = {t: statistics.median(pct(t, r, p) for r in range(1, rounds + 1)) for t in ("direct", "nginx", "vertx", "tollgate")}
    added = {t: statistics.median(pct(t, r, p) - pct("direct", r, p) for r in range(1, rounds + 1)) for t in ("nginx", "vertx", "tollgate")}
    print(f"p{p} median: " + ", ".join(f"{t} {v:.2f} ms" for t, v in med.items())
          + "; added (median of per-round differences): " + ", ".join(f"{t} +{v:.2f} ms" for t, v in added.items()))
PY
echo "Tollgate's JIT compiler during the latency rounds: $(awk -v a="$JIT_BEFORE" -v b="$(jit_seconds)" 'BEGIN { printf "%.2f", b - a }') s of CPU"
[ -n "${LATENCY_ONLY:-}" ] && exit 0

# A throughput round leaves the ledger a backlog of rows to write; PostgreSQL finishes it before the next
# round starts, or its work lands there.
metric() { curl -s "http://127.0.0.1:$GW_MANAGEMENT_PORT/q/metrics" | awk -v m="$1" '$1 == m { printf "%d", $2 }'; }
await_ledger() {
  local written recorded
  for _ in $(seq 1 300); do
    written=$(metric tollgate_ledger_rows_written_total); recorded=$(metric tollgate_ledger_rows_recorded_total)
    if [ -n "$written" ] && [ "$written" = "$recorded" ]; then echo "== ledger caught up: $written rows written"; return; fi
    sleep 1
  done
  echo "== WARNING: ledger still behind after 300 s ($written of $recorded rows written)"
}

echo "== throughput (wrk: 2 threads, 64 connections, 20s)"
for t in "${TARGETS[@]}"; do
  if [ "$t" = tollgate ]; then
    ( while kill -0 $GW_PID 2>/dev/null; do ps -o rss= -p $GW_PID; sleep 1; done ) >"$OUT/rss-kb.txt" & RSS_PID=$!
  fi
  wrk -t2 -c64 -d20s --latency -s "$OUT/post.lua" "${TARGET[$t]}" >"$OUT/throughput-$t.txt"
  echo "$t: $(grep -E 'Requests/sec' "$OUT/throughput-$t.txt" | xargs) | $(grep -E '^ +(50|99)%' "$OUT/throughput-$t.txt" | xargs)"
done
kill $RSS_PID 2>/dev/null || true
echo "tollgate max RSS under load: $(sort -n "$OUT/rss-kb.txt" | tail -1) kB"
await_ledger

# Streams have code paths of their own (the SSE relay), which the JIT compiles only once streams come: they are
# warmed before they are measured. Before 2026-12-01 the first-byte rounds below timed them barely compiled.
echo "== streaming warm-up at 16 connections (40 s Tollgate, 10 s the others)"
declare -A STREAM_WARM=([direct]=10s [nginx]=10s [tollgate]=40s)
for t in "${TARGETS[@]}"; do
  wrk -t2 -c16 -d"${STREAM_WARM[$t]}" -s "$OUT/stream.lua" "${TARGET[$t]}" >/dev/null
done
await_ledger
echo "== streaming throughput (wrk: 2 threads, 64 connections, 20s; 32-token answers, about 20 events each)"
for t in "${TARGETS[@]}"; do
  wrk -t2 -c64 -d20s --latency -s "$OUT/stream.lua" "${TARGET[$t]}" >"$OUT/stream-throughput-$t.txt"
  echo "$t: $(grep -E 'Requests/sec' "$OUT/stream-throughput-$t.txt" | xargs) | $(grep -E '^ +(50|99)%' "$OUT/stream-throughput-$t.txt" | xargs)"
done

await_ledger

# curl's time_starttransfer: when the first response byte arrives. Tollgate sends its headers once the
# upstream's have come (it must see the upstream's status first).
echo "== streaming time to first byte (curl time_starttransfer, 300 sequential requests, the last 200 counted)"
for mode in keep-alive new-connection; do
  for t in "${TARGETS[@]}"; do
    if [ "$mode" = keep-alive ]; then # one curl, one connection reused for every request, as SDK clients do
      for _ in $(seq 1 300); do printf 'url = "%s"\noutput = "/dev/null"\n' "${TARGET[$t]}"; done >"$OUT/ttfb.cfg"
      curl -s -K "$OUT/ttfb.cfg" -w '%{time_starttransfer}\n' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $KEY" -d "$STREAM_BODY"
    else
      for _ in $(seq 1 300); do
        curl -s -o /dev/null -w '%{time_starttransfer}\n' -H 'Content-Type: application/json' \
          -H "Authorization: Bearer $KEY" -d "$STREAM_BODY" "${TARGET[$t]}"
      done
    fi | tail -200 | sort -n >"$OUT/ttfb-$mode-$t.txt"
    echo "$mode $t: ttfb p50 $(sed -n '100p' "$OUT/ttfb-$mode-$t.txt")s p99 $(sed -n '198p' "$OUT/ttfb-$mode-$t.txt")s"
  done
done

# Agents send long conversations, which the gateway reads and forwards on every call. Its own CPU per
# streamed call with a 90 KB one, from the process's CPU time (at this size the simulator sets the pace).
echo "== gateway CPU per streamed call with a 90 KB conversation (hey: 100 req/s, 30 s warm-up, 30 s measured)"
python3 - "$OUT/long-stream.json" <<'PY'
import json, random, sys
random.seed(7)  # the same conversation every run
words = ("the of and to in is that for it as with was on be by this are from at or an which have not they can "
         "time could these two may first then do any like now over such after also did many before must through "
         "back years where much way well down should because each just those people how little state good very "
         "make world still own see work long get here between both life being under never day same another").split()
messages = [{"role": "system", "content": "You are a careful coding agent. Follow the tool protocol exactly."}]
for i in range(40):
    messages.append({"role": "user" if i % 2 == 0 else "assistant",
                     "content": " ".join(random.choice(words) for _ in range(450)) + f" (step {i})"})
json.dump({"model": "deepseek-v4-flash", "stream": True, "thinking": {"type": "disabled"}, "max_tokens": 32,
           "messages": messages}, open(sys.argv[1], "w"))
PY
long_stream() {
  hey -z 30s -c 10 -q 10 -m POST -T application/json -H "Authorization: Bearer $KEY" -D "$OUT/long-stream.json" \
    "${TARGET[tollgate]}"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$GW_PID/stat"; }
long_stream >/dev/null
before=$(cpu_ticks); long_stream >"$OUT/long-stream.txt"; after=$(cpu_ticks)
calls=$(awk '/\[200\]/ {print $2}' "$OUT/long-stream.txt")
echo "tollgate: $(( (after - before) * 1000000 / $(getconf CLK_TCK) / calls )) us CPU per call over $calls calls of $(wc -c <"$OUT/long-stream.json") bytes | p50 $(ms 50 "$OUT/long-stream.txt") ms"
await_ledger

echo "== ledger rows written"
curl -s "http://127.0.0.1:$GW_MANAGEMENT_PORT/q/metrics" | grep -E '^tollgate_(ledger|gateway)' | head -20 || true
