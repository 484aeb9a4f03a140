#!/usr/bin/env bash
# run_epoch gas on a real substrate-contracts-node for n = 64, 256, 1024 UIDs with 64
# validators setting full weight rows, classic and Yuma3 bonds. Prints a markdown table.
# Takes several minutes (it registers ~1,300 UIDs and sets 192 full weight rows).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BT_ROOT/contracts"
command -v substrate-contracts-node >/dev/null || { echo "gas-bench.sh: substrate-contracts-node missing (scripts/setup.sh)" >&2; exit 1; }
CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR" cargo +"$CONTRACTS_TOOLCHAIN" test -p node-tests --features e2e-tests,gas-bench \
  --test gas_bench -- --nocapture 2>&1 | grep -E '^\|'
