//! # yuma — one Yuma consensus epoch in exact fixed point
//!
//! A `no_std` + `alloc` library (no ink! dependency) that runs **one Yuma epoch of one subnet**
//! exactly as subtensor does (economics spec §2.3, steps 1–16; classic-era inputs), for the
//! consensus-ledger contract and the off-chain neuron alike.
//!
//! ```
//! use yuma::{run_epoch, EpochInput, EpochParams, NeuronInput};
//! let w = [(1_u16, 65535_u16)];
//! let neurons = [
//!     NeuronInput { stake: 1_000, last_update: 10, registered_at: 1, validator_permit: true,
//!                   weights: &w, bonds: &[] },
//!     NeuronInput { stake: 0, last_update: 1, registered_at: 1, validator_permit: false,
//!                   weights: &[], bonds: &[] },
//! ];
//! let out = run_epoch(&EpochInput { block: 11, emission: 1_000_000_000, bonds_reset_block: 11,
//!                                   params: EpochParams::default(), neurons: &neurons });
//! assert_eq!(out.neurons[1].incentive, 65535);
//! assert_eq!(out.neurons[0].validator_emission + out.neurons[1].server_emission, 1_000_000_000);
//! ```
//!
//! ## Fixed point: our own 32.32 type, not a dependency
//!
//! subtensor computes the epoch with `substrate_fixed::types::I32F32` (and `I64F64` for the
//! stake normalisation, `I96F32` for RAO amounts). This crate re-implements exactly the
//! operations the epoch uses in [`fixed::I32F32`] (an `i64` with 32 fractional bits): multiply =
//! widen to `i128`, multiply, arithmetic shift right 32 (floor); divide = `(a << 32) / b`
//! truncating toward zero; `safe_div` gives 0 on division by zero *or overflow* (upstream
//! `checked_div().unwrap_or_default()`); saturating add/sub/mul; conversions to integers by
//! floor; `round` half away from zero. Stake is normalised as upstream's 64.64 division then
//! truncation to 32.32, which equals `floor(s_i · 2^32 / Σs)` and is computed in `u128`
//! ([`fixed::normalize_stake`]); RAO amounts are `floor(share_bits · emission / 2^32)`
//! ([`fixed::fixed_mul_amount`], upstream's `I96F32` product).
//!
//! Why not depend on `substrate-fixed`: a few hundred lines give full control over every
//! rounding step, no float code at all in the consensus path (the `fixed` family pulls float
//! conversions and `az`/`typenum` machinery into the wasm), smaller contract code, and fast
//! paths: almost all epoch operands are non-negative and below 2, so products and quotients
//! are computed with native `u64` arithmetic (a single `i64.div_u` in wasm) and only fall back
//! to `i128` when needed — with identical bits either way (tested).
//!
//! The only transcendental function is `exp`, needed by liquid alpha (§2.3 step 13). It is a
//! bit-exact port of `substrate_fixed::transcendental::exp` ([`math::exp`]): the truncated
//! Taylor series up to the 31st term in 32.32, inverted for negative inputs. There are no
//! floats anywhere in the library.
//!
//! ## Memory
//!
//! The epoch never builds an `n × n` matrix and never copies the 65k-entry weight matrix:
//! weights are read from the borrowed u16 rows and the row-normalised, clipped and
//! β-interpolated values are recomputed per entry where needed (each is a single division or
//! comparison, bit-identical whether stored or recomputed). Bond EMA rows are recomputed per
//! pass into one reused row buffer; the weighted median uses one score buffer and three index
//! buffers sized by the number of validators. Only per-UID vectors are allocated. A row that
//! is not strictly increasing by uid is copied (sorted, deduplicated) — only that row.
//! See the README for the measured peak heap.
//!
//! ## Features
//! * `std` (default): nothing but `std` linkage.
//! * `serde`: `Serialize`/`Deserialize` on the parameter and output types and the owned
//!   [`snapshot`] types (works without `std`).
//! * `cli`: `std` + `serde` + `serde_json`, the JSON snapshot codec and the `yuma-epoch` binary.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::float_arithmetic
    )
)]
#![warn(missing_docs)]

extern crate alloc;

mod ema_rows;
mod epoch;
pub mod fixed;
pub mod math;
#[cfg(feature = "serde")]
pub mod snapshot;

pub use epoch::{
    run_epoch, run_epoch_streaming, EpochInput, EpochOutput, EpochParams, NeuronInput,
    NeuronOutput, NeuronOutputWithBonds, MAX_UIDS,
};
pub use fixed::I32F32;
