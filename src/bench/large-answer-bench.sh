#!/usr/bin/env bash
# Large non-streamed answers on a small heap: how many at once Tollgate relays with the recommended JVM flags
# before its heap runs out. A non-streamed answer is held whole (it is checked and recorded before it leaves), and
# one with twenty top logprobs a token runs to tens of megabytes, up to tollgate.upstream.max-answer-size (32M).
# The upstream is a small Python server answering every call with the same large completion, after three blank
# lines as DeepSeek sends them; the calls name deepseek-chat, so the alias's model name is rewritten in each answer.
# Needs: a packaged app (./mvnw -B package -DskipTests) and python3.
# Usage: src/bench/large-answer-bench.sh [answer-MB] [concurrent calls...]   e.g. 24 1 2 3 4
#   JAR=...            another build's quarkus-run.jar (to compare builds)
#   GATEWAY_JVM="..."  other JVM flags for Tollgate
set -euo pipefail
cd "$(dirname "$0")/../.."
MB=${1:-24}
shift || true
CONCURRENCY=("${@:-1 2 3 4}")
JAR=${JAR:-target/quarkus-app/quarkus-run.jar}
GATEWAY_JVM=${GATEWAY_JVM:-"-XX:+UseSerialGC -Xmx128m"}
OUT=target/bench-large
UP_PORT=19093; GW_PORT=18080; GW_MANAGEMENT_PORT=18090
rm -rf "$OUT"; mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; exit 1; }

cat >"$OUT/upstream.py" <<'EOF'
import http.server, json, sys
# twenty top logprobs a token, as DeepSeek sends them: about 1.2 KB of JSON a token
entry = {"token": " word", "logprob": -0.0123, "bytes": [32, 119, 111, 114, 100],
         "top_logprobs": [{"token": " w%02d" % i, "logprob": -1.5 - i, "bytes": [32, 119, 48, 49]} for i in range(20)]}
tokens = int(sys.argv[2]) * 1024 * 1024 // len(json.dumps(entry))
body = json.dumps({"id": "big", "object": "chat.completion", "created": 1, "model": "deepseek-v4-flash",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": " word" * tokens},
                                "logprobs": {"content": [entry] * tokens}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 10, "completion_tokens": tokens, "total_tokens": 10 + tokens,
                             "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 10}}).encode()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + 3))
        self.end_headers()
        self.wfile.write(b"\n\n\n" + body)
    def do_GET(self):
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
python3 "$OUT/upstream.py" "$UP_PORT" "$MB" 2>"$OUT/upstream.log" & pids+=($!)

echo "== Tollgate ($GATEWAY_JVM, $JAR), answers of $MB MB from :$UP_PORT"
TOLLGATE_DATA_DIR="$OUT/data" DEEPSEEK_API_KEY=bench DEEPSEEK_BASE_URL="http://127.0.0.1:$UP_PORT" \
  TOLLGATE_ADMIN_PASSWORD=bench-password QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT=$GW_MANAGEMENT_PORT \
  QUARKUS_LOG_CONSOLE_LEVEL=WARN java $GATEWAY_JVM -jar "$JAR" >"$OUT/tollgate.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$GW_MANAGEMENT_PORT/q/health/ready"
curl -sf -u admin:bench-password -H 'Content-Type: application/json' \
  -d '{"slug":"bench","displayName":"Bench"}' "http://127.0.0.1:$GW_PORT/api/admin/tenants" >/dev/null
KEY=$(curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$GW_PORT/api/admin/tenants/bench/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/')
BODY='{"model":"deepseek-chat","messages":[{"role":"user","content":"Answer at length."}]}'

for c in ${CONCURRENCY[*]}; do
  for i in $(seq 1 "$c"); do
    curl -s -o /dev/null -m 60 -w '%{http_code} %{size_download}\n' -H "Authorization: Bearer $KEY" \
      -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
      >"$OUT/call-$c-$i.txt" 2>&1 || echo "failed ($?)" >"$OUT/call-$c-$i.txt" &
  done
  wait_calls=$(jobs -p | grep -v -F -x -f <(printf '%s\n' "${pids[@]}") || true)
  # shellcheck disable=SC2086
  [ -n "$wait_calls" ] && wait $wait_calls 2>/dev/null || true
  whole=$(cat "$OUT"/call-"$c"-*.txt | awk -v min=$((MB * 1000 * 1000)) '$1 == 200 && $2 >= min' | wc -l)
  refused=$(cat "$OUT"/call-"$c"-*.txt | grep -c '^503' || true)
  # after the upstream's blank lines went out, a refusal can only close the connection (curl: partial file)
  cut=$(cat "$OUT"/call-"$c"-*.txt | grep -c 'failed (18)' || true)
  echo "$c at once: $whole answered whole, $refused refused with a 503, $cut cut after their blank lines," \
    "$(($c - whole - refused - cut)) other (curl timed out or failed); OutOfMemoryError lines in the log so far:" \
    "$(grep -c OutOfMemoryError "$OUT/tollgate.log" || true)"
done
