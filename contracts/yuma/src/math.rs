//! Vector / matrix primitives of subtensor's `epoch/math.rs` (economics spec §1.4, §8.1), on
//! [`I32F32`].
//!
//! The epoch itself ([`crate::run_epoch_streaming`]) does not materialise matrices: it streams
//! over the borrowed sparse rows and uses the per-entry helpers of this module
//! ([`clip_entry`], [`interpolate_entry`], [`ema_entry`], [`ema_alpha_entry`], [`alpha_sigmoid`],
//! [`weighted_median_with_scratch`]). The whole-matrix functions here exist so that the upstream
//! unit vectors of §8.1 can be checked against exactly the same arithmetic; they are written
//! over the same helpers.
//!
//! No function in this module panics: mismatched lengths are treated as missing entries (0).

use alloc::vec;
use alloc::vec::Vec;

use crate::fixed::I32F32;

/// A sparse matrix row: `(column, value)` pairs.
pub type SparseRow = Vec<(u16, I32F32)>;

#[inline]
fn get(v: &[I32F32], i: usize) -> I32F32 {
    v.get(i).copied().unwrap_or_default()
}

/// Saturating sum.
pub fn sum(x: &[I32F32]) -> I32F32 {
    x.iter().fold(I32F32::ZERO, |a, &b| a.saturating_add(b))
}

/// True when the vector sums to zero.
pub fn is_zero(x: &[I32F32]) -> bool {
    sum(x).is_zero()
}

/// `x_i / Σx` (copy); unchanged if `Σx == 0`.
pub fn normalize(x: &[I32F32]) -> Vec<I32F32> {
    let mut v = x.to_vec();
    inplace_normalize(&mut v);
    v
}

/// In-place [`normalize`].
pub fn inplace_normalize(x: &mut [I32F32]) {
    let s = sum(x);
    inplace_normalize_using_sum(x, s);
}

/// `x_i / s` in place; unchanged if `s == 0`.
pub fn inplace_normalize_using_sum(x: &mut [I32F32], s: I32F32) {
    if s.is_zero() {
        return;
    }
    for v in x.iter_mut() {
        *v = v.safe_div(s);
    }
}

/// `is_topk(v, k)`: true for the `k` largest entries; ties at the boundary keep the higher
/// index (stable ascending sort, the first `n − k` are dropped). All true if `n < k`.
pub fn is_topk(v: &[I32F32], k: usize) -> Vec<bool> {
    topk_impl(v, k, false)
}

/// `is_topk_nonzero(v, k)`: like [`is_topk`] but zero entries are never selected.
pub fn is_topk_nonzero(v: &[I32F32], k: usize) -> Vec<bool> {
    topk_impl(v, k, true)
}

fn topk_impl(v: &[I32F32], k: usize, nonzero: bool) -> Vec<bool> {
    let n = v.len();
    let mut result: Vec<bool> = v.iter().map(|x| !nonzero || !x.is_zero()).collect();
    if n < k {
        return result;
    }
    // Ascending by (value, index) == upstream's stable sort by value.
    let mut idxs: Vec<(I32F32, usize)> = v.iter().copied().zip(0..n).collect();
    heapsort(&mut idxs);
    for &(_, i) in idxs.iter().take(n.saturating_sub(k)) {
        if let Some(c) = result.get_mut(i) {
            *c = false;
        }
    }
    result
}

/// In-place heapsort: O(n log n) worst case, no allocation and very little wasm code (the
/// standard library's sorts add kilobytes). Unstable, so callers sort unique keys (e.g. value
/// plus original index) to get a fully determined order.
pub fn heapsort<T: Ord + Copy>(v: &mut [T]) {
    heapsort_by(v, |a, b| a < b);
}

/// [`heapsort`] with a strict "less than" predicate.
pub fn heapsort_by<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    let mut start = n >> 1;
    while start > 0 {
        start = start.saturating_sub(1);
        sift_down(v, start, n, &less);
    }
    let mut end = n;
    while end > 1 {
        end = end.saturating_sub(1);
        v.swap(0, end);
        sift_down(v, 0, end, &less);
    }
}

fn sift_down<T: Copy>(v: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let left = root.saturating_mul(2).saturating_add(1);
        if left >= end {
            return;
        }
        let right = left.saturating_add(1);
        let child = match (v.get(left), v.get(right)) {
            (Some(l), Some(r)) if right < end && less(l, r) => right,
            _ => left,
        };
        match (v.get(root), v.get(child)) {
            (Some(r), Some(c)) if less(r, c) => {}
            _ => return,
        }
        v.swap(root, child);
        root = child;
    }
}

/// Indices of the top-`k` non-zero entries of `v` (upstream `is_topk_nonzero`), reported to
/// `select(i)` in no particular order, using one `u32` index buffer.
pub fn for_each_topk_nonzero(v: &[I32F32], k: usize, mut select: impl FnMut(usize)) {
    let n = v.len();
    if n < k {
        (0..n).filter(|&i| !get(v, i).is_zero()).for_each(select);
        return;
    }
    let mut idx: Vec<u32> = (0..n).filter_map(|i| u32::try_from(i).ok()).collect();
    let key = |i: u32| get(v, usize::try_from(i).unwrap_or(usize::MAX));
    // Ascending by (value, index) == upstream's stable sort by value.
    heapsort_by(&mut idx, |&a, &b| (key(a), a) < (key(b), b));
    for &i in idx.iter().skip(n.saturating_sub(k)) {
        if !key(i).is_zero() {
            select(usize::try_from(i).unwrap_or(usize::MAX));
        }
    }
}

/// `vec_max_upscale_to_u16`: scale so that the maximum becomes 65535 (§1.4; exact upstream
/// rounding: floor if the max is 0, round-half-away-from-zero otherwise, with the two
/// evaluation orders on either side of 32768).
pub fn vec_max_upscale_to_u16(v: &[I32F32]) -> Vec<u16> {
    let Some(&max) = v.iter().max() else {
        return Vec::new();
    };
    v.iter().map(|&e| max_upscale_to_u16(e, max)).collect()
}

/// One element of [`vec_max_upscale_to_u16`], given the vector's maximum `max`.
#[inline]
pub fn max_upscale_to_u16(e: I32F32, max: I32F32) -> u16 {
    let u16_max = I32F32::from_u16(u16::MAX);
    if max.is_zero() {
        e.saturating_mul(u16_max).saturating_to_u16()
    } else if max > I32F32::from_i32(32768) {
        e.saturating_mul(u16_max.safe_div(max))
            .round()
            .saturating_to_u16()
    } else {
        e.saturating_mul(u16_max)
            .safe_div(max)
            .round()
            .saturating_to_u16()
    }
}

/// `vec_u16_max_upscale_to_u16`: what `set_weights` stores for a submitted u16 vector.
pub fn vec_u16_max_upscale_to_u16(v: &[u16]) -> Vec<u16> {
    let f: Vec<I32F32> = v.iter().map(|&x| I32F32::from_u16(x)).collect();
    vec_max_upscale_to_u16(&f)
}

/// `check_vec_max_limited(v, limit)`: after normalising `v`, is its max ≤ `limit / 65535`?
pub fn check_vec_max_limited(v: &[u16], max_limit: u16) -> bool {
    let limit = I32F32::from_u16(max_limit).safe_div(I32F32::from_u16(u16::MAX));
    let mut f: Vec<I32F32> = v.iter().map(|&x| I32F32::from_u16(x)).collect();
    inplace_normalize(&mut f);
    f.iter().max().is_none_or(|m| *m <= limit)
}

/// subtensor's `exp` (`substrate_fixed::transcendental::exp::<I32F32, I32F32>`), bit for bit:
/// `1 + x + Σ_{i=2}^{31} x^i / i!` on |x| with truncating checked arithmetic, inverted for
/// negative inputs; `exp(0) = 1` and `exp(1)` is `e` truncated to 23 fractional bits.
/// Returns `None` wherever the upstream function returns `Err` (overflow).
pub fn exp(x: I32F32) -> Option<I32F32> {
    // e as U2F126 (fixed crate constant), truncated to I9F23, then widened to 32 fraction bits.
    const E_U2F126: u128 = 0xADF8_5458_A2BB_4A9A_AFDC_5620_273D_3CF1;
    const E_I9F23_BITS: i64 = (E_U2F126 >> 103) as i64;
    if x.is_zero() {
        return Some(I32F32::ONE);
    }
    if x == I32F32::ONE {
        return Some(I32F32::from_bits(E_I9F23_BITS << 9));
    }
    let neg = x.is_negative();
    let op = if neg { x.checked_neg()? } else { x };
    let mut result = op.checked_add(I32F32::ONE)?;
    // op ≥ 0, so every term is ≥ 0: work on unsigned bits.
    let op_bits = op.to_bits().unsigned_abs();
    let mut term = op_bits;
    for i in 2..32_u64 {
        if term == 0 {
            // All remaining terms are 0: the upstream loop adds zeros.
            break;
        }
        // checked_mul: floor(term · op / 2^32), None if it leaves the i64 range.
        let product = if term.leading_zeros().saturating_add(op_bits.leading_zeros()) >= 64 {
            u128::from(term.wrapping_mul(op_bits) >> crate::fixed::FRAC_BITS)
        } else {
            u128::from(term).checked_mul(u128::from(op_bits))? >> crate::fixed::FRAC_BITS
        };
        term = u64::try_from(product)
            .ok()
            .filter(|&t| i64::try_from(t).is_ok())?;
        // checked_div by I32F32(i): ((term << 32) / (i << 32)) == term / i exactly.
        term = term.checked_div(i)?;
        result = result.checked_add(I32F32::from_bits(i64::try_from(term).ok()?))?;
    }
    if neg {
        result = I32F32::ONE.checked_div(result)?;
    }
    Some(result)
}

/// `exp_safe`: input clamped to [−20, 20], then [`exp`] (0 / MAX on error).
pub fn exp_safe(x: I32F32) -> I32F32 {
    let lo = I32F32::from_i32(-20);
    let hi = I32F32::from_i32(20);
    let safe = x.max(lo).min(hi);
    match exp(safe) {
        Some(v) => v,
        None if safe.to_bits() <= 0 => I32F32::ZERO,
        None => I32F32::MAX,
    }
}

/// `sigmoid_safe(t, ρ, κ) = 1 / (1 + exp_safe(−ρ (t − κ)))` (legacy consensus sigmoid).
pub fn sigmoid_safe(input: I32F32, rho: I32F32, kappa: I32F32) -> I32F32 {
    let one = I32F32::ONE;
    let offset = input.saturating_sub(kappa);
    let neg_rho = rho.saturating_mul(one.saturating_neg());
    let exp_input = neg_rho.saturating_mul(offset);
    let denominator = exp_safe(exp_input).saturating_add(one);
    one.safe_div(denominator)
}

/// `clamp_value(v, lo, hi) = max(min(v, hi), lo)`.
#[inline]
pub fn clamp_value(v: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    v.min(high).max(low)
}

/// Liquid alpha v2 (§2.3 step 13): per-(validator, miner) EMA coefficient from consensus `c`,
/// weight-for-bonds `w` and previous bond `b` (fractions), exactly as upstream `alpha_sigmoid`
/// (including `safe_exp`, which yields 0 on overflow, and no ±20 clamp).
pub fn alpha_sigmoid(
    consensus: I32F32,
    weight: I32F32,
    bond: I32F32,
    alpha_low: I32F32,
    alpha_high: I32F32,
    steepness: I32F32,
) -> I32F32 {
    alpha_from_diff(
        alpha_diff(consensus, weight, bond),
        alpha_low,
        alpha_high,
        steepness,
    )
}

/// The "combined diff" of [`alpha_sigmoid`]: `clamp(w − c, 0, 1)` when buying (`w ≥ b`),
/// `clamp(b − w, 0, 1)` when selling.
#[inline]
pub fn alpha_diff(consensus: I32F32, weight: I32F32, bond: I32F32) -> I32F32 {
    let zero = I32F32::ZERO;
    let one = I32F32::ONE;
    if weight >= bond {
        clamp_value(weight.saturating_sub(consensus), zero, one)
    } else {
        clamp_value(bond.saturating_sub(weight), zero, one)
    }
}

/// `α = clamp(α_low + σ·(α_high − α_low), α_low, α_high)` with
/// `σ = 1 / (1 + safe_exp((steepness / −100) · (diff − 0.5)))`.
pub fn alpha_from_diff(
    diff: I32F32,
    alpha_low: I32F32,
    alpha_high: I32F32,
    steepness: I32F32,
) -> I32F32 {
    let one = I32F32::ONE;
    let half = I32F32::from_bits(1 << 31);
    let slope = steepness.saturating_div(I32F32::from_i32(-100));
    let e = exp(slope.saturating_mul(diff.saturating_sub(half))).unwrap_or_default();
    let sigmoid = one.saturating_div(one.saturating_add(e));
    let alpha =
        alpha_low.saturating_add(sigmoid.saturating_mul(alpha_high.saturating_sub(alpha_low)));
    clamp_value(alpha, alpha_low, alpha_high)
}

/// Deterministic stake-weighted median (upstream `weighted_median`, §2.3 step 6).
///
/// `partition_idx` indexes `stake`/`score`; the relative order of the items is preserved in
/// every sub-partition (it decides the pivots). Returns 0 for an empty partition or if
/// `stake.len() != score.len()`.
pub fn weighted_median(
    stake: &[I32F32],
    score: &[I32F32],
    partition_idx: &[usize],
    minority: I32F32,
    partition_lo: I32F32,
    partition_hi: I32F32,
) -> I32F32 {
    let mut scratch = MedianScratch::default();
    scratch.cur.extend(
        partition_idx
            .iter()
            .map(|&i| u32::try_from(i).unwrap_or(u32::MAX)),
    );
    weighted_median_with_scratch(
        stake,
        score,
        &mut scratch,
        minority,
        partition_lo,
        partition_hi,
    )
}

/// Reusable buffers for [`weighted_median_with_scratch`].
#[derive(Default, Debug, Clone)]
pub struct MedianScratch {
    /// Current partition (input: the initial partition, in order).
    pub cur: Vec<u32>,
    lower: Vec<u32>,
    upper: Vec<u32>,
}

impl MedianScratch {
    /// Buffers with room for `n` items.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            cur: Vec::with_capacity(n),
            lower: Vec::with_capacity(n),
            upper: Vec::with_capacity(n),
        }
    }
}

/// [`weighted_median`] on the partition held in `scratch.cur`, without allocating (once the
/// buffers have grown to the partition size).
pub fn weighted_median_with_scratch(
    stake: &[I32F32],
    score: &[I32F32],
    scratch: &mut MedianScratch,
    minority: I32F32,
    mut lo: I32F32,
    mut hi: I32F32,
) -> I32F32 {
    let zero = I32F32::ZERO;
    if stake.len() != score.len() {
        return zero;
    }
    let at = |v: &[I32F32], i: u32| {
        v.get(usize::try_from(i).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or_default()
    };
    let limit = scratch.cur.len();
    let mut iterations: usize = 0;
    loop {
        let n = scratch.cur.len();
        if n == 0 {
            return zero;
        }
        if n == 1 {
            return scratch
                .cur
                .first()
                .map(|&i| at(score, i))
                .unwrap_or_default();
        }
        let mid = n.checked_div(2).unwrap_or_default();
        let pivot = scratch
            .cur
            .get(mid)
            .map(|&i| at(score, i))
            .unwrap_or_default();
        let mut lo_stake = zero;
        let mut hi_stake = zero;
        scratch.lower.clear();
        scratch.upper.clear();
        for &idx in scratch.cur.iter() {
            let s = at(score, idx);
            if s == pivot {
                continue;
            }
            if s < pivot {
                lo_stake = lo_stake.saturating_add(at(stake, idx));
                scratch.lower.push(idx);
            } else {
                hi_stake = hi_stake.saturating_add(at(stake, idx));
                scratch.upper.push(idx);
            }
        }
        if minority < lo.saturating_add(lo_stake) && !scratch.lower.is_empty() {
            core::mem::swap(&mut scratch.cur, &mut scratch.lower);
            hi = lo.saturating_add(lo_stake);
        } else if hi.saturating_sub(hi_stake) <= minority && !scratch.upper.is_empty() {
            core::mem::swap(&mut scratch.cur, &mut scratch.upper);
            lo = hi.saturating_sub(hi_stake);
        } else {
            return pivot;
        }
        iterations = iterations.saturating_add(1);
        if iterations > limit {
            return zero;
        }
    }
}

/// Column-wise weighted median over a dense matrix (rows with zero stake ignored).
pub fn weighted_median_col(
    stake: &[I32F32],
    score: &[Vec<I32F32>],
    majority: I32F32,
) -> Vec<I32F32> {
    let columns = score.first().map(Vec::len).unwrap_or(0);
    let sparse: Vec<SparseRow> = score
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter_map(|(j, &v)| u16::try_from(j).ok().map(|j| (j, v)))
                .collect()
        })
        .collect();
    weighted_median_col_sparse(
        stake,
        &sparse,
        u16::try_from(columns).unwrap_or(u16::MAX),
        majority,
    )
}

/// Column-wise weighted median over a sparse matrix (`weighted_median_col_sparse`): rows with
/// positive stake take part, their stakes are renormalised, missing entries count as 0, and
/// `minority = Σ stake − majority`.
pub fn weighted_median_col_sparse(
    stake: &[I32F32],
    score: &[SparseRow],
    columns: u16,
    majority: I32F32,
) -> Vec<I32F32> {
    let rows: Vec<usize> = (0..stake.len())
        .filter(|&i| get(stake, i).is_positive())
        .collect();
    let mut use_stake: Vec<I32F32> = rows.iter().map(|&i| get(stake, i)).collect();
    inplace_normalize(&mut use_stake);
    let stake_sum = sum(&use_stake);
    let minority = stake_sum.saturating_sub(majority);
    let mut col_score = vec![I32F32::ZERO; use_stake.len()];
    let mut scratch = MedianScratch::with_capacity(use_stake.len());
    (0..columns)
        .map(|c| {
            for (k, &r) in rows.iter().enumerate() {
                let v = score
                    .get(r)
                    .and_then(|row| row.iter().find(|(j, _)| *j == c))
                    .map(|&(_, v)| v)
                    .unwrap_or_default();
                if let Some(cell) = col_score.get_mut(k) {
                    *cell = v;
                }
            }
            scratch.cur.clear();
            scratch
                .cur
                .extend((0..use_stake.len()).map(|k| u32::try_from(k).unwrap_or(u32::MAX)));
            weighted_median_with_scratch(
                &use_stake,
                &col_score,
                &mut scratch,
                minority,
                I32F32::ZERO,
                stake_sum,
            )
        })
        .collect()
}

/// Sparse clip of one entry against the column threshold (`col_clip_sparse`): values above a
/// positive threshold become the threshold, values above a non-positive threshold are dropped
/// (`None`), others (including explicit zeros) are kept.
#[inline]
pub fn clip_entry(value: I32F32, threshold: I32F32) -> Option<I32F32> {
    if threshold < value {
        if threshold.is_positive() {
            Some(threshold)
        } else {
            None
        }
    } else {
        Some(value)
    }
}

/// `col_clip_sparse`.
pub fn col_clip_sparse(m: &[SparseRow], thresholds: &[I32F32]) -> Vec<SparseRow> {
    m.iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    clip_entry(v, get(thresholds, usize::from(j))).map(|c| (j, c))
                })
                .collect()
        })
        .collect()
}

/// Dense `inplace_col_clip`: `min(value, threshold)`.
pub fn inplace_col_clip(m: &mut [Vec<I32F32>], thresholds: &[I32F32]) {
    for row in m.iter_mut() {
        for (v, t) in row.iter_mut().zip(thresholds) {
            *v = (*v).min(*t);
        }
    }
}

/// Weight-for-bonds of one entry (`interpolate_sparse(W, W̄, β)`): `β == 0` gives `W`,
/// `β == 1` gives `W̄` (including its dropped entries), otherwise `W + β (W̄ − W)` kept only if
/// positive. `clipped` is `None` when the clipped matrix has no entry there.
#[inline]
pub fn interpolate_entry(weight: I32F32, clipped: Option<I32F32>, ratio: I32F32) -> Option<I32F32> {
    if ratio.is_zero() {
        return Some(weight);
    }
    if ratio == I32F32::ONE {
        return clipped;
    }
    let v2 = clipped.unwrap_or_default();
    let v = weight.saturating_add(ratio.saturating_mul(v2.saturating_sub(weight)));
    if v.is_positive() {
        Some(v)
    } else {
        None
    }
}

/// One entry of `mat_ema_sparse`: `α·new + (1 − α)·old` (no clamp).
#[inline]
pub fn ema_entry(new: I32F32, old: I32F32, alpha: I32F32, one_minus_alpha: I32F32) -> I32F32 {
    alpha
        .saturating_mul(new)
        .saturating_add(one_minus_alpha.saturating_mul(old))
}

/// One entry of `mat_ema_alpha_sparse` / `mat_ema_alpha`: `min(1, (1 − α)·old + max(0, α·new))`.
#[inline]
pub fn ema_alpha_entry(new: I32F32, old: I32F32, alpha: I32F32) -> I32F32 {
    let decayed = I32F32::ONE.saturating_sub(alpha).saturating_mul(old);
    let inc = alpha.saturating_mul(new).max(I32F32::ZERO);
    decayed.saturating_add(inc).min(I32F32::ONE)
}

/// `mat_ema_sparse(new, old, α)`: entries kept if `> 0`, in column order.
pub fn mat_ema_sparse(new: &[SparseRow], old: &[SparseRow], alpha: I32F32) -> Vec<SparseRow> {
    let one_minus = I32F32::ONE.saturating_sub(alpha);
    let n = new.len();
    (0..n)
        .map(|i| {
            let mut acc = vec![I32F32::ZERO; n];
            for &(j, v) in new.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(c) = acc.get_mut(usize::from(j)) {
                    *c = c.saturating_add(alpha.saturating_mul(v));
                }
            }
            for &(j, v) in old.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(c) = acc.get_mut(usize::from(j)) {
                    *c = c.saturating_add(one_minus.saturating_mul(v));
                }
            }
            acc.iter()
                .enumerate()
                .filter(|(_, v)| v.is_positive())
                .filter_map(|(j, &v)| u16::try_from(j).ok().map(|j| (j, v)))
                .collect()
        })
        .collect()
}

/// `mat_ema_alpha_sparse(new, old, α)`: only columns present in the row of `new` are emitted
/// (the "sparse quirk": a bond on a column the new row omits is dropped), each clamped to ≤ 1
/// and kept if `> 0`.
pub fn mat_ema_alpha_sparse(
    new: &[SparseRow],
    old: &[SparseRow],
    alpha: &[Vec<I32F32>],
) -> Vec<SparseRow> {
    if new.len() != old.len() || new.len() != alpha.len() {
        return new.to_vec();
    }
    new.iter()
        .zip(old)
        .zip(alpha)
        .map(|((new_row, old_row), alpha_row)| {
            new_row
                .iter()
                .filter_map(|&(j, nv)| {
                    let a = *alpha_row.get(usize::from(j))?;
                    let ov = old_row
                        .iter()
                        .find(|(k, _)| *k == j)
                        .map(|&(_, v)| v)
                        .unwrap_or_default();
                    let v = ema_alpha_entry(nv, ov, a);
                    v.is_positive().then_some((j, v))
                })
                .collect()
        })
        .collect()
}

/// Dense `mat_ema_alpha` (result clamped to ≤ 1).
pub fn mat_ema_alpha(
    new: &[Vec<I32F32>],
    old: &[Vec<I32F32>],
    alpha: &[Vec<I32F32>],
) -> Vec<Vec<I32F32>> {
    new.iter()
        .zip(old)
        .zip(alpha)
        .map(|((n, o), a)| {
            n.iter()
                .zip(o)
                .zip(a)
                .map(|((&n, &o), &a)| ema_alpha_entry(n, o, a))
                .collect()
        })
        .collect()
}

/// Dense `col_normalize`: each column divided by its sum when the sum ≠ 0.
pub fn inplace_col_normalize(m: &mut [Vec<I32F32>]) {
    let cols = m.iter().map(Vec::len).max().unwrap_or(0);
    let mut sums = vec![I32F32::ZERO; cols];
    for row in m.iter() {
        for (s, v) in sums.iter_mut().zip(row) {
            *s = s.saturating_add(*v);
        }
    }
    for row in m.iter_mut() {
        for (v, s) in row.iter_mut().zip(&sums) {
            if !s.is_zero() {
                *v = v.safe_div(*s);
            }
        }
    }
}

/// Dense `col_max_upscale`: each column divided by its maximum when the maximum ≠ 0.
pub fn inplace_col_max_upscale(m: &mut [Vec<I32F32>]) {
    let cols = m.iter().map(Vec::len).max().unwrap_or(0);
    let mut maxes = vec![I32F32::ZERO; cols];
    for row in m.iter() {
        for (mx, v) in maxes.iter_mut().zip(row) {
            if *mx < *v {
                *mx = *v;
            }
        }
    }
    for row in m.iter_mut() {
        for (v, mx) in row.iter_mut().zip(&maxes) {
            if !mx.is_zero() {
                *v = v.safe_div(*mx);
            }
        }
    }
}

/// Sparse `col_normalize` over `columns` columns.
pub fn inplace_col_normalize_sparse(m: &mut [SparseRow], columns: u16) {
    let mut sums = vec![I32F32::ZERO; usize::from(columns)];
    for row in m.iter() {
        for &(j, v) in row {
            if let Some(s) = sums.get_mut(usize::from(j)) {
                *s = s.saturating_add(v);
            }
        }
    }
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            let s = get(&sums, usize::from(*j));
            if !s.is_zero() {
                *v = v.safe_div(s);
            }
        }
    }
}

/// Sparse `col_max_upscale` over `columns` columns.
pub fn inplace_col_max_upscale_sparse(m: &mut [SparseRow], columns: u16) {
    let mut maxes = vec![I32F32::ZERO; usize::from(columns)];
    for row in m.iter() {
        for &(j, v) in row {
            if let Some(mx) = maxes.get_mut(usize::from(j)) {
                if *mx < v {
                    *mx = v;
                }
            }
        }
    }
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            let mx = get(&maxes, usize::from(*j));
            if !mx.is_zero() {
                *v = v.safe_div(mx);
            }
        }
    }
}

/// Row-normalise a sparse matrix in place (rows with a positive sum).
pub fn inplace_row_normalize_sparse(m: &mut [SparseRow]) {
    for row in m.iter_mut() {
        let s = row
            .iter()
            .fold(I32F32::ZERO, |a, &(_, v)| a.saturating_add(v));
        if s.is_positive() {
            for (_, v) in row.iter_mut() {
                *v = v.safe_div(s);
            }
        }
    }
}

/// `matmul`: `r_j = Σ_i v_i W_ij` (dense).
pub fn matmul(m: &[Vec<I32F32>], v: &[I32F32]) -> Vec<I32F32> {
    let cols = m.first().map(Vec::len).unwrap_or(0);
    let mut acc = vec![I32F32::ZERO; cols];
    for (row, &s) in m.iter().zip(v) {
        for (a, &x) in acc.iter_mut().zip(row) {
            *a = a.saturating_add(s.saturating_mul(x));
        }
    }
    acc
}

/// `matmul_sparse`: `r_j = Σ_i v_i W_ij` over `columns` columns.
pub fn matmul_sparse(m: &[SparseRow], v: &[I32F32], columns: u16) -> Vec<I32F32> {
    let mut acc = vec![I32F32::ZERO; usize::from(columns)];
    for (i, row) in m.iter().enumerate() {
        let s = get(v, i);
        for &(j, x) in row {
            if let Some(a) = acc.get_mut(usize::from(j)) {
                *a = a.saturating_add(s.saturating_mul(x));
            }
        }
    }
    acc
}

/// `matmul_transpose`: `r_i = Σ_j W_ij v_j` (dense).
pub fn matmul_transpose(m: &[Vec<I32F32>], v: &[I32F32]) -> Vec<I32F32> {
    m.iter()
        .map(|row| {
            row.iter().zip(v).fold(I32F32::ZERO, |a, (&x, &s)| {
                a.saturating_add(x.saturating_mul(s))
            })
        })
        .collect()
}

/// `matmul_transpose_sparse`: `r_i = Σ_j W_ij v_j`.
pub fn matmul_transpose_sparse(m: &[SparseRow], v: &[I32F32]) -> Vec<I32F32> {
    m.iter()
        .map(|row| {
            row.iter().fold(I32F32::ZERO, |a, &(j, x)| {
                a.saturating_add(get(v, usize::from(j)).saturating_mul(x))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_known_values() {
        // exp(1) is the truncated constant e (23 fraction bits).
        assert_eq!(exp(I32F32::ONE).map(I32F32::to_bits), Some(11_674_931_200));
        assert_eq!(exp(I32F32::ZERO), Some(I32F32::ONE));
        // Overflow → None, like upstream Err.
        assert_eq!(exp(I32F32::from_i32(30)), None);
        assert_eq!(exp(I32F32::MIN), None);
        let e2 = exp(I32F32::from_i32(2))
            .map(I32F32::to_bits)
            .unwrap_or_default();
        // e^2 = 7.389056098930650 within a few ulps.
        assert!((e2 - 31_735_754_293).abs() < 16, "{e2}");
    }

    #[test]
    fn median_basic() {
        let st = [I32F32::from_bits(1 << 31), I32F32::from_bits(1 << 31)];
        let sc = [I32F32::ONE, I32F32::ZERO];
        let m = weighted_median(
            &st,
            &sc,
            &[0, 1],
            I32F32::from_bits(1 << 30),
            I32F32::ZERO,
            I32F32::ONE,
        );
        assert_eq!(m, I32F32::ZERO);
    }
}
