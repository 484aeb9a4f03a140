#!/usr/bin/env bash
# Checks scripts/deploy.sh end to end: starts a throwaway dev node, deploys and wires the
# suite from the release bundles with plain `cargo contract` (the default fair launch), then
# reads the wiring, the token's supply and the genesis subnet back from the chain. Used by
# scripts/test.sh; needs built bundles.
set -euo pipefail
source "$(dirname "$0")/env.sh"
port="${BT_DEPLOY_TEST_PORT:-9977}"
work="$(mktemp -d -t bt-deploy.XXXX)"
substrate-contracts-node --dev --tmp --rpc-port "$port" >"$work/node.log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true' EXIT

# The default deployment: a fair launch (no premine, the genesis subnet open).
"$BT_ROOT/scripts/deploy.sh" --url "ws://127.0.0.1:$port" --local --skip-build \
  --out "$work/deployment.json"

field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/deployment.json" "$1"; }
bundles="$CONTRACTS_TARGET_DIR/ink"
query() { # contract bundle message
  cargo contract call --contract "$1" "$bundles/$2/$2.contract" --message "$3" \
    --suri //Alice --url "ws://127.0.0.1:$port" 2>&1 | grep -m1 'Result'
}
fail() { echo "test-deploy.sh: $*" >&2; exit 1; }

supply=$(query "$(field token)" tao_token PSP22::total_supply)
[[ "$supply" == *"Ok(0)"* ]] || fail "a fair launch has no supply at deployment: $supply"
netuids=$(query "$(field registry)" subnet_registry netuids)
[[ "$netuids" == *"Ok([1])"* ]] || fail "the genesis subnet is not open: $netuids"
[ "$(field genesis_subnet)" = "1" ] || fail "deployment file does not name the genesis subnet"
wiring=$(query "$(field ledger)" consensus_ledger wiring)
[[ "$wiring" == *"token: $(field token)"* && "$wiring" == *"registry: $(field registry)"* ]] \
  || fail "ledger not wired to the deployed token and registry: $wiring"
# The ledger's epochs run in its epoch code: an epoch query answers through it.
epochs=$(cargo contract call --contract "$(field ledger)" "$bundles/consensus_ledger/consensus_ledger.contract" \
  --message bonds --args 1 0 --suri //Alice --url "ws://127.0.0.1:$port" 2>&1 | grep -m1 'Result' || true)
[[ "$epochs" == *"Ok(None)"* ]] || fail "the ledger's epoch code does not answer (bonds of a fresh subnet): $epochs"
params=$(query "$(field registry)" subnet_registry network_params)
[[ "$params" == *"allow_local_axons: true"* ]] || fail "--local network params not applied: $params"
staking_params=$(query "$(field staking)" staking params)
[[ "$staking_params" == *"stake_interval: 10"* ]] || fail "--local staking params not applied: $staking_params"
echo "deploy.sh: suite deployed, wired and read back from the node"
