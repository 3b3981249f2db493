#!/usr/bin/env bash
# Console page timings with 1,000 tenants: the tenants list, a search, a tenant page, the audit log; and the
# admin API with HTTP Basic, which creates those tenants.
# Needs a packaged app (./mvnw -B package -DskipTests) and the Debian package hey.
# Usage: src/bench/console-bench.sh   Results: target/bench/console-*.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/bench; PORT=18081; MANAGEMENT_PORT=18091; BASE="http://127.0.0.1:$PORT"
mkdir -p "$OUT"; rm -rf "$OUT/console-data"
TOLLGATE_DATA_DIR="$PWD/$OUT/console-data" TOLLGATE_ADMIN_PASSWORD=bench-password QUARKUS_HTTP_PORT=$PORT \
  QUARKUS_MANAGEMENT_PORT=$MANAGEMENT_PORT QUARKUS_LOG_CONSOLE_LEVEL=WARN \
  java -Xmx512m -jar target/quarkus-app/quarkus-run.jar >"$OUT/console-app.log" 2>&1 &
APP=$!; trap 'kill $APP 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/q/health/ready" >/dev/null && break; sleep 0.5
done

echo "== creating 1,000 tenants over the admin API, one call at a time, with HTTP Basic"
started=$SECONDS
for i in $(seq -w 1 1000); do
  code=$(curl -s -o "$OUT/console-create.txt" -w '%{http_code}' -u admin:bench-password -H 'Content-Type: application/json' \
    -d "{\"slug\":\"team-$i\",\"displayName\":\"Team $i Analytics\",\"billingEmail\":\"ap@team$i.test\"}" \
    "$BASE/api/admin/tenants")
  [ "$code" = 201 ] || { echo "tenant team-$i: HTTP $code $(cat "$OUT/console-create.txt")" >&2; exit 1; }
done
echo "1,000 tenants created in $((SECONDS - started)) s"
curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"name":"k"}' \
  "$BASE/api/admin/tenants/team-0500/keys" >/dev/null

# the login cookie counts only with its server-side session's cookie
COOKIE=$(curl -s -o /dev/null -c - -d 'j_username=admin&j_password=bench-password' "$BASE/j_security_check" \
  | awk '/quarkus-credential|tollgate-session/ {printf "%s%s=%s", sep, $6, $7; sep="; "}')
for page in "tenants" "tenants?q=team-09" "tenants?status=ACTIVE&page=10" "tenants/team-0500" "audit" "prices"; do
  name=$(echo "$page" | tr '/?&=' '____')
  hey -n 300 -c 1 -H "Cookie: $COOKIE" "$BASE/console/$page" >/dev/null # warm-up
  hey -n 500 -c 4 -H "Cookie: $COOKIE" "$BASE/console/$page" >"$OUT/console-$name.txt"
  echo "/console/$page: $(grep -E '  50%|  99%' "$OUT/console-$name.txt" | xargs) | $(grep -E 'Status code|\[200\]' "$OUT/console-$name.txt" | xargs)"
done

# an admin API read with HTTP Basic: the password is sent, and checked, on every call (the header by hand: the
# Debian package's hey -a sends none)
BASIC="Authorization: Basic $(printf admin:bench-password | base64)"
hey -n 300 -c 1 -T application/json -H "$BASIC" "$BASE/api/admin/tenants/team-0500" >/dev/null # warm-up
hey -n 1000 -c 4 -T application/json -H "$BASIC" "$BASE/api/admin/tenants/team-0500" >"$OUT/console-api-basic.txt"
echo "/api/admin/tenants/team-0500 (Basic): $(grep -E '  50%|  99%|Requests/sec' "$OUT/console-api-basic.txt" | xargs) \
| $(grep -E 'Status code|\[200\]' "$OUT/console-api-basic.txt" | xargs)"
