#!/usr/bin/env bash
# Web vulnerability scan of a running demo instance with Wapiti (PyPI `wapiti3`), logged in
# as the administrator (every page) and as the JFU. Run by hand, not by .ci/run:
#   .ci/jobs/scan-web.sh [MINUTES]     (default 10 per account)
# The tools live in a venv under $HOME/.cache/laksana-scan (made on first run). Reports:
# $WORK/wapiti-*.json, summarised at the end; the script fails when Wapiti reports a
# vulnerability or the server answered 5xx.
set -euo pipefail
minutes="${1:-10}"
VENV="${LAKSANA_SCAN_VENV:-$HOME/.cache/laksana-scan}"
[ -x "$VENV/bin/wapiti" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q wapiti3 greenlet; }
source "$(dirname "$0")/serve-demo.sh"

status=0
# The JFU first: the administrator's scan submits the user forms (new passwords, deactivation)
# with its own values, which ends other accounts' sessions.
for user in jfu admin; do
  cookie="$(login_cookie "$user")"
  [ -n "$cookie" ] || { echo "login of $user failed"; exit 1; }
  report="$WORK/wapiti-$user.json"
  # Logging out or ending every session would end the scan's own session.
  "$VENV/bin/wapiti" -u "$BASE/" --scope folder \
    -H "Cookie: laksana_session=$cookie" -H "$FORWARDED" \
    -x "$BASE/keluar" -x "$BASE/keluar/semua" -x "$BASE/akun/sandi" \
    -m "common,csp,http_headers,cookieflags,redirect,xss,permanentxss,sql,exec,file,crlf,csrf,methods,backup,htaccess" \
    --max-scan-time "$((minutes * 60))" --max-attack-time 30 --flush-session \
    -f json -o "$report" >"$WORK/wapiti-$user.log" 2>&1 || true
  python3 - "$report" "$user" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
found = {k: v for k, v in report.get("vulnerabilities", {}).items() if v}
anomalies = {k: v for k, v in report.get("anomalies", {}).items() if v}
crawled = report.get("infos", {}).get("crawled_pages_nbr") or len(report.get("infos", {}).get("crawled_pages", []))
print(f"{sys.argv[2]}: {crawled} pages crawled")
for kind, items in {**found, **anomalies}.items():
    for item in items:
        print(f"  {kind}: {item.get('method')} {item.get('path')} {item.get('info')}")
sys.exit(1 if found or anomalies else 0)
PY
done
if grep -qE 'ERROR|panicked' "$WORK/server.log"; then
  echo "the server logged errors (5xx) or a panic:"; grep -E 'ERROR|panicked' "$WORK/server.log" | head -20
  status=1
fi
[ "$status" -eq 0 ] && echo "scan-web: no findings"
exit "$status"
