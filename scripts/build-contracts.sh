#!/usr/bin/env bash
# Builds every contract of contracts/ (the members with an `ink-as-dependency` feature) with
# `cargo contract build --release`, then prints each bundle's path and its wasm size.
#
#   scripts/build-contracts.sh            all contracts
#   scripts/build-contracts.sh tao-token  just these
set -euo pipefail
source "$(dirname "$0")/env.sh"
export CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR"
cd "$BT_ROOT/contracts"

if ! cargo contract --version >/dev/null 2>&1; then
  echo "build-contracts.sh: cargo-contract is missing; run scripts/setup.sh first" >&2
  exit 1
fi

if [ $# -gt 0 ]; then
  contracts=("$@")
else
  contracts=()
  for manifest in */Cargo.toml; do
    grep -q '^ink-as-dependency = \[\]' "$manifest" && contracts+=("$(dirname "$manifest")")
  done
fi

budget=$((64 * 1024))
printf '%-18s %10s  %s\n' contract "wasm" bundle
for c in "${contracts[@]}"; do
  t0=$SECONDS
  if ! out=$(cargo +"$CONTRACTS_TOOLCHAIN" contract build --release --manifest-path "$c/Cargo.toml" 2>&1); then
    echo "$out" >&2
    echo "build-contracts.sh: building $c failed (output above)" >&2
    exit 1
  fi
  name="${c//-/_}"
  dir="$CARGO_TARGET_DIR/ink/$name"
  size=$(stat -c %s "$dir/$name.wasm")
  note=""
  [ "$size" -le "$budget" ] || note="  (over the 64 KiB budget)"
  printf '%-18s %7d B  %s  [%ds]%s\n' "$c" "$size" "$dir/$name.contract" $((SECONDS - t0)) "$note"
done
