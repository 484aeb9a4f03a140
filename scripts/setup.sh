#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine. Idempotent: each step checks
# whether its result is already present (at the right version) and skips itself if so.
#
#   scripts/setup.sh            everything
#   scripts/setup.sh --no-node  skip substrate-contracts-node (the longest step)
#
# BT_NODE_PROFILE=release builds the node exactly as upstream's release profile; the default
# (quick) inherits it with opt-level 1 for the native client only (measured: 5,828 s against
# 6,338 s with release, a saving of at most 10%: rocksdb, binaryen and the runtime wasm dominate).
# The runtime wasm inside the node is still built with the release profile, so the chain's code,
# weights and gas are the same; only the native client code is less optimised.
#
# Tools are installed into ~/.cargo/bin; build caches live under $BT_CACHE (default
# ~/.cache/bittensor-ink), outside any clone, so a fresh clone reuses them.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/env.sh"

want_node=1
for arg in "$@"; do
  case "$arg" in
    --no-node) want_node=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

step() {
  local name="$1"; shift
  echo "==> $name"
  local TIMEFORMAT="    done: $name (%0R s wall, %0U s user + %0S s system CPU)"
  time "$@"
}

# python3: scripts/deploy.sh reads cargo-contract's JSON output with it.
APT_PACKAGES=(protobuf-compiler clang libclang-dev pkg-config libssl-dev cmake build-essential
  mesa-vulkan-drivers libvulkan1 curl ca-certificates python3)

apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "    all apt packages present"; return; fi
  echo "    installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

rustup_itself() {
  if command -v rustup >/dev/null; then echo "    $(rustup --version 2>/dev/null | head -n1)"; return; fi
  # Through the package manager only (Debian 13+, Ubuntu 24.04+ package rustup); no script
  # downloads an installer from a URL.
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rustup; then
    return
  fi
  echo "setup.sh: rustup is not installed and this distribution does not package it." >&2
  echo "          Install it as https://rustup.rs describes, then run scripts/setup.sh again." >&2
  return 1
}

rust_toolchains() {
  # RUSTUP_AUTO_INSTALL may be 0: rust-toolchain.toml files do not install themselves.
  rustup toolchain install "$OFFCHAIN_TOOLCHAIN" --profile minimal -c clippy -c rustfmt
  rustup toolchain install "$CONTRACTS_TOOLCHAIN" --profile minimal \
    -c rust-src -c clippy -c rustfmt -t wasm32-unknown-unknown
}

cargo_contract() {
  if cargo contract --version 2>/dev/null | grep -q "cargo-contract-contract $CARGO_CONTRACT_VERSION\|cargo-contract $CARGO_CONTRACT_VERSION"; then
    echo "    cargo-contract $CARGO_CONTRACT_VERSION already installed"; return
  fi
  cargo +"$OFFCHAIN_TOOLCHAIN" install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked \
    --target-dir "$BT_CACHE/install-target/cargo-contract"
}

contracts_node() {
  if substrate-contracts-node --version 2>/dev/null | grep -q "$CONTRACTS_NODE_VERSION"; then
    echo "    substrate-contracts-node $CONTRACTS_NODE_VERSION already installed"; return
  fi
  # The runtime wasm builds inside this install need the crate's own Cargo.lock
  # (WASM_BUILD_WORKSPACE_HINT) and a toolchain old enough for sp-io 38 (WASM_BUILD_TOOLCHAIN).
  # `cargo info` downloads and unpacks the published crate (with its Cargo.lock) into cargo's
  # registry, so the source comes through the package client rather than a hard-coded URL.
  cargo +"$OFFCHAIN_TOOLCHAIN" info "contracts-node@$CONTRACTS_NODE_VERSION" >/dev/null
  local src
  src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"contracts-node-$CONTRACTS_NODE_VERSION" | head -n1)"
  if [ ! -f "$src/Cargo.lock" ]; then
    echo "setup.sh: contracts-node $CONTRACTS_NODE_VERSION source not found in cargo's registry" >&2
    return 1
  fi
  local profile=(--profile release)
  if [ "${BT_NODE_PROFILE:-quick}" = quick ]; then
    # A profile defined on the command line: the node's own manifest stays untouched.
    profile=(--config 'profile.quick.inherits="release"' --config 'profile.quick.opt-level=1'
      --profile quick)
  fi
  echo "    building the node (${profile[*]: -1} profile): the longest step, about an hour on 2 cores"
  # WASM_BUILD_TYPE pins the runtime's own build to the release profile whatever the node's is.
  WASM_BUILD_WORKSPACE_HINT="$src" WASM_BUILD_TOOLCHAIN="$CONTRACTS_TOOLCHAIN" \
    WASM_BUILD_TYPE=release \
    cargo +"$OFFCHAIN_TOOLCHAIN" install --path "$src" --locked "${profile[@]}" \
    --target-dir "$BT_CACHE/install-target/contracts-node"
}

total0=$SECONDS
step "apt packages" apt_packages
step "rustup" rustup_itself
step "rust toolchains ($OFFCHAIN_TOOLCHAIN, $CONTRACTS_TOOLCHAIN + wasm32)" rust_toolchains
step "cargo-contract $CARGO_CONTRACT_VERSION" cargo_contract
if [ "$want_node" -eq 1 ]; then
  step "substrate-contracts-node $CONTRACTS_NODE_VERSION" contracts_node
fi
echo "setup complete in $((SECONDS - total0)) s"
