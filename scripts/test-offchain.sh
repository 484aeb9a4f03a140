#!/usr/bin/env bash
# Off-chain tests: the offchain-neuron crate (unit tests, wire protocol over real HTTP, model
# training/quality, wgpu-on-lavapipe vs flex parity, real `neuron` miner/validator processes,
# and the chain client and commands against a real substrate-contracts-node, tests/chain.rs,
# which deploys the release bundles with scripts/deploy.sh).
#
#   scripts/test-offchain.sh              everything (builds with --features wgpu)
#   scripts/test-offchain.sh --skip-node  without tests/chain.rs (no node or bundles needed)
#   OFFCHAIN_FEATURES= scripts/test-offchain.sh   flex only (skips the wgpu parity test)
#
# One release build covers the tests, the `neuron` binary they spawn and the benchmarks.
# Warm (dependencies built), the run takes a few minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$BT_ROOT"

skip_node=0
for arg in "$@"; do
  case "$arg" in
    --skip-node) skip_node=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "test-offchain.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

export CARGO_TARGET_DIR="$OFFCHAIN_TARGET_DIR"
# Which test targets run: every file in tests/, less the node tests with --skip-node.
targets=(--lib --bins)
for t in offchain-neuron/tests/*.rs; do
  name="$(basename "$t" .rs)"
  [ "$skip_node" -eq 1 ] && [ "$name" = chain ] && continue
  targets+=(--test "$name")
done
features="${OFFCHAIN_FEATURES-wgpu}"
feature_args=()
[ -n "$features" ] && feature_args=(--features "$features")

# Mesa's lavapipe warns about XDG_RUNTIME_DIR when it is unset; give it a private one.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="$(mktemp -d)"
  trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi

t0=$SECONDS
echo "==> cargo fmt --check (offchain-neuron)"
cargo fmt -p offchain-neuron --check

if [ "$skip_node" -eq 0 ]; then
  command -v substrate-contracts-node >/dev/null || { echo "substrate-contracts-node is missing: run scripts/setup.sh (or pass --skip-node)" >&2; exit 1; }
  [ -f "$CONTRACTS_TARGET_DIR/ink/consensus_ledger/consensus_ledger.contract" ] || { echo "contract bundles are missing: run scripts/build-contracts.sh (or pass --skip-node)" >&2; exit 1; }
fi
echo "==> cargo test --release -p offchain-neuron ${feature_args[*]} ${targets[*]}"
cargo test --release --locked -p offchain-neuron "${feature_args[@]}" "${targets[@]}"

echo "==> off-chain tests passed ($((SECONDS - t0)) s)"
