#!/usr/bin/env bash
# Whole-network tests (the e2e/ crate): a real substrate-contracts-node, the suite deployed by
# scripts/deploy.sh from the release bundles, and real `neuron` processes (node, miners,
# validators). Builds the `neuron` binary first. A failed run keeps its logs under
# $OFFCHAIN_TARGET_DIR/release/e2e-runs/ and says where.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
cd "$BT_ROOT"
export CARGO_TARGET_DIR="$OFFCHAIN_TARGET_DIR"
command -v substrate-contracts-node >/dev/null || { echo "substrate-contracts-node is missing: run scripts/setup.sh" >&2; exit 1; }
[ -f "$CONTRACTS_TARGET_DIR/ink/consensus_ledger/consensus_ledger.contract" ] || { echo "contract bundles are missing: run scripts/build-contracts.sh" >&2; exit 1; }
t0=$SECONDS
# The same features as scripts/test-offchain.sh: one build of the binary serves both layers.
features="${OFFCHAIN_FEATURES-wgpu}"
feature_args=()
[ -n "$features" ] && feature_args=(--features "$features")
cargo build --release --locked -p offchain-neuron "${feature_args[@]}"
cargo test --release --locked -p e2e -- --nocapture --test-threads 1
echo "==> e2e passed ($((SECONDS - t0)) s)"
