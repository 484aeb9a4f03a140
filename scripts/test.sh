#!/usr/bin/env bash
# The project's test command: builds the contracts, then runs every test layer that exists.
#   1. contract unit tests + the yuma library (host, Rust 1.86)
#   2. yuma builds for wasm32 (contract-ready, no std)
#   3. drink: the release bundles on pallet-contracts, in process
#   4. ink_e2e: the suite on a real substrate-contracts-node; scripts/deploy.sh on a dev node
#   5. off-chain neuron (stable Rust): scripts/test-offchain.sh, including the chain client and
#      the `neuron` commands on a real node (left out with --skip-node)
#   6. e2e: a whole local network of real processes (scripts/test-e2e.sh; not with --skip-node)
# Runs scripts/setup.sh first, then every layer even after a failure; prints a summary, exits
# non-zero if any failed.
#   scripts/test.sh [--skip-node]    (--skip-node: leave out layer 4 and the node tests of layer 5)
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$BT_ROOT"

skip_node=0
for arg in "$@"; do
  case "$arg" in
    --skip-node) skip_node=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# Install what is missing first (idempotent; seconds when everything is there).
"$BT_ROOT/scripts/setup.sh" || { echo "test.sh: scripts/setup.sh failed" >&2; exit 1; }

summary=()
failed=0
layer() {
  local name="$1"; shift
  local t0=$SECONDS
  echo
  echo "=== $name"
  if "$@"; then
    summary+=("ok    $(printf '%5ds' $((SECONDS - t0)))  $name")
  else
    summary+=("FAIL  $(printf '%5ds' $((SECONDS - t0)))  $name")
    failed=1
  fi
}

contracts() { (cd contracts && CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR" cargo +"$CONTRACTS_TOOLCHAIN" "$@"); }

layer "build contracts (release bundles)" scripts/build-contracts.sh
layer "contract unit tests + yuma" contracts test --workspace --exclude node-tests --exclude suite-tests --features yuma/cli
layer "yuma for wasm32 (no_std)" contracts build -p yuma --target wasm32-unknown-unknown --no-default-features --release
layer "drink (release bundles in pallet-contracts)" env BT_BUNDLES_DIR="$CONTRACTS_TARGET_DIR/ink" \
  bash -c 'cd contracts && CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR" cargo +"$CONTRACTS_TOOLCHAIN" test -p suite-tests'
if [ "$skip_node" -eq 0 ]; then
  if command -v substrate-contracts-node >/dev/null; then
    layer "ink_e2e (substrate-contracts-node)" contracts test -p node-tests --features e2e-tests
    layer "deploy.sh on a dev node" scripts/test-deploy.sh
  else
    summary+=("FAIL      -  ink_e2e: substrate-contracts-node not installed (scripts/setup.sh)")
    failed=1
  fi
fi
if [ "$skip_node" -eq 0 ]; then
  layer "off-chain neuron (with the chain client on a node)" scripts/test-offchain.sh
  layer "e2e: whole network of real processes" scripts/test-e2e.sh
else
  layer "off-chain neuron (no node)" scripts/test-offchain.sh --skip-node
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
