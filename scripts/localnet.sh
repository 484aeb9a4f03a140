#!/usr/bin/env bash
# Runs a local network: a substrate-contracts-node dev chain with the whole suite deployed
# and wired, in the foreground (Ctrl-C stops it).
#
#   scripts/localnet.sh [--port 9944] [--fresh] [--no-deploy]
#
# Chain state lives in .localnet/chain (kept across restarts unless --fresh); the contract
# addresses are written to .localnet/deployment.json. The suite is deployed with a DEV
# GENESIS (100,000 TAO each to //Alice and //Bob) and local-network registry settings
# (loopback axons allowed, small lock cost) — never use these settings on a public chain.
set -euo pipefail
source "$(dirname "$0")/env.sh"

port=9944
fresh=0
deploy=1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --no-deploy) deploy=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "localnet.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
command -v substrate-contracts-node >/dev/null || { echo "localnet.sh: substrate-contracts-node is missing; run scripts/setup.sh" >&2; exit 1; }

dir="$BT_ROOT/.localnet"
[ "$fresh" -eq 0 ] || rm -rf "$dir"
mkdir -p "$dir"
substrate-contracts-node --dev --base-path "$dir/chain" --rpc-port "$port" > "$dir/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null' EXIT INT TERM
echo "node starting (pid $node, log $dir/node.log) ..."
for _ in $(seq 1 120); do
  if curl -s -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
      "http://127.0.0.1:$port" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$node" 2>/dev/null || { echo "localnet.sh: the node exited; see $dir/node.log" >&2; exit 1; }
  sleep 0.5
done
echo "node ready at ws://127.0.0.1:$port"

if [ "$deploy" -eq 1 ] && [ ! -f "$dir/deployment.json" ]; then
  "$BT_ROOT/scripts/deploy.sh" --url "ws://127.0.0.1:$port" --out "$dir/deployment.json" --local \
    --dev-genesis 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY=100000 \
    --dev-genesis 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty=100000
fi
[ -f "$dir/deployment.json" ] && cat "$dir/deployment.json"
echo "local network running; Ctrl-C to stop"
wait "$node"
