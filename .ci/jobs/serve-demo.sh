# Sourced by scan-web.sh and fuzz-api.sh: builds laksana, starts `laksana serve --demo` on a
# free port with a temporary database, waits until it answers, and stops it on exit.
# Sets BASE (http://127.0.0.1:PORT), WORK (temp dir), and the functions login_cookie and
# api_token. Needs: cargo, curl, python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/laksana-target}"
DEMO_PASSWORD="coba-demo-2026"

cargo build -q --bin laksana
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# The scanners try thousands of requests from one address: lift the per-address login limit
# for the run (the per-account one stays), and keep the server's log for the report.
# Scanned as deployed, behind a TLS proxy: 127.0.0.1 is trusted and every request says
# `X-Forwarded-Proto: https` (FORWARDED below), so HSTS and Secure cookies are what is checked.
"$CARGO_TARGET_DIR/debug/laksana" serve --demo --db "sqlite://$WORK/laksana.db" \
  --listen "127.0.0.1:$PORT" --login-max-failures-address 100000 --trusted-proxy 127.0.0.1 \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  echo "server log: $WORK/server.log"
}
trap stop_server EXIT
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$BASE/masuk" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.5
done
echo "laksana serve --demo at $BASE (database in $WORK)"

FORWARDED="X-Forwarded-Proto: https"

# Logs in on the login page as $1 and prints the session cookie's value. The cookies are
# Secure (the request came "over TLS"), which curl's cookie jar refuses over http: they are
# read from the Set-Cookie headers and sent back by hand.
set_cookie() { sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" "$2" | tr -d '\r' | tail -1; }
login_cookie() {
  local headers="$WORK/headers-$1"
  local csrf token
  csrf="$(curl -fsS -H "$FORWARDED" -D "$headers" "$BASE/masuk" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)"
  token="$(set_cookie laksana_login_csrf "$headers")"
  curl -fsS -o /dev/null -H "$FORWARDED" -H "Cookie: laksana_login_csrf=$token" -D "$headers" \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=$1" \
    --data-urlencode "password=$DEMO_PASSWORD" "$BASE/masuk"
  set_cookie laksana_session "$headers"
}

# Logs in to the API as $1 and prints the Bearer token.
api_token() {
  curl -fsS -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" "$BASE/api/v1/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
