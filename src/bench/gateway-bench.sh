#!/usr/bin/env bash
# Gateway overhead benchmark: the same chat request sent straight to the simulator, through nginx
# (the floor any proxy pays) and through Tollgate, with the simulator at zero latency in its own process.
# Needs: a packaged app (./mvnw -B package -DskipTests) and the Debian packages wrk, hey, nginx.
# Usage: src/bench/gateway-bench.sh [duration-seconds]   Results: target/bench/*.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
JAR=target/quarkus-app/quarkus-run.jar
OUT=target/bench
SIM_PORT=19090; NGINX_PORT=19091; GW_PORT=18080
mkdir -p "$OUT"; rm -rf "$OUT"/data "$OUT"/nginx; mkdir -p "$OUT"/nginx
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

echo "== Tollgate on :$GW_PORT (embedded PostgreSQL, ledger on, upstream = the simulator above)"
TOLLGATE_DATA_DIR="$OUT/data" DEEPSEEK_API_KEY=bench DEEPSEEK_BASE_URL="http://127.0.0.1:$SIM_PORT" \
  TOLLGATE_ADMIN_PASSWORD=bench-password QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_LOG_CONSOLE_LEVEL=WARN \
  java -Xmx512m -jar "$JAR" >"$OUT/tollgate.log" 2>&1 & GW_PID=$!; pids+=($GW_PID)
wait_for "http://127.0.0.1:$GW_PORT/q/health/ready"
curl -sf -u admin:bench-password -H 'Content-Type: application/json' \
  -d '{"slug":"bench","displayName":"Bench"}' "http://127.0.0.1:$GW_PORT/api/admin/tenants" >/dev/null
KEY=$(curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$GW_PORT/api/admin/tenants/bench/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/')

BODY='{"model":"deepseek-v4-flash","thinking":{"type":"disabled"},"max_tokens":32,"messages":[{"role":"user","content":"Summarise the benchmark in one line."}]}'
STREAM_BODY='{"model":"deepseek-v4-flash","stream":true,"thinking":{"type":"disabled"},"max_tokens":32,"messages":[{"role":"user","content":"Summarise the benchmark in one line."}]}'
printf '%s' "$BODY" >"$OUT/body.json"
cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$BODY]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA

declare -A TARGET=([direct]="http://127.0.0.1:$SIM_PORT/v1/chat/completions"
                   [nginx]="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
                   [tollgate]="http://127.0.0.1:$GW_PORT/v1/chat/completions")

echo "== warm-up"
for t in direct nginx tollgate; do
  hey -z 10s -c 16 -m POST -T application/json -A application/json -H "Authorization: Bearer $KEY" \
    -D "$OUT/body.json" "${TARGET[$t]}" >/dev/null
done

echo "== latency at a fixed 500 requests/s (hey: 10 workers x 50 rps, ${DURATION}s)"
for t in direct nginx tollgate; do
  hey -z "${DURATION}s" -c 10 -q 50 -m POST -T application/json -H "Authorization: Bearer $KEY" \
    -D "$OUT/body.json" "${TARGET[$t]}" >"$OUT/latency-$t.txt"
  echo "$t: $(grep -E 'Requests/sec' "$OUT/latency-$t.txt" | xargs) | $(grep -E '  50%|  99%' "$OUT/latency-$t.txt" | xargs)"
done

echo "== throughput (wrk: 2 threads, 64 connections, ${DURATION}s)"
for t in direct nginx tollgate; do
  if [ "$t" = tollgate ]; then
    ( while kill -0 $GW_PID 2>/dev/null; do ps -o rss= -p $GW_PID; sleep 1; done ) >"$OUT/rss-kb.txt" & RSS_PID=$!
  fi
  wrk -t2 -c64 -d"${DURATION}s" --latency -s "$OUT/post.lua" "${TARGET[$t]}" >"$OUT/throughput-$t.txt"
  echo "$t: $(grep -E 'Requests/sec' "$OUT/throughput-$t.txt" | xargs) | $(grep -E '^ +(50|99)%' "$OUT/throughput-$t.txt" | xargs)"
done
kill $RSS_PID 2>/dev/null || true
echo "tollgate max RSS under load: $(sort -n "$OUT/rss-kb.txt" | tail -1) kB"

echo "== streaming time to first byte (200 sequential requests, curl time_starttransfer)"
for t in direct nginx tollgate; do
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $KEY" -d "$STREAM_BODY" "${TARGET[$t]}"
  done | sort -n >"$OUT/ttfb-$t.txt"
  echo "$t: ttfb p50 $(sed -n '100p' "$OUT/ttfb-$t.txt")s p99 $(sed -n '198p' "$OUT/ttfb-$t.txt")s"
done

echo "== ledger rows written"
curl -s "http://127.0.0.1:$GW_PORT/q/metrics" | grep -E '^tollgate_(ledger|gateway)' | head -20 || true
