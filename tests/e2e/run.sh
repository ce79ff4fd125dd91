#!/usr/bin/env bash
# `make e2e`: the real openIMIS web app (the SPA kit: its build, same-origin proxy and Chromium
# scenario) driven against a throwaway demo server, once per demo role, each run judged by
# tests/e2e/check_run.py. Exit 0 only when every run passes; 2 when the run cannot start.
#
# Installs what it needs: Chromium (Debian package `chromium`, as root) when missing, and the
# kit's pinned playwright-core into $E2E_OUT/runner (nothing is written into the kit's folder).
# Writes under $E2E_OUT: demo.sqlite3, server.log, and per user <user>/run.log (the scenario's
# stdout), <user>/run.err, screenshots, network.jsonl and mutations.json.
#
# Variables: SPA_KIT (../shared/spa), PY (.venv/bin/python), E2E_OUT (var/e2e),
# E2E_USERS ("Admin clerk reviewer"), CHROMIUM (/usr/bin/chromium), SCENARIO_TIMEOUT (300 s per
# run; one pass takes 1 to 1.5 minutes).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SPA_KIT=${SPA_KIT:-../shared/spa}
PY=${PY:-.venv/bin/python}
E2E_OUT=${E2E_OUT:-var/e2e}
E2E_USERS=${E2E_USERS:-Admin clerk reviewer}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-300}

die() { echo "e2e: $*" >&2; exit 2; }

# --- what the run needs ---------------------------------------------------------------------------
[ -f "$SPA_KIT/run-all.sh" ] && [ -f "$SPA_KIT/scenario.js" ] && [ -f "$SPA_KIT/build/index.html" ] \
  || die "no SPA kit at SPA_KIT=$SPA_KIT (from $ROOT; it needs run-all.sh, scenario.js and build/index.html): set SPA_KIT=<path to the kit>"
SPA_KIT=$(cd "$SPA_KIT" && pwd)
[ -x "$PY" ] || die "no Python at PY=$PY (run through 'make e2e', which creates .venv)"
command -v node >/dev/null && command -v npm >/dev/null || die "node (20 or later) and npm are needed"
command -v curl >/dev/null || die "curl is needed"

if ! [ -x "$CHROMIUM" ] && ! command -v "$CHROMIUM" >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    || die "no Chromium at CHROMIUM=$CHROMIUM: install it (apt-get install -y chromium) or set CHROMIUM"
  echo "e2e: installing chromium (apt-get install -y chromium)"
  { apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; } >/dev/null \
    || die "apt-get install -y chromium failed"
fi
export CHROMIUM

PLAYWRIGHT_VERSION=$(sed -n 's/^PLAYWRIGHT_VERSION=//p' "$SPA_KIT/run-all.sh")
[ -n "$PLAYWRIGHT_VERSION" ] || die "no PLAYWRIGHT_VERSION= line in $SPA_KIT/run-all.sh"
mkdir -p "$E2E_OUT" && E2E_OUT=$(cd "$E2E_OUT" && pwd)
RUNNER="$E2E_OUT/runner"
installed=$(node -p "require('$RUNNER/node_modules/playwright-core/package.json').version" 2>/dev/null)
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
  echo "e2e: installing playwright-core@$PLAYWRIGHT_VERSION into $RUNNER"
  npm install --prefix "$RUNNER" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION" \
    || die "npm install playwright-core@$PLAYWRIGHT_VERSION failed"
fi
export SPA_RUNNER="$RUNNER/node_modules"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- a throwaway demo database and server ---------------------------------------------------------
export DEBUG=1 DATABASE_URL="sqlite:///$E2E_OUT/demo.sqlite3"
rm -f "$E2E_OUT/demo.sqlite3"
echo "e2e: demo database $E2E_OUT/demo.sqlite3 (migrate, seed_demo)"
"$PY" manage.py migrate --noinput >"$E2E_OUT/setup.log" 2>&1 \
  && "$PY" manage.py seed_demo --no-progress >>"$E2E_OUT/setup.log" 2>&1 \
  || { cat "$E2E_OUT/setup.log" >&2; die "could not set up the demo database"; }

BACKEND_PORT=$(free_port)
"$PY" manage.py runserver "127.0.0.1:$BACKEND_PORT" --noreload >"$E2E_OUT/server.log" 2>&1 &
SERVER_PID=$!
stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }
trap stop_server EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
for _ in $(seq 1 150); do
  curl -s -o /dev/null -m 2 "http://127.0.0.1:$BACKEND_PORT/api/graphql" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$E2E_OUT/server.log" >&2; die "the demo server exited"; }
  sleep 0.2
done
curl -s -o /dev/null -m 2 "http://127.0.0.1:$BACKEND_PORT/api/graphql" \
  || die "the demo server does not answer on 127.0.0.1:$BACKEND_PORT"
echo "e2e: demo server on 127.0.0.1:$BACKEND_PORT (pid $SERVER_PID)"

# --- one scenario run per role (the demo logins of the README / DESIGN.md section 10) ------------
failed=0
for user in $E2E_USERS; do
  case "$user" in
    Admin) pass=admin123 claim_admin=CA0001 optional="" ;;
    # The clerk's claim administrator is coded with its login: "+" is prefilled with it. Its
    # role holds 111008, without which fe-claim 1.10 keeps every claim form read-only, so it
    # opens the review page too (where the backend refuses a facility user's review).
    clerk) pass=demo-pass-1 claim_admin=clerk optional="" ;;
    # A medical officer may not create or submit claims (no such right, no "+"): it reviews.
    reviewer) pass=demo-pass-1 claim_admin=CA0001 optional="create-claim,submit-claim" ;;
    *) die "no scenario settings for E2E_USERS entry '$user' (Admin, clerk, reviewer)" ;;
  esac
  shots="$E2E_OUT/$user"
  rm -rf "$shots" && mkdir -p "$shots"
  echo "e2e: $user: running the scenario (logs and screenshots in $shots)"
  BACKEND="127.0.0.1:$BACKEND_PORT" PORT=$(free_port) SHOTS="$shots" \
    SPA_USER="$user" SPA_PASS="$pass" SPA_CLAIM_ADMIN="$claim_admin" \
    bash "$SPA_KIT/run-all.sh" >"$shots/run.log" 2>"$shots/run.err"
  rc=$?
  "$PY" tests/e2e/check_run.py "$shots/run.log" --user "$user" --exit-code "$rc" \
    --optional "$optional" || failed=1
  [ "$rc" -eq 0 ] || sed 's/^/  stderr: /' "$shots/run.err" | tail -5
done

# --- the medical officer saves and delivers a review (tests/e2e/review.js) ---------------------
case " $E2E_USERS " in
  *" reviewer "*)
    shots="$E2E_OUT/reviewer-review"
    rm -rf "$shots" && mkdir -p "$shots"
    echo "e2e: reviewer: saving and delivering a review (logs and screenshots in $shots)"
    proxy_port=$(free_port)
    BACKEND="127.0.0.1:$BACKEND_PORT" PORT="$proxy_port" node "$SPA_KIT/proxy.js" >"$shots/proxy.log" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 1 50); do
      curl -s -o /dev/null "http://127.0.0.1:$proxy_port/front/" && break
      sleep 0.2
    done
    PORT="$proxy_port" SHOTS="$shots" SPA_USER=reviewer SPA_PASS=demo-pass-1 \
      timeout "$SCENARIO_TIMEOUT" node tests/e2e/review.js >"$shots/run.log" 2>"$shots/run.err"
    rc=$?
    kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null
    "$PY" tests/e2e/check_run.py "$shots/run.log" --user reviewer --review --exit-code "$rc" \
      || failed=1
    [ "$rc" -eq 0 ] || sed 's/^/  stderr: /' "$shots/run.err" | tail -5
    ;;
esac

if [ "$failed" -ne 0 ]; then
  echo "e2e: FAILED (details in $E2E_OUT/<user>/run.log)"
  exit 1
fi
echo "e2e: ok"
