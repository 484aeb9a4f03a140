# Shared settings for the scripts: sourced, not run.
# Versions are pinned here once; rust-toolchain.toml files carry the same toolchains.
export OFFCHAIN_TOOLCHAIN=1.95.0
export CONTRACTS_TOOLCHAIN=1.86.0
export CARGO_CONTRACT_VERSION=5.0.3
export CONTRACTS_NODE_VERSION=0.42.0

export PATH="$HOME/.cargo/bin:$PATH"
# Build caches outside the clone, so that a fresh clone (CI) builds incrementally.
export BT_CACHE="${BT_CACHE:-$HOME/.cache/bittensor-ink}"
export BT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTRACTS_TARGET_DIR="$BT_CACHE/target-contracts"
export OFFCHAIN_TARGET_DIR="$BT_CACHE/target-offchain"
