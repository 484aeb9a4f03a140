#!/usr/bin/env bash
# Deploys and wires the whole suite (token, registry, staking, ledger and the ledger's
# epoch code, which is uploaded and run by the ledger with delegate_call) on a running
# contracts node with plain `cargo contract`, then writes the addresses to a deployment file.
#
#   scripts/deploy.sh [--url ws://127.0.0.1:9944] [--suri //Alice] [--out deployment.json]
#                     [--local] [--dev-genesis SS58=TAO ...] [--no-genesis-subnet] [--skip-build]
#
# By default this is a fair launch: no TAO exists at deployment, and the deployer opens the
# genesis subnet (netuid 1, no lock, the deployer's account as owner hotkey) that miners
# enter by proof of work for free; emission accrues from that block.
#
#   --local        local-network settings: loopback axons allowed, small lock cost, no
#                  subnet-creation rate limit (for scripts/localnet.sh and tests)
#   --dev-genesis  mint TAO to an account at deployment (dev networks ONLY: this is a premine;
#                  it counts against the 21M cap). Repeatable.
#   --no-genesis-subnet  do not open the genesis subnet (then only a premine can pay a lock)
#   --skip-build   use the bundles already built by scripts/build-contracts.sh
#
# The deployer (--suri) becomes the admin of registry, staking and ledger. The token has no
# admin once wired: its minter (the ledger) and protocol contracts never change.
set -euo pipefail
source "$(dirname "$0")/env.sh"

url="ws://127.0.0.1:9944"
suri="//Alice"
out="$BT_ROOT/deployment.json"
local_net=0
skip_build=0
genesis=()
genesis_subnet=1
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --suri) suri="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --local) local_net=1; shift ;;
    --dev-genesis) genesis+=("$2"); shift 2 ;;
    --skip-build) skip_build=1; shift ;;
    --no-genesis-subnet) genesis_subnet=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "deploy.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

bundles="$CONTRACTS_TARGET_DIR/ink"
[ "$skip_build" -eq 1 ] || "$BT_ROOT/scripts/build-contracts.sh" tao-token subnet-registry staking consensus-ledger ledger-epochs
salt="0x$(date +%s%N | sha256sum | cut -c1-16)"

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

instantiate() { # bundle constructor args...
  local bundle="$1" ctor="$2"; shift 2
  local args=()
  [ $# -gt 0 ] && args=(--args "$@")
  local result
  result=$(cargo contract instantiate "$bundles/$bundle/$bundle.contract" --constructor "$ctor" "${args[@]}" \
    --suri "$suri" --url "$url" --salt "$salt" -x --skip-confirm --output-json 2>&1) || {
    echo "$result" | head -20 >&2
    echo "deploy.sh: instantiating $bundle failed" >&2
    exit 1
  }
  echo "$result" | json_field "['contract']"
}

upload() { # bundle: stores its code (no instance) and prints its code hash
  local bundle="$1" result
  result=$(cargo contract upload "$bundles/$bundle/$bundle.contract" --suri "$suri" --url "$url" -x --output-json 2>&1) \
    || echo "$result" | grep -q "already been uploaded" || {
    echo "$result" | head -20 >&2
    echo "deploy.sh: uploading $bundle failed" >&2
    exit 1
  }
  # The code hash is the bundle's own (blake2-256 of its wasm), uploaded now or before.
  json_field "['source']['hash']" < "$bundles/$bundle/$bundle.contract"
}

# The node must answer before anything is sent (a fresh dev node takes a few seconds).
wait_for_node() {
  local http="${url/ws:/http:}"; http="${http/wss:/https:}"
  for _ in $(seq 1 60); do
    if python3 - "$http" <<'PY' 2>/dev/null; then return 0; fi
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system_health", "params": []}).encode(), headers={"Content-Type": "application/json"})
json.load(urllib.request.urlopen(req, timeout=2))["result"]
PY
    sleep 1
  done
  echo "deploy.sh: no node answers at $url after 60 s; start one (substrate-contracts-node --dev) or pass --url" >&2
  exit 1
}
wait_for_node

call() { # contract bundle message args...
  local contract="$1" bundle="$2" message="$3"; shift 3
  local args=()
  [ $# -gt 0 ] && args=(--args "$@")
  local result
  result=$(cargo contract call --contract "$contract" "$bundles/$bundle/$bundle.contract" --message "$message" \
    "${args[@]}" --suri "$suri" --url "$url" -x --skip-confirm --output-json 2>&1) || {
    echo "$result" | head -20 >&2
    echo "deploy.sh: $bundle::$message failed" >&2
    exit 1
  }
}

if [ ${#genesis[@]} -gt 0 ]; then
  echo "!!! DEV GENESIS: minting a premine at deployment (dev networks only; counts against the cap):" >&2
  allocations=""
  for g in "${genesis[@]}"; do
    acct="${g%%=*}"; tao="${g#*=}"
    echo "!!!   $acct: $tao TAO" >&2
    allocations+="${allocations:+, }($acct, ${tao}000000000)"
  done
  token=$(instantiate tao_token new_with_genesis "[$allocations]")
else
  token=$(instantiate tao_token new)
fi
echo "token     $token"
registry=$(instantiate subnet_registry new); echo "registry  $registry"
staking=$(instantiate staking new);          echo "staking   $staking"
ledger=$(instantiate consensus_ledger new);  echo "ledger    $ledger"

call "$token" tao_token configure "$ledger" "[$registry, $staking]"
call "$registry" subnet_registry configure "$token" "$staking" "$ledger"
call "$staking" staking configure "$token" "$registry" "$ledger"
# Upload the epoch code right before the ledger locks it: code nothing holds may be removed
# by whoever uploaded it first (configure refuses a hash whose code is gone: run again).
epochs=$(upload ledger_epochs);              echo "epochs    $epochs (code)"
call "$ledger" consensus_ledger configure "$token" "$registry" "$staking" "$epochs"
if [ "$local_net" -eq 1 ]; then
  call "$registry" subnet_registry set_network_params \
    "{ subnet_limit: 32, min_lock: 10000000000, lock_reduction_interval: 1000, network_rate_limit: 0, network_immunity_period: 0, owner_hparams_rate_limit_tempos: 0, allow_local_axons: true }"
  # Stake matures after one 10-block interval instead of 360, with a few moves per interval,
  # so a local network's tempos of tens of blocks see new stake within an epoch or two.
  call "$staking" staking set_params \
    "{ min_stake: 2000000, default_take: 11796, take_rate_limit: 216000, stake_interval: 10, moves_per_interval: 8 }"
fi
if [ "$genesis_subnet" -eq 1 ]; then
  # The deployer is the registry's admin; read its address back rather than deriving it here.
  deployer=$(cargo contract call --contract "$registry" "$bundles/subnet_registry/subnet_registry.contract" \
    --message admin --suri "$suri" --url "$url" 2>&1 | grep 'Result' | grep -o '5[1-9A-HJ-NP-Za-km-z]\{47\}' | head -n1 || true)
  [ -n "$deployer" ] || { echo "deploy.sh: could not read the registry admin's address" >&2; exit 1; }
  call "$registry" subnet_registry create_genesis_subnet "$deployer"
  echo "genesis subnet: netuid 1 (no lock; miners register by proof of work)"
fi

cat > "$out" <<JSON
{
  "url": "$url",
  "token": "$token",
  "registry": "$registry",
  "staking": "$staking",
  "ledger": "$ledger",
  "ledger_epochs_code": "$epochs",
  "bundles": "$bundles",
  "local": $([ "$local_net" -eq 1 ] && echo true || echo false),
  "genesis_subnet": $([ "$genesis_subnet" -eq 1 ] && echo 1 || echo null)
}
JSON
echo "wired; addresses written to $out"
