#!/usr/bin/env bash
# Gas on a real substrate-contracts-node (dry runs of the release wasm): run_epoch for
# n = 64, 256, 1024 UIDs with 64 validators setting full weight rows, classic, Yuma3 and
# Yuma3 with liquid alpha, measured in steady state (after one real epoch); plus the batched queries and a
# full-row set_weights. Prints markdown tables. Takes several minutes (it registers ~1,300
# UIDs and sets 192 full weight rows). Build the bundles first: scripts/build-contracts.sh
#   scripts/gas-bench.sh [SIZES]    e.g. `scripts/gas-bench.sh 1024` or `256,1024` (default 64,256,1024)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BT_ROOT/contracts"
command -v substrate-contracts-node >/dev/null || { echo "gas-bench.sh: substrate-contracts-node missing (scripts/setup.sh)" >&2; exit 1; }
case "${1:-}" in -h|--help) sed -n '2,7p' "$0"; exit 0 ;; esac
export BT_GAS_BENCH_SIZES="${1:-${BT_GAS_BENCH_SIZES:-64,256,1024}}"
log="$(mktemp -t gas-bench.XXXX.log)"
if CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR" cargo +"$CONTRACTS_TOOLCHAIN" test -p node-tests \
    --features e2e-tests,gas-bench --test gas_bench -- --nocapture >"$log" 2>&1; then
  grep -E '^\|' "$log"
else
  echo "gas-bench.sh: the benchmark failed; the end of its output ($log):" >&2
  grep -v -E '^ +[0-9]+: |^ +at ' "$log" | tail -25 >&2
  exit 1
fi
