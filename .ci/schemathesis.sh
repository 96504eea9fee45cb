#!/usr/bin/env bash
# The OpenAPI document tells the truth: schemathesis (from PyPI, in a venv) fuzzes the real
# server from its own /api/v1/openapi.json, once per role and again on records that exist,
# and fails on any 5xx, any status code, content type or body the document does not declare,
# and any request the schema allows that the server refuses with 400, or with 422 for its
# shape (.ci/schemathesis_hooks.py). Bounded: a few examples per operation, ST_TOTAL seconds
# for all the runs together (about three minutes are used).
#
#   bash .ci/schemathesis.sh            # builds target/debug/tamga first
#   ST_MAX_EXAMPLES=50 ST_SEED=7 bash .ci/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ST_VERSION="${ST_VERSION:-4.32.5}"
ST_MAX_EXAMPLES="${ST_MAX_EXAMPLES:-10}"
ST_TOTAL="${ST_TOTAL:-600}"
ST_SEED="${ST_SEED:-1}"
VENV="${ST_VENV:-target/schemathesis-venv}"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$ST_VERSION"; then
  echo "== installing schemathesis $ST_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi

echo "== building tamga"
cargo build --quiet -p tamga
BIN="$PWD/target/debug/tamga"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DB="sqlite://$WORK/tamga.db"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"

echo "== starting tamga serve on $BASE"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --addr "127.0.0.1:$PORT" --database "$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
healthy() {
  python3 - "$BASE/health" <<'PY'
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}
for _ in $(seq 1 300); do
  if healthy; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "tamga serve exited:"; cat "$WORK/server.log"; exit 1
  fi
  sleep 0.2
done
healthy || { echo "tamga serve is not healthy after 60 s"; cat "$WORK/server.log"; exit 1; }

token() { "$BIN" user add --database "$DB" "$@" | tail -n 1; }
TRADER="$(token --name st-trader --role trader --party 01234567890123)"
OFFICER="$(token --name st-officer --role officer --office 41701)"
ANALYST="$(token --name st-analyst --role analyst)"
ADMIN="$(token --name st-admin --role admin)"

# Records that exist, so that the operations on them answer more than 404: a declaration
# lodged before any profile (green), a profile, a declaration it selects (a control task
# of office 41701, drawn to its only officer) and that control.
read -r DECLARATION PROFILE CONTROLLED CONTROL < <(python3 - "$BASE" "$TRADER" "$ANALYST" "$OFFICER" <<'PY'
import json, sys, urllib.request
base, trader, analyst, officer = sys.argv[1:5]

def call(method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))

def declaration(quantity):
    return {
        "type": "IM", "procedure": "4000", "office": "41701",
        "declarant": "01234567890123", "importer": "01234567890123",
        "exporter": {"name": "Shenzhen Example Co", "country": "CN"},
        "dispatch_country": "CN",
        "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
        "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
        "items": [{"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
                   "quantity": quantity, "unit": "p/st", "net_mass_kg": "20.5",
                   "gross_mass_kg": "25", "value": "15000.00", "preference": "100"}],
        "documents": [{"code": "N380", "ref": "INV-2026-001"}],
    }

green = call("POST", "/api/v1/declarations", trader, declaration("100"))["id"]
profile = call("POST", "/api/v1/risk/profiles", analyst, {
    "title": "Undervalued smartphones from China",
    "rationale": "Unit values far below the world price seen in 2025",
    "scope": "national", "valid_from": "2026-01-01",
    "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
                 {"field": "items.origin", "op": "in", "values": ["CN", "HK"]},
                 {"field": "items.unit_value", "op": "lt", "value": "50"}],
    "condition": None, "score": 60, "measure": "physical_inspection"})["id"]
controlled = call("POST", "/api/v1/declarations", trader, declaration("1000"))["id"]
controls = call("GET", "/api/v1/controls?status=open", officer)
control = next(c["id"] for c in controls if c.get("declaration") == controlled)
print(green, profile, controlled, control)
PY
)
if [ -z "${CONTROL:-}" ]; then
  echo "could not create the records to test on"; cat "$WORK/server.log"; exit 1
fi
echo "== records: declaration $DECLARATION, profile $PROFILE, controlled declaration $CONTROLLED, control $CONTROL"

# The same settings, with those ids in the paths.
with_ids() { # DECLARATION-ID FILE
  cp .ci/schemathesis.toml "$2"
  cat >>"$2" <<TOML

[[operations]]
include-path-regex = "^/api/v1/declarations/[{]id[}]"
parameters = { "path.id" = "$1" }

[[operations]]
include-path-regex = "^/api/v1/risk/profiles/[{]id[}]"
parameters = { "path.id" = "$PROFILE" }

[[operations]]
include-path-regex = "^/api/v1/controls/[{]id[}]"
parameters = { "path.id" = "$CONTROL" }

[[operations]]
include-path-regex = "^/api/v1/traders/[{]party[}]"
parameters = { "path.party" = "01234567890123" }
TOML
}
with_ids "$DECLARATION" "$WORK/green.toml"
with_ids "$CONTROLLED" "$WORK/controlled.toml"
WITH_IDS='^/api/v1/(declarations|risk/profiles|controls|traders)/[{]'

# The custom check `no_shape_refusal` (.ci/schemathesis_hooks.py).
export PYTHONPATH=".ci${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks
status=0 passed=0 failed=0
started=$SECONDS
run() { # NAME TOKEN CONFIG [extra schemathesis options]
  local who="$1" tok="$2" config="$3" left
  shift 3
  left=$((ST_TOTAL - (SECONDS - started)))
  echo "== schemathesis: $who"
  if [ "$left" -le 0 ]; then
    echo "== schemathesis: $who FAILED: out of time (ST_TOTAL=$ST_TOTAL s)"
    status=1 failed=$((failed + 1))
    return
  fi
  if timeout "$left" "$VENV/bin/schemathesis" --config-file "$config" run \
      "$BASE/api/v1/openapi.json" \
      --header "Authorization: Bearer $tok" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance,no_shape_refusal \
      --phases examples,coverage,fuzzing \
      --max-examples "$ST_MAX_EXAMPLES" \
      --request-timeout 10 \
      --seed "$ST_SEED" \
      --workers 1 \
      --no-color "$@"; then
    passed=$((passed + 1))
  else
    echo "== schemathesis: $who FAILED"
    status=1 failed=$((failed + 1))
  fi
}
# Python 3.11's ast module is not thread-safe (hypothesis describes lambdas with it): one
# worker, or schemathesis itself fails now and then with "AST constructor recursion depth".
run trader "$TRADER" .ci/schemathesis.toml
run officer "$OFFICER" .ci/schemathesis.toml
run analyst "$ANALYST" .ci/schemathesis.toml
run admin "$ADMIN" .ci/schemathesis.toml
# Then the operations on records that exist (their ids in the path): the trader, the admin
# and the analyst on the green declaration, the officer and the trader on the controlled one.
run "trader, records" "$TRADER" "$WORK/green.toml" --include-path-regex "$WITH_IDS"
run "admin, records" "$ADMIN" "$WORK/green.toml" --include-path-regex "$WITH_IDS"
run "analyst, records" "$ANALYST" "$WORK/green.toml" --include-path-regex "$WITH_IDS"
run "officer, controlled records" "$OFFICER" "$WORK/controlled.toml" --include-path-regex "$WITH_IDS"
run "trader, controlled records" "$TRADER" "$WORK/controlled.toml" --include-path-regex "$WITH_IDS"

if grep -q "panicked" "$WORK/server.log"; then
  echo "== the server panicked:"; grep -B2 -A10 "panicked" "$WORK/server.log" | head -50
  status=1 failed=$((failed + 1))
fi
echo "schemathesis: $passed passed, $failed failed"
exit "$status"
