#!/usr/bin/env bash
# Side-by-side throughput: the burn miner (`neuron miner`, flex) and a minimal PyTorch CPU server
# with the same CNN, under the same load (`neuron bench load`: signed requests, N clients).
#
#   scripts/bench-pytorch/run.sh [--seconds 10] [--concurrency 4]
#
# Installs torch from PyPI on first use into $BT_CACHE/venv-torch (PyPI's Linux wheel pulls the
# CUDA runtime packages too: expect a multi-GB download once). Prints both results and the ratio.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/../env.sh"
cd "$BT_ROOT"

seconds=10
concurrency=4
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

venv="$BT_CACHE/venv-torch"
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "==> installing torch into $venv (PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet torch
fi
echo "==> venv size: $(du -sh "$venv" | cut -f1)"

export CARGO_TARGET_DIR="$OFFCHAIN_TARGET_DIR"
# Build exactly what scripts/test-offchain.sh builds (a plain `cargo build` would unify features
# without the dev-dependencies and recompile burn's dependency tree).
features="${OFFCHAIN_FEATURES-wgpu}"
cargo test --release --locked -p offchain-neuron ${features:+--features "$features"} --no-run
neuron="$OFFCHAIN_TARGET_DIR/release/neuron"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$neuron" train --out "$work/model.bpk" --steps 0 --eval-images 64 >/dev/null
"$neuron" peers add --file "$work/peers.json" --uid 0 --hotkey //Alice --stake-tao 1000 --permit >/dev/null
"$neuron" peers add --file "$work/peers.json" --uid 1 --hotkey //Bob >/dev/null

wait_http() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

"$neuron" miner --model "$work/model.bpk" --hotkey //Bob --peers "$work/peers.json" --port 8093 >/dev/null 2>"$work/miner.log" &
pids+=($!)
wait_http http://127.0.0.1:8093/health
echo "==> burn miner (flex, signed protocol)"
"$neuron" bench load --url http://127.0.0.1:8093 --recipient //Bob --seconds "$seconds" --concurrency "$concurrency" \
  --batch 1 --batch 64 | tee "$work/burn.txt"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

"$venv/bin/python" "$here/server.py" --port 8094 --threads 2 &
pids+=($!)
wait_http http://127.0.0.1:8094/health
echo "==> pytorch server (CPU, no signatures)"
"$neuron" bench load --url http://127.0.0.1:8094 --recipient //Bob --seconds "$seconds" --concurrency "$concurrency" \
  --batch 1 --batch 64 | tee "$work/torch.txt"

echo "==> ratio burn/pytorch (images/s)"
paste <(grep -o 'batch *[0-9]*: *[0-9.]* images/s' "$work/burn.txt") <(grep -o '[0-9.]* images/s' "$work/torch.txt") |
  awk '{ printf "batch %s burn %s img/s, pytorch %s img/s, ratio %.2f\n", $2, $3, $5, $3 / $5 }'
