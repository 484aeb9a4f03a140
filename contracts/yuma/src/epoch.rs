//! One Yuma epoch of one subnet (economics spec §2.3, steps 1–16), streaming over sparse rows.

use alloc::borrow::Cow;
use alloc::vec;
use alloc::vec::Vec;

use crate::ema_rows::EmaRows;
use crate::fixed::{
    ema_alpha_from_moving_average, fixed_mul_amount, fixed_proportion_to_u16, normalize_stake_by,
    u16_proportion_to_fixed, I32F32,
};
use crate::math::{
    alpha_diff, alpha_from_diff, clip_entry, ema_alpha_entry, ema_entry, for_each_topk_nonzero,
    interpolate_entry, max_upscale_to_u16, sum, weighted_median_with_scratch, MedianScratch,
};

/// Largest number of neurons an epoch considers. UIDs are `u16` and `n` itself must fit in a
/// `u16` (as upstream's `SubnetworkN`), so UIDs `0..=65534` exist; input neurons at index
/// 65535 and beyond are absent (zero output, no bond row).
pub const MAX_UIDS: usize = u16::MAX as usize;

/// Subnet hyperparameters used by the epoch (u16 proportions use 65535 = 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct EpochParams {
    /// Majority ratio κ as u16 proportion (default 32767 ≈ 0.5).
    pub kappa: u16,
    /// Bonds penalty β as u16 proportion (default 65535 = 1.0).
    pub bonds_penalty: u16,
    /// Bonds moving average in parts per million (default 900,000 ⇒ α = 0.1).
    pub bonds_moving_average: u64,
    /// Blocks after the last weight update at which a neuron becomes inactive (default 5000).
    pub activity_cutoff: u64,
    /// Number of validator permits handed out (top-k by stake; default 64).
    pub max_allowed_validators: u16,
    /// Raw stakes below this are treated as 0 (default 0).
    pub stake_threshold: u64,
    /// Yuma3 absolute bonds instead of classic column-normalised bonds (default false).
    pub yuma3: bool,
    /// Liquid alpha (sigmoid per-entry EMA coefficient; used with Yuma3) (default false).
    pub liquid_alpha: bool,
    /// Lower liquid-alpha bound as u16 proportion (default 45875 ≈ 0.7).
    pub alpha_low: u16,
    /// Upper liquid-alpha bound as u16 proportion (default 58982 ≈ 0.9).
    pub alpha_high: u16,
    /// Liquid-alpha sigmoid steepness ×100 (default 1000 ⇒ slope 10).
    pub alpha_sigmoid_steepness: i16,
}

impl Default for EpochParams {
    /// The §3 defaults (runtime defaults; `max_allowed_validators` is the new-subnet value 64).
    fn default() -> Self {
        Self {
            kappa: 32_767,
            bonds_penalty: u16::MAX,
            bonds_moving_average: 900_000,
            activity_cutoff: 5_000,
            max_allowed_validators: 64,
            stake_threshold: 0,
            yuma3: false,
            liquid_alpha: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1_000,
        }
    }
}

/// Per-UID input (the UID is the index in [`EpochInput::neurons`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NeuronInput<'a> {
    /// Raw stake (RAO).
    pub stake: u64,
    /// Block of the last weight update.
    pub last_update: u64,
    /// Block of the (latest) registration of this UID.
    pub registered_at: u64,
    /// Validator permit held *before* this epoch.
    pub validator_permit: bool,
    /// Weight row as stored (row max-upscaled u16), `(uid, value)`, normally sorted by uid.
    pub weights: &'a [(u16, u16)],
    /// Bond row as stored (u16), `(uid, value)`, normally sorted by uid.
    pub bonds: &'a [(u16, u16)],
}

/// One subnet snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EpochInput<'a> {
    /// Current block.
    pub block: u64,
    /// Emission to distribute in this epoch (RAO).
    pub emission: u64,
    /// Bonds held on a UID `j` with `registered_at[j] >= bonds_reset_block` are dropped
    /// (subtensor passes the previous epoch block + 1, or `block − tempo`).
    pub bonds_reset_block: u64,
    /// Hyperparameters.
    pub params: EpochParams,
    /// Neurons by UID.
    pub neurons: &'a [NeuronInput<'a>],
}

/// Per-UID result (u16 proportions use 65535 = 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NeuronOutput {
    /// Not inactive (`last_update + activity_cutoff >= block`).
    pub active: bool,
    /// Normalised stake S.
    pub stake_weight: u16,
    /// Consensus C.
    pub consensus: u16,
    /// Incentive I.
    pub incentive: u16,
    /// Dividends D.
    pub dividends: u16,
    /// Validator trust Tv.
    pub validator_trust: u16,
    /// Miner share of the emission (RAO).
    pub server_emission: u64,
    /// Validator share of the emission (RAO).
    pub validator_emission: u64,
    /// Combined emission `floor(normalize(I + D) × emission)` (RAO; stored `Emission`).
    pub emission: u64,
    /// New validator permit.
    pub validator_permit: bool,
    /// Classic pruning score `vec_max_upscale_to_u16(normalize(I + D))`.
    pub pruning_score: u16,
}

/// [`NeuronOutput`] plus the new bond row (field order = the CLI's JSON schema).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct NeuronOutputWithBonds {
    /// See [`NeuronOutput::active`].
    pub active: bool,
    /// See [`NeuronOutput::stake_weight`].
    pub stake_weight: u16,
    /// See [`NeuronOutput::consensus`].
    pub consensus: u16,
    /// See [`NeuronOutput::incentive`].
    pub incentive: u16,
    /// See [`NeuronOutput::dividends`].
    pub dividends: u16,
    /// See [`NeuronOutput::validator_trust`].
    pub validator_trust: u16,
    /// See [`NeuronOutput::server_emission`].
    pub server_emission: u64,
    /// See [`NeuronOutput::validator_emission`].
    pub validator_emission: u64,
    /// See [`NeuronOutput::emission`].
    pub emission: u64,
    /// See [`NeuronOutput::validator_permit`].
    pub validator_permit: bool,
    /// New bond row (empty unless the UID holds the new permit).
    pub bonds: Vec<(u16, u16)>,
    /// See [`NeuronOutput::pruning_score`].
    pub pruning_score: u16,
}

impl NeuronOutputWithBonds {
    /// Combine an output with its bond row.
    pub fn new(o: NeuronOutput, bonds: Vec<(u16, u16)>) -> Self {
        Self {
            active: o.active,
            stake_weight: o.stake_weight,
            consensus: o.consensus,
            incentive: o.incentive,
            dividends: o.dividends,
            validator_trust: o.validator_trust,
            server_emission: o.server_emission,
            validator_emission: o.validator_emission,
            emission: o.emission,
            validator_permit: o.validator_permit,
            bonds,
            pruning_score: o.pruning_score,
        }
    }

    /// The output without the bond row.
    pub fn output(&self) -> NeuronOutput {
        NeuronOutput {
            active: self.active,
            stake_weight: self.stake_weight,
            consensus: self.consensus,
            incentive: self.incentive,
            dividends: self.dividends,
            validator_trust: self.validator_trust,
            server_emission: self.server_emission,
            validator_emission: self.validator_emission,
            emission: self.emission,
            validator_permit: self.validator_permit,
            pruning_score: self.pruning_score,
        }
    }
}

/// Result of [`run_epoch`]: one entry per input neuron, same order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct EpochOutput {
    /// Per-UID results.
    pub neurons: Vec<NeuronOutputWithBonds>,
}

/// Convenience form of [`run_epoch_streaming`] that also collects the bond rows.
pub fn run_epoch(input: &EpochInput<'_>) -> EpochOutput {
    let mut rows: Vec<Vec<(u16, u16)>> = Vec::new();
    let outs = run_epoch_streaming(input, |uid, row| {
        // Called in UID order 0, 1, 2, …: pad defensively anyway.
        while rows.len() < usize::from(uid) {
            rows.push(Vec::new());
        }
        rows.push(row.to_vec());
    });
    let mut rows = rows.into_iter();
    EpochOutput {
        neurons: outs
            .into_iter()
            .map(|o| NeuronOutputWithBonds::new(o, rows.next().unwrap_or_default()))
            .collect(),
    }
}

/// Canonical form of an input row: entries with `uid >= n` dropped; if the remaining entries
/// are not strictly increasing, a sorted copy keeping the *first* occurrence of each uid.
fn canonical_row(row: &[(u16, u16)], n: usize) -> Cow<'_, [(u16, u16)]> {
    let strictly_increasing = row.windows(2).all(|w| match w {
        [a, b] => a.0 < b.0,
        _ => true,
    });
    if strictly_increasing {
        let cut = row.partition_point(|&(j, _)| usize::from(j) < n);
        return Cow::Borrowed(row.get(..cut).unwrap_or(&[]));
    }
    // Sort by (uid, position), then keep the first entry of each uid.
    let mut keyed: Vec<(u16, usize, u16)> = row
        .iter()
        .zip(0_usize..)
        .filter(|&(&(j, _), _)| usize::from(j) < n)
        .map(|(&(j, w), k)| (j, k, w))
        .collect();
    crate::math::heapsort(&mut keyed);
    keyed.dedup_by_key(|e| e.0); // keeps the first of each run
    Cow::Owned(keyed.into_iter().map(|(j, _, w)| (j, w)).collect())
}

/// A position in a uid-sorted row slice that skips masked entries.
struct Cursor<'s> {
    row: &'s [(u16, u16)],
    pos: usize,
}

impl<'s> Cursor<'s> {
    fn new(row: &'s [(u16, u16)]) -> Self {
        Self { row, pos: 0 }
    }

    /// The next entry with `keep(uid)`, without consuming it.
    #[inline(always)]
    fn peek(&mut self, keep: impl Fn(u16) -> bool) -> Option<(u16, u16)> {
        while let Some(&(j, v)) = self.row.get(self.pos) {
            if keep(j) {
                return Some((j, v));
            }
            self.pos = self.pos.saturating_add(1);
        }
        None
    }

    #[inline(always)]
    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }
}

#[inline]
fn at(v: &[I32F32], j: usize) -> I32F32 {
    v.get(j).copied().unwrap_or_default()
}

/// `x / s`, or `x` unchanged when `s == 0` (the column/row normalisation rule).
#[inline]
fn div_or_keep(x: I32F32, s: I32F32) -> I32F32 {
    if s.is_zero() {
        x
    } else {
        x.safe_div(s)
    }
}

/// `I32F32(v) / I32F32(sum)` for an integer `sum` of u16 values, with the normalisation rule
/// "unchanged when the sum is 0": exactly the fixed-point division of the raw value by the
/// (saturating) 32.32 sum, computed as one u64 division.
#[inline]
fn int_norm(v: u16, sum: u64) -> I32F32 {
    const SAT: u64 = i32::MAX.unsigned_abs() as u64; // sums above this saturate in 32.32
    if sum == 0 {
        I32F32::from_u16(v)
    } else if sum <= SAT {
        I32F32::ratio(u64::from(v), sum).unwrap_or_default()
    } else {
        I32F32::from_u16(v).safe_div(I32F32::MAX)
    }
}

/// Everything the streaming passes need, derived once.
struct Epoch<'a, 'r> {
    n: usize,
    neurons: &'r [NeuronInput<'a>],
    weights: Vec<Cow<'r, [(u16, u16)]>>,
    bonds: Vec<Cow<'r, [(u16, u16)]>>,
    /// Σ of the surviving raw weights of each row (integer).
    row_sum: Vec<u64>,
    bonds_reset_block: u64,
}

impl Epoch<'_, '_> {
    fn permit(&self, i: usize) -> bool {
        self.neurons.get(i).is_some_and(|x| x.validator_permit)
    }

    fn registered_at(&self, j: u16) -> u64 {
        self.neurons
            .get(usize::from(j))
            .map(|x| x.registered_at)
            .unwrap_or_default()
    }

    /// The weight row of `i` as stored (empty without the old permit), its last update and
    /// the sum of its surviving entries.
    #[inline]
    fn weight_row(&self, i: usize) -> (&[(u16, u16)], u64) {
        let lu = self
            .neurons
            .get(i)
            .map(|x| x.last_update)
            .unwrap_or_default();
        let row: &[(u16, u16)] = if self.permit(i) {
            self.weights.get(i).map(|r| &**r).unwrap_or(&[])
        } else {
            &[]
        };
        (row, lu)
    }

    /// Surviving weight entry `(i, j)`: not the diagonal, and `last_update[i] > registered_at[j]`.
    #[inline(always)]
    fn weight_kept(&self, i: usize, lu: u64, j: u16) -> bool {
        usize::from(j) != i && lu > self.registered_at(j)
    }

    /// Bond entry on column `j` survives the recently-registered mask.
    #[inline(always)]
    fn bond_kept(&self, j: u16) -> bool {
        self.registered_at(j) < self.bonds_reset_block
    }

    /// Raw surviving weights of row `i`: rows without the old permit are empty, self-weight
    /// dropped, entries with `last_update[i] <= registered_at[j]` dropped.
    #[inline]
    fn for_each_raw_weight(&self, i: usize, mut f: impl FnMut(u16, u16)) {
        let (row, lu) = self.weight_row(i);
        for &(j, w) in row {
            if self.weight_kept(i, lu, j) {
                f(j, w);
            }
        }
    }

    /// Row-normalised weights W of row `i`.
    #[inline]
    fn for_each_weight(&self, i: usize, mut f: impl FnMut(u16, I32F32)) {
        let rs = self.row_sum.get(i).copied().unwrap_or_default();
        self.for_each_raw_weight(i, |j, w| f(j, int_norm(w, rs)));
    }

    /// Merge the surviving weight row and the masked bond row of `i` by uid:
    /// `f(j, raw weight, raw bond)` once per uid present in either, in uid order.
    #[inline]
    fn merge_row(&self, i: usize, mut f: impl FnMut(u16, Option<u16>, Option<u16>)) {
        let (wrow, lu) = self.weight_row(i);
        let mut wc = Cursor::new(wrow);
        let mut bc = Cursor::new(self.bonds.get(i).map(|r| &**r).unwrap_or(&[]));
        loop {
            let wa = wc.peek(|j| self.weight_kept(i, lu, j));
            let bb = bc.peek(|j| self.bond_kept(j));
            match (wa, bb) {
                (None, None) => return,
                (Some((j, w)), None) => {
                    wc.bump();
                    f(j, Some(w), None);
                }
                (None, Some((j, b))) => {
                    bc.bump();
                    f(j, None, Some(b));
                }
                (Some((ja, w)), Some((jb, b))) => match ja.cmp(&jb) {
                    core::cmp::Ordering::Less => {
                        wc.bump();
                        f(ja, Some(w), None);
                    }
                    core::cmp::Ordering::Greater => {
                        bc.bump();
                        f(jb, None, Some(b));
                    }
                    core::cmp::Ordering::Equal => {
                        wc.bump();
                        bc.bump();
                        f(ja, Some(w), Some(b));
                    }
                },
            }
        }
    }
}

/// Bond-mode specific state for the EMA passes.
struct BondState<'v> {
    consensus: &'v [I32F32],
    active_stake: &'v [I32F32],
    beta: I32F32,
    alpha: I32F32,
    one_minus_alpha: I32F32,
    yuma3: bool,
    /// Liquid alpha in use (Yuma3 only; liquid alpha on and some C_j ≠ 0).
    liquid: Option<LiquidParams>,
    /// Classic: column sums of the masked old bonds (integer).
    old_col_sum: Vec<u64>,
    /// Classic: column sums of ΔB = W̃ ∘ A.
    delta_col_sum: Vec<I32F32>,
}

#[derive(Clone, Copy)]
struct LiquidParams {
    low: I32F32,
    high: I32F32,
    steepness: I32F32,
    /// α for a combined diff of 0 (every weight at or below consensus): the common case.
    alpha_at_zero: I32F32,
}

impl LiquidParams {
    fn new(low: I32F32, high: I32F32, steepness: I32F32) -> Self {
        let alpha_at_zero = alpha_from_diff(I32F32::ZERO, low, high, steepness);
        Self {
            low,
            high,
            steepness,
            alpha_at_zero,
        }
    }

    /// [`alpha_sigmoid`](crate::math::alpha_sigmoid), with the diff-0 value precomputed.
    #[inline]
    fn alpha(&self, c: I32F32, w: I32F32, b: I32F32) -> I32F32 {
        let d = alpha_diff(c, w, b);
        if d.is_zero() {
            self.alpha_at_zero
        } else {
            alpha_from_diff(d, self.low, self.high, self.steepness)
        }
    }
}

impl BondState<'_> {
    /// Weight-for-bonds W̃_ij of a raw weight (β interpolation between W and the clipped W̄);
    /// `None` when the entry is absent from W̃.
    #[inline(always)]
    fn weight_for_bonds(&self, j: u16, w: u16, row_sum: u64) -> Option<I32F32> {
        let w = int_norm(w, row_sum);
        let clipped = clip_entry(w, at(self.consensus, usize::from(j)));
        interpolate_entry(w, clipped, self.beta)
    }

    /// Visit W̃ of row `i`.
    #[inline]
    fn for_each_weight_for_bonds(
        &self,
        e: &Epoch<'_, '_>,
        i: usize,
        mut f: impl FnMut(u16, I32F32),
    ) {
        let rs = e.row_sum.get(i).copied().unwrap_or_default();
        e.for_each_raw_weight(i, |j, w| {
            if let Some(v) = self.weight_for_bonds(j, w, rs) {
                f(j, v);
            }
        });
    }

    /// The EMA bond row of validator `i` (before any column normalisation), into `out`.
    fn ema_row(&self, e: &Epoch<'_, '_>, i: usize, out: &mut Vec<(u16, I32F32)>) {
        out.clear();
        let a_i = at(self.active_stake, i);
        let rs = e.row_sum.get(i).copied().unwrap_or_default();
        if !self.yuma3 {
            // Classic: α·colnorm(W̃∘A) + (1−α)·colnorm(B).
            e.merge_row(i, |j, w, b| {
                let ju = usize::from(j);
                let new = w
                    .and_then(|w| self.weight_for_bonds(j, w, rs))
                    .map(|v| div_or_keep(v.saturating_mul(a_i), at(&self.delta_col_sum, ju)));
                let old =
                    b.map(|b| int_norm(b, self.old_col_sum.get(ju).copied().unwrap_or_default()));
                if new.is_none() && old.is_none() {
                    return;
                }
                let v = ema_entry(
                    new.unwrap_or_default(),
                    old.unwrap_or_default(),
                    self.alpha,
                    self.one_minus_alpha,
                );
                if v.is_positive() {
                    out.push((j, v));
                }
            });
            return;
        }
        match self.liquid {
            Some(lp) => {
                // Only columns present in W̃_i are emitted (upstream sparse quirk).
                e.merge_row(i, |j, w, b| {
                    if let Some(w) = w.and_then(|w| self.weight_for_bonds(j, w, rs)) {
                        let b = b.map(u16_proportion_to_fixed).unwrap_or_default();
                        let a = lp.alpha(at(self.consensus, usize::from(j)), w, b);
                        let v = ema_alpha_entry(w, b, a);
                        if v.is_positive() {
                            out.push((j, v));
                        }
                    }
                });
            }
            None => {
                e.merge_row(i, |j, w, b| {
                    let new = w.and_then(|w| self.weight_for_bonds(j, w, rs));
                    if new.is_none() && b.is_none() {
                        return;
                    }
                    let old = b.map(u16_proportion_to_fixed).unwrap_or_default();
                    let v = ema_entry(
                        new.unwrap_or_default(),
                        old,
                        self.alpha,
                        self.one_minus_alpha,
                    );
                    if v.is_positive() {
                        out.push((j, v));
                    }
                });
            }
        }
    }
}

/// Run one epoch. Returns one [`NeuronOutput`] per input neuron (same order) and hands each
/// UID's new bond row to `on_bonds(uid, row)` exactly once, in UID order, from a reused buffer
/// (rows of UIDs without the new permit are empty).
///
/// Never panics. Input rules (documented deviations only for inputs upstream cannot produce):
/// * only the first [`MAX_UIDS`] neurons take part; entries pointing at UIDs `>= n` are
///   ignored;
/// * a weight or bond row that is not strictly increasing by uid is sorted (stably) and
///   de-duplicated keeping the **first** occurrence of each uid (only that row is copied);
/// * sums that would overflow 32.32 saturate instead of panicking.
pub fn run_epoch_streaming(
    input: &EpochInput<'_>,
    mut on_bonds: impl FnMut(u16, &[(u16, u16)]),
) -> Vec<NeuronOutput> {
    let total = input.neurons.len();
    let n = total.min(MAX_UIDS);
    let neurons = input.neurons.get(..n).unwrap_or(&[]);
    let p = &input.params;
    let zero = I32F32::ZERO;

    // Canonical rows (borrowed unless a row needs repair).
    let weights: Vec<Cow<'_, [(u16, u16)]>> = neurons
        .iter()
        .map(|x| canonical_row(x.weights, n))
        .collect();
    let bonds: Vec<Cow<'_, [(u16, u16)]>> =
        neurons.iter().map(|x| canonical_row(x.bonds, n)).collect();
    let longest_row = weights
        .iter()
        .zip(&bonds)
        .map(|(w, b)| w.len().saturating_add(b.len()))
        .max()
        .unwrap_or(0)
        .min(n);
    let mut e = Epoch {
        n,
        neurons,
        weights,
        bonds,
        row_sum: Vec::new(),
        bonds_reset_block: input.bonds_reset_block,
    };

    // The output vector doubles as storage for the per-UID flags and u16 results (no extra
    // per-UID vectors: the contract's allocator never frees).
    let mut out: Vec<NeuronOutput> = Vec::with_capacity(total);
    out.resize(n, NeuronOutput::default());

    // 1. Activity.
    for (o, x) in out.iter_mut().zip(neurons) {
        o.active = x.last_update.saturating_add(p.activity_cutoff) >= input.block;
    }

    // 2. Stake: threshold, normalise in 64.64, truncate to 32.32.
    let stake = normalize_stake_by(n, |i| {
        neurons
            .get(i)
            .map(|x| {
                if x.stake < p.stake_threshold {
                    0
                } else {
                    x.stake
                }
            })
            .unwrap_or(0)
    });

    // 3. New permits from S (old permits are used for masking).
    for_each_topk_nonzero(&stake, usize::from(p.max_allowed_validators), |i| {
        if let Some(o) = out.get_mut(i) {
            o.validator_permit = true;
        }
    });

    // 4. Active stake.
    let mut active_stake: Vec<I32F32> = stake
        .iter()
        .zip(neurons)
        .zip(&out)
        .map(|((&s, x), o)| {
            if o.active && x.validator_permit {
                s
            } else {
                zero
            }
        })
        .collect();
    crate::math::inplace_normalize(&mut active_stake);

    // 5. Weights: row sums of the surviving entries.
    e.row_sum = (0..n)
        .map(|i| {
            let mut acc = 0_u64;
            e.for_each_raw_weight(i, |_, w| acc = acc.saturating_add(u64::from(w)));
            acc
        })
        .collect();

    // 6. Consensus: κ-majority stake-weighted median per column over validators with A > 0.
    let kappa = u16_proportion_to_fixed(p.kappa);
    let consensus = consensus(&e, &active_stake, kappa);

    // 7–9. Clip, validator trust, ranks → incentive.
    let mut ranks = vec![zero; n];
    for (i, o) in out.iter_mut().enumerate() {
        let a_i = at(&active_stake, i);
        let mut tv = zero;
        e.for_each_weight(i, |j, w| {
            if let Some(c) = clip_entry(w, at(&consensus, usize::from(j))) {
                tv = tv.saturating_add(c);
                if let Some(r) = ranks.get_mut(usize::from(j)) {
                    *r = r.saturating_add(a_i.saturating_mul(c));
                }
            }
        });
        o.validator_trust = fixed_proportion_to_u16(tv);
    }
    let mut incentive = ranks;
    crate::math::inplace_normalize(&mut incentive);

    // 10–12. Bonds and dividends.
    let beta = u16_proportion_to_fixed(p.bonds_penalty);
    let alpha = ema_alpha_from_moving_average(p.bonds_moving_average);
    let liquid = (p.yuma3 && p.liquid_alpha && consensus.iter().any(|c| !c.is_zero())).then(|| {
        LiquidParams::new(
            u16_proportion_to_fixed(p.alpha_low),
            u16_proportion_to_fixed(p.alpha_high),
            I32F32::from_i16(p.alpha_sigmoid_steepness),
        )
    });
    let mut st = BondState {
        consensus: &consensus,
        active_stake: &active_stake,
        beta,
        alpha,
        one_minus_alpha: I32F32::ONE.saturating_sub(alpha),
        yuma3: p.yuma3,
        liquid,
        old_col_sum: Vec::new(),
        delta_col_sum: Vec::new(),
    };
    let mut row: Vec<(u16, I32F32)> = Vec::with_capacity(longest_row);
    let mut out_row: Vec<(u16, u16)> = Vec::with_capacity(longest_row);
    let mut dividends = vec![zero; n];
    let permit = |out: &[NeuronOutput], i: usize| out.get(i).is_some_and(|o| o.validator_permit);
    // Each EMA row is needed by two passes: keep them from the first when they fit.
    let ema_entries = (0..n).fold(0_usize, |acc, i| {
        let row_len = e.weight_row(i).0.len().saturating_add(e.bonds.get(i).map_or(0, |b| b.len()));
        acc.saturating_add(row_len.min(n))
    });
    let mut kept = EmaRows::within_budget(n, ema_entries);
    if p.yuma3 {
        // Pass 1: column sums of the new absolute bonds.
        let mut ema_col_sum = vec![zero; n];
        for i in 0..n {
            st.ema_row(&e, i, &mut row);
            if let Some(k) = kept.as_mut() {
                k.push(&row);
            }
            for &(j, v) in &row {
                if let Some(s) = ema_col_sum.get_mut(usize::from(j)) {
                    *s = s.saturating_add(v);
                }
            }
        }
        // Pass 2: dividends t_i = Σ_j colnorm(B)_ij I_j, D_i = t_i A_i; emit bonds.
        for (i, d) in dividends.iter_mut().enumerate() {
            match &kept {
                Some(k) => k.row_into(i, &mut row),
                None => st.ema_row(&e, i, &mut row),
            }
            let t = row.iter().fold(zero, |acc, &(j, v)| {
                let b = div_or_keep(v, at(&ema_col_sum, usize::from(j)));
                acc.saturating_add(b.saturating_mul(at(&incentive, usize::from(j))))
            });
            *d = t.checked_mul(at(&active_stake, i)).unwrap_or_default();
            out_row.clear();
            if permit(&out, i) {
                out_row.extend(row.iter().map(|&(j, v)| (j, fixed_proportion_to_u16(v))));
            }
            on_bonds(u16::try_from(i).unwrap_or(u16::MAX), &out_row);
        }
    } else {
        // Pass 1: column sums of the masked old bonds.
        let mut old_col_sum = vec![0_u64; n];
        for i in 0..n {
            for &(j, b) in e.bonds.get(i).map(|r| &**r).unwrap_or(&[]) {
                if e.bond_kept(j) {
                    if let Some(s) = old_col_sum.get_mut(usize::from(j)) {
                        *s = s.saturating_add(u64::from(b));
                    }
                }
            }
        }
        st.old_col_sum = old_col_sum;
        // Pass 2: column sums of ΔB = W̃ ∘ A.
        let mut delta_col_sum = vec![zero; n];
        for i in 0..n {
            let a_i = at(&active_stake, i);
            st.for_each_weight_for_bonds(&e, i, |j, v| {
                if let Some(s) = delta_col_sum.get_mut(usize::from(j)) {
                    *s = s.saturating_add(v.saturating_mul(a_i));
                }
            });
        }
        st.delta_col_sum = delta_col_sum;
        // Pass 3: column sums and maxima of the EMA.
        let mut ema_col_sum = vec![zero; n];
        let mut col_max = vec![zero; n];
        for i in 0..n {
            st.ema_row(&e, i, &mut row);
            if let Some(k) = kept.as_mut() {
                k.push(&row);
            }
            for &(j, v) in &row {
                let j = usize::from(j);
                if let Some(s) = ema_col_sum.get_mut(j) {
                    *s = s.saturating_add(v);
                }
                if let Some(m) = col_max.get_mut(j) {
                    if *m < v {
                        *m = v;
                    }
                }
            }
        }
        // Column max of the normalised bonds: division by the same positive sum is monotone,
        // so max_i(B_ij / s_j) == (max_i B_ij) / s_j bit for bit.
        for (m, &s) in col_max.iter_mut().zip(&ema_col_sum) {
            *m = div_or_keep(*m, s);
        }
        // Pass 4: B = colnorm(EMA); D_i = Σ_j B_ij I_j; emit col-max-upscaled bonds.
        for (i, d) in dividends.iter_mut().enumerate() {
            match &kept {
                Some(k) => k.row_into(i, &mut row),
                None => st.ema_row(&e, i, &mut row),
            }
            let emit = permit(&out, i);
            out_row.clear();
            let mut acc = zero;
            for &(j, v) in &row {
                let ju = usize::from(j);
                let b = div_or_keep(v, at(&ema_col_sum, ju));
                acc = acc.saturating_add(at(&incentive, ju).saturating_mul(b));
                if emit {
                    out_row.push((j, fixed_proportion_to_u16(div_or_keep(b, at(&col_max, ju)))));
                }
            }
            *d = acc;
            on_bonds(u16::try_from(i).unwrap_or(u16::MAX), &out_row);
        }
    }
    crate::math::inplace_normalize(&mut dividends);

    // 14. Emission split: server I/Σ, validator D/Σ, combined (I + D)/Σ with Σ = Σ(I + D);
    // if Σ = 0, validators (and the combined share) get A, or S if A is all zero.
    let emission_sum = incentive
        .iter()
        .zip(&dividends)
        .fold(zero, |acc, (&a, &b)| {
            acc.saturating_add(a.saturating_add(b))
        });
    let fallback: &[I32F32] = if crate::math::is_zero(&active_stake) {
        &stake
    } else {
        &active_stake
    };
    let shares = |i: usize| -> (I32F32, I32F32, I32F32) {
        let (inc, div) = (at(&incentive, i), at(&dividends, i));
        if emission_sum.is_zero() {
            (inc, at(fallback, i), at(fallback, i))
        } else {
            (
                inc.safe_div(emission_sum),
                div.safe_div(emission_sum),
                inc.saturating_add(div).safe_div(emission_sum),
            )
        }
    };
    // 16. Pruning score = vec_max_upscale_to_u16(combined shares).
    let max_combined = (0..n).map(|i| shares(i).2).max().unwrap_or(zero);

    // 15. Outputs.
    for (i, o) in out.iter_mut().enumerate() {
        let (server, validator, combined) = shares(i);
        o.stake_weight = fixed_proportion_to_u16(at(&stake, i));
        o.consensus = fixed_proportion_to_u16(at(&consensus, i));
        o.incentive = fixed_proportion_to_u16(at(&incentive, i));
        o.dividends = fixed_proportion_to_u16(at(&dividends, i));
        o.server_emission = fixed_mul_amount(server, input.emission);
        o.validator_emission = fixed_mul_amount(validator, input.emission);
        o.emission = fixed_mul_amount(combined, input.emission);
        o.pruning_score = max_upscale_to_u16(combined, max_combined);
    }
    // Absent neurons beyond MAX_UIDS.
    out.resize(total, NeuronOutput::default());
    out
}

/// Step 6: C_j for every column, streaming over the validators' rows with one cursor each.
fn consensus(e: &Epoch<'_, '_>, active_stake: &[I32F32], kappa: I32F32) -> Vec<I32F32> {
    let n = e.n;
    let zero = I32F32::ZERO;
    let validators: Vec<usize> = (0..n)
        .filter(|&i| at(active_stake, i).is_positive())
        .collect();
    let mut use_stake: Vec<I32F32> = validators.iter().map(|&i| at(active_stake, i)).collect();
    crate::math::inplace_normalize(&mut use_stake);
    let stake_sum = sum(&use_stake);
    let minority = stake_sum.saturating_sub(kappa);
    let v = validators.len();
    // Per validator: its row, last update, row sum and a cursor into the row.
    /// (uid, row, last update, row sum, cursor)
    type ValidatorRow<'x> = (usize, &'x [(u16, u16)], u64, u64, usize);
    let mut rows: Vec<ValidatorRow<'_>> = validators
        .iter()
        .map(|&i| {
            let (row, lu) = e.weight_row(i);
            (
                i,
                row,
                lu,
                e.row_sum.get(i).copied().unwrap_or_default(),
                0_usize,
            )
        })
        .collect();
    let mut score = vec![zero; v];
    let mut scratch = MedianScratch::with_capacity(v);
    let mut result = vec![zero; n];
    for (j, c) in result.iter_mut().enumerate() {
        let mut all_equal = true;
        let mut first: Option<I32F32> = None;
        for ((i, row, lu, rs, pos), s) in rows.iter_mut().zip(score.iter_mut()) {
            *s = zero;
            while row.get(*pos).is_some_and(|&(k, _)| usize::from(k) < j) {
                *pos = pos.saturating_add(1);
            }
            if let Some(&(k, w)) = row.get(*pos) {
                if usize::from(k) == j && e.weight_kept(*i, *lu, k) {
                    *s = int_norm(w, *rs);
                }
            }
            match first {
                None => first = Some(*s),
                Some(f) => all_equal &= f == *s,
            }
        }
        *c = match first {
            None => zero,
            // Every score equal: the median is that score (the upstream loop returns the
            // pivot at once); skipping the call is only a shortcut.
            Some(f) if all_equal => f,
            Some(_) => {
                scratch.cur.clear();
                scratch
                    .cur
                    .extend((0..v).map(|k| u32::try_from(k).unwrap_or(u32::MAX)));
                weighted_median_with_scratch(
                    &use_stake,
                    &score,
                    &mut scratch,
                    minority,
                    zero,
                    stake_sum,
                )
            }
        };
    }
    result
}
