//! The weight pipeline of spec/neuron.md A4 (Bittensor SDK `weight_utils`), as pure functions:
//! scores -> L1-normalise -> `process_weights` (min_allowed_weights, max_weight_limit via
//! `normalize_max_weight`) -> `max_upscale_u16` (what `set_weights` submits).

/// L1-normalises; NaN, infinite and negative entries count as 0. All-zero input stays all-zero.
pub fn normalize(scores: &[f64]) -> Vec<f64> {
    let clean: Vec<f64> = scores
        .iter()
        .map(|&s| if s.is_finite() && s > 0.0 { s } else { 0.0 })
        .collect();
    let sum: f64 = clean.iter().sum();
    if sum <= 0.0 {
        return clean;
    }
    clean.into_iter().map(|s| s / sum).collect()
}

/// SDK `normalize_max_weight`: returns weights summing to 1 in which no entry exceeds `limit`,
/// by capping the largest entries at a common cutoff. If the limit cannot be met
/// (`len * limit <= 1`) or the input sums to 0, returns the uniform vector.
pub fn normalize_max_weight(x: &[f64], limit: f64) -> Vec<f64> {
    const EPS: f64 = 1e-7;
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let sum: f64 = x.iter().sum();
    if sum == 0.0 || n as f64 * limit <= 1.0 {
        return vec![1.0 / n as f64; n];
    }
    let mut values = x.to_vec();
    values.sort_by(f64::total_cmp);
    let estimation: Vec<f64> = values.iter().map(|v| v / sum).collect();
    if estimation[n - 1] <= limit {
        return x.iter().map(|v| v / sum).collect();
    }
    let mut cumsum = Vec::with_capacity(n);
    let mut acc = 0.0;
    for e in &estimation {
        acc += e;
        cumsum.push(acc);
    }
    let n_values = (0..n)
        .filter(|&i| {
            let est_sum = (n - i - 1) as f64 * estimation[i];
            estimation[i] / (est_sum + cumsum[i] + EPS) < limit
        })
        .count();
    if n_values == 0 {
        return vec![1.0 / n as f64; n];
    }
    let cutoff_scale = (limit * cumsum[n_values - 1] - EPS) / (1.0 - limit * (n - n_values) as f64);
    let cutoff = cutoff_scale * sum;
    let capped: Vec<f64> = x
        .iter()
        .map(|&v| if v > cutoff { cutoff } else { v })
        .collect();
    let total: f64 = capped.iter().sum();
    capped.into_iter().map(|v| v / total).collect()
}

/// SDK `process_weights_for_netuid` with `exclude_quantile = 0`: `weights[i]` belongs to UID
/// `i` (`weights.len()` = subnet size n). `max_weight_limit` is the chain's u16 value
/// (65535 = no limit). Returns (uids, normalised weights).
pub fn process_weights(
    weights: &[f64],
    min_allowed_weights: u16,
    max_weight_limit: u16,
) -> (Vec<u16>, Vec<f64>) {
    let n = weights.len();
    let limit = f64::from(max_weight_limit) / f64::from(u16::MAX);
    let non_zero: Vec<usize> = (0..n)
        .filter(|&i| weights[i] > 0.0 && weights[i].is_finite())
        .collect();
    let all_uids = || (0..n).map(|i| i as u16).collect::<Vec<_>>();
    if non_zero.is_empty() || n < usize::from(min_allowed_weights) {
        // Nothing to go on (or too few neurons): uniform over everyone.
        return (all_uids(), vec![1.0 / n.max(1) as f64; n]);
    }
    if non_zero.len() < usize::from(min_allowed_weights) {
        // Too few non-zero weights for the chain: give everyone a tiny floor, then cap.
        let mut w = vec![1e-5; n];
        for &i in &non_zero {
            w[i] += weights[i];
        }
        return (all_uids(), normalize_max_weight(&w, limit));
    }
    let uids = non_zero.iter().map(|&i| i as u16).collect();
    let vals: Vec<f64> = non_zero.iter().map(|&i| weights[i]).collect();
    (uids, normalize_max_weight(&vals, limit))
}

/// SDK `convert_weights_and_uids_for_emit`: scales so the largest weight is 65535, rounds
/// (half to even, like Python's `round`) and drops zeros. Negative or non-finite weights, or
/// mismatched lengths, are a programming error and return an empty vector.
pub fn max_upscale_u16(uids: &[u16], weights: &[f64]) -> (Vec<u16>, Vec<u16>) {
    if uids.len() != weights.len() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return (Vec::new(), Vec::new());
    }
    let max = weights.iter().cloned().fold(0.0, f64::max);
    if max <= 0.0 {
        return (Vec::new(), Vec::new());
    }
    let mut out_uids = Vec::new();
    let mut out_vals = Vec::new();
    for (&uid, &w) in uids.iter().zip(weights) {
        let v = (w / max * f64::from(u16::MAX)).round_ties_even();
        if v != 0.0 {
            out_uids.push(uid);
            out_vals.push(v as u16);
        }
    }
    (out_uids, out_vals)
}

/// Chain hyperparameters the pipeline needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightParams {
    pub min_allowed_weights: u16,
    pub max_weight_limit: u16,
}

impl Default for WeightParams {
    /// Defaults of a new subnet (spec/neuron.md A4): min_allowed_weights 1, no max limit.
    fn default() -> Self {
        Self {
            min_allowed_weights: 1,
            max_weight_limit: u16::MAX,
        }
    }
}

/// The whole pipeline: per-UID scores -> (uids, u16 weights) ready for `set_weights`.
pub fn scores_to_weights(scores: &[f64], params: WeightParams) -> (Vec<u16>, Vec<u16>) {
    let normalized = normalize(scores);
    let (uids, w) = process_weights(
        &normalized,
        params.min_allowed_weights,
        params.max_weight_limit,
    );
    max_upscale_u16(&uids, &w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn normalize_cleans_and_sums_to_one() {
        assert!(close(
            &normalize(&[1.0, 3.0, f64::NAN, -2.0]),
            &[0.25, 0.75, 0.0, 0.0]
        ));
        assert_eq!(normalize(&[0.0, 0.0]), vec![0.0, 0.0]);
    }

    #[test]
    fn max_weight_caps_the_largest_entry() {
        // Hand-computed with the SDK algorithm: cutoff = 0.3*(4/14)/0.7*14 = 1.7142857.
        let y = normalize_max_weight(&[10.0, 1.0, 1.0, 1.0, 1.0], 0.3);
        let c = 1.714_285_7 - 1e-7 * 14.0 / 0.7;
        let t = c + 4.0;
        assert!(
            close(&y, &[c / t, 1.0 / t, 1.0 / t, 1.0 / t, 1.0 / t]),
            "{y:?}"
        );
        assert!((y[0] - 0.3).abs() < 1e-5);
        assert!((y.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Already under the limit: plain normalisation.
        assert!(close(
            &normalize_max_weight(&[1.0, 1.0, 2.0], 0.6),
            &[0.25, 0.25, 0.5]
        ));
        // Limit impossible to satisfy: uniform.
        assert!(close(&normalize_max_weight(&[5.0, 1.0], 0.4), &[0.5, 0.5]));
        assert!(close(
            &normalize_max_weight(&[0.0, 0.0, 0.0], 0.5),
            &[1.0 / 3.0; 3]
        ));
    }

    #[test]
    fn process_weights_follows_the_sdk_branches() {
        // No signal: uniform over all.
        let (u, w) = process_weights(&[0.0, 0.0, 0.0, 0.0], 1, u16::MAX);
        assert_eq!(u, vec![0, 1, 2, 3]);
        assert!(close(&w, &[0.25; 4]));
        // Fewer neurons than min_allowed_weights: uniform.
        let (u, _) = process_weights(&[0.5, 0.5], 3, u16::MAX);
        assert_eq!(u, vec![0, 1]);
        // Too few non-zero weights: floor of 1e-5 everywhere.
        let (u, w) = process_weights(&[0.0, 1.0, 0.0, 0.0], 2, u16::MAX);
        assert_eq!(u, vec![0, 1, 2, 3]);
        let t = 1.0 + 4e-5;
        assert!(close(&w, &[1e-5 / t, (1.0 + 1e-5) / t, 1e-5 / t, 1e-5 / t]));
        // Normal case: zeros dropped, rest normalised.
        let (u, w) = process_weights(&[0.0, 0.75, 0.25], 1, u16::MAX);
        assert_eq!(u, vec![1, 2]);
        assert!(close(&w, &[0.75, 0.25]));
        // With a max weight limit of 50%.
        let (u, w) = process_weights(&[0.9, 0.05, 0.05], 1, 32768);
        assert_eq!(u, vec![0, 1, 2]);
        assert!(w[0] <= 32768.0 / 65535.0 + 1e-6, "{w:?}");
    }

    #[test]
    fn upscale_matches_python_rounding_and_drops_zeros() {
        let (u, v) = max_upscale_u16(&[0, 1, 2, 3], &[0.3, 0.175, 0.0, 1e-9]);
        assert_eq!(u, vec![0, 1]);
        assert_eq!(v, vec![65535, 38229]); // 0.175/0.3*65535 = 38228.75
        // 0.5 * 65535 = 32767.5 rounds to even: 32768.
        assert_eq!(max_upscale_u16(&[4, 5], &[1.0, 0.5]).1, vec![65535, 32768]);
        assert_eq!(max_upscale_u16(&[1], &[-1.0]), (vec![], vec![]));
        assert_eq!(max_upscale_u16(&[1, 2], &[0.0, 0.0]), (vec![], vec![]));
    }

    #[test]
    fn pipeline_orders_weights_like_scores() {
        let (u, v) = scores_to_weights(&[0.0, 0.9, 0.3, 0.6], WeightParams::default());
        assert_eq!(u, vec![1, 2, 3]);
        assert_eq!(v[0], 65535);
        assert!(v[0] > v[2] && v[2] > v[1]);
    }
}
