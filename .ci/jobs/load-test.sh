#!/usr/bin/env bash
# The load test of issue 7, run by hand (not by .ci/run): 10,000 trainings (1,000 of them still
# running, at random steps), 100 logged-in users opening their inbox, the training list and the
# trainings in their inbox, through wrk on loopback, on SQLite and then on PostgreSQL.
#
#   .ci/jobs/load-test.sh                 # both backends, 20 s each
#   DURATION=60 BACKENDS=sqlite .ci/jobs/load-test.sh
#   WRITES=5 .ci/jobs/load-test.sh      # meanwhile 5 audited changes a second in the unit
#
# Prints one RESULT line per backend: requests/s, latency percentiles, errors, the server's peak
# memory and its CPU seconds (so requests per CPU-second of the server, the figure that does not
# depend on how much of the 2 cores wrk and the database took).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/laksana-target}"
DURATION="${DURATION:-20}"
USERS="${USERS:-100}"
TRAININGS="${TRAININGS:-10000}"
RUNNING="${RUNNING:-1000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
WRITES="${WRITES:-0}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

if ! command -v wrk >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build -q --release --bin laksana
BIN="$CARGO_TARGET_DIR/release/laksana"
WORK="$(mktemp -d)"
echo "work folder: $WORK"

for backend in $BACKENDS; do
  case "$backend" in
    sqlite) DB="sqlite://$WORK/load.db" ;;
    postgres)
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS laksana_load WITH (FORCE)" \
        -c "CREATE DATABASE laksana_load"
      DB="${PG_ADMIN_URL%/*}/laksana_load"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  "$BIN" demo --db "$DB" --trainings "$TRAININGS" --berjalan "$RUNNING" --pengguna "$USERS"
  if [ "$backend" = postgres ]; then
    # As a tuned server would be: SSD-priced random reads (README, PostgreSQL), and the
    # visibility map set, which autovacuum would do in its own time after a bulk load, so the
    # inbox's covering index is read without the table.
    psql -q "$DB" -c "ALTER DATABASE laksana_load SET random_page_cost = 1.1" -c "VACUUM ANALYZE"
  fi
  python3 .ci/jobs/load_run.py --bin "$BIN" --db "$DB" --backend "$backend" --users "$USERS" \
    --duration "$DURATION" --work "$WORK" --writes-per-s "$WRITES"
done
