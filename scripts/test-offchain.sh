#!/usr/bin/env bash
# Off-chain tests: the offchain-neuron crate (unit tests, wire protocol over real HTTP, model
# training/quality, wgpu-on-lavapipe vs flex parity, and real `neuron` miner/validator processes).
#
#   scripts/test-offchain.sh              everything (builds with --features wgpu)
#   OFFCHAIN_FEATURES= scripts/test-offchain.sh   flex only (skips the wgpu parity test)
#
# One release build covers the tests, the `neuron` binary they spawn and the benchmarks.
# Warm (dependencies built), the run takes a few minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$BT_ROOT"

export CARGO_TARGET_DIR="$OFFCHAIN_TARGET_DIR"
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

echo "==> cargo test --release -p offchain-neuron ${feature_args[*]}"
cargo test --release --locked -p offchain-neuron "${feature_args[@]}"

echo "==> off-chain tests passed ($((SECONDS - t0)) s)"
