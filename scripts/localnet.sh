#!/usr/bin/env bash
# The run command: a whole Bittensor network on this machine. Installs what is missing
# (scripts/setup.sh, idempotent), builds the contract bundles and the `neuron` binary when
# needed, then runs `neuron localnet` (node, suite, three miners of different quality, two
# validators; the metagraph and the TAO each neuron earned after every epoch).
#
#   scripts/localnet.sh [neuron localnet options]    e.g. --fresh, --tempos 10 --json summary.json
#
# Everything lives in .localnet/ (node database, deployment.json, logs/, models/); Ctrl-C stops
# every process; a rerun continues the same chain (--fresh starts over).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
cd "$BT_ROOT"
for arg in "$@"; do
  case "$arg" in
    -h|--help)
      sed -n '2,10p' "$0"
      if [ -x "$OFFCHAIN_TARGET_DIR/release/neuron" ]; then
        echo; exec "$OFFCHAIN_TARGET_DIR/release/neuron" localnet --help
      fi
      exit 0 ;;
  esac
done

"$here/setup.sh"
echo "==> contract bundles"
"$here/build-contracts.sh" tao-token subnet-registry staking consensus-ledger ledger-epochs >/dev/null
echo "==> neuron binary (cargo build --release; the first build takes a while)"
# The tests' feature set (one cached build for both); OFFCHAIN_FEATURES= for flex only.
features="${OFFCHAIN_FEATURES-wgpu}"
CARGO_TARGET_DIR="$OFFCHAIN_TARGET_DIR" cargo build --release --locked -p offchain-neuron ${features:+--features "$features"}
export BT_ROOT
exec "$OFFCHAIN_TARGET_DIR/release/neuron" localnet "$@"
