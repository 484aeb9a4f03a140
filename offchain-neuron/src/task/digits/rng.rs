//! A small, platform-independent random source for the generator.
//!
//! Only the ChaCha8 key stream (a fixed, specified algorithm) is taken from `rand_chacha`; every
//! conversion to ranges is done here with integer operations and exact f64 arithmetic, so a
//! change in `rand`'s distribution code can never change the images a seed produces.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Deterministic sample stream: one ChaCha8 stream per (batch seed, sample index).
pub struct SampleRng(ChaCha8Rng);

impl SampleRng {
    /// The random stream of sample `index` in the batch generated from `seed`.
    ///
    /// Sample `i` does not depend on how many samples are drawn, so a batch of 64 is a prefix
    /// of a batch of 128 from the same seed.
    pub fn for_sample(seed: u64, index: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index);
        Self(rng)
    }

    /// Uniform integer in `0..n` (n > 0). The modulo bias is below 2^-32 and irrelevant here.
    pub fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        (self.0.next_u64() % u64::from(n)) as u32
    }

    /// Uniform integer in `lo..=hi`.
    pub fn int_in(&mut self, lo: i32, hi: i32) -> i32 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as u32) as i32
    }

    /// Uniform f64 in `[0, 1)` with 53 random bits (exact conversion, no rounding differences).
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform f64 in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// `true` with probability `num / den`.
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        self.below(den) < num
    }
}

/// SplitMix64 finaliser: derives independent seeds (training steps, evaluation batches) from a
/// user seed. Pure integer arithmetic.
pub fn mix_seed(seed: u64, domain: u64, index: u64) -> u64 {
    let mut z = seed
        ^ domain.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Deterministic sine and cosine from +, -, * and / only (no libm, whose results may differ
/// between platforms). Range-reduced to [-pi/4, pi/4], then Taylor series to degree 13/14:
/// absolute error below 1e-15, far finer than one pixel.
pub fn sin_cos(theta: f64) -> (f64, f64) {
    const PI: f64 = std::f64::consts::PI;
    const HALF_PI: f64 = PI / 2.0;
    // Reduce to [-pi, pi] then to a quadrant; floor and multiplication are exact IEEE ops.
    let turns = ((theta + PI) / (2.0 * PI)).floor();
    let t = theta - turns * 2.0 * PI;
    let q = ((t + PI / 4.0) / HALF_PI).floor(); // -2..=2
    let r = t - q * HALF_PI;
    let r2 = r * r;
    let s = r
        * (1.0
            - r2 / 6.0
                * (1.0
                    - r2 / 20.0
                        * (1.0
                            - r2 / 42.0
                                * (1.0 - r2 / 72.0 * (1.0 - r2 / 110.0 * (1.0 - r2 / 156.0))))));
    let c = 1.0
        - r2 / 2.0
            * (1.0
                - r2 / 12.0
                    * (1.0
                        - r2 / 30.0 * (1.0 - r2 / 56.0 * (1.0 - r2 / 90.0 * (1.0 - r2 / 132.0)))));
    match (q as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_matches_libm_closely() {
        let mut a = -10.0;
        while a < 10.0 {
            let (s, c) = sin_cos(a);
            assert!((s - a.sin()).abs() < 1e-12, "sin({a})");
            assert!((c - a.cos()).abs() < 1e-12, "cos({a})");
            a += 0.0137;
        }
    }

    #[test]
    fn sample_streams_are_independent_of_batch_size() {
        let mut a = SampleRng::for_sample(7, 3);
        let mut b = SampleRng::for_sample(7, 3);
        let mut c = SampleRng::for_sample(7, 4);
        let (x, y, z) = (a.unit(), b.unit(), c.unit());
        assert_eq!(x.to_bits(), y.to_bits());
        assert_ne!(x.to_bits(), z.to_bits());
    }

    #[test]
    fn mix_seed_separates_domains() {
        assert_ne!(mix_seed(1, 0, 0), mix_seed(1, 1, 0));
        assert_ne!(mix_seed(1, 0, 0), mix_seed(1, 0, 1));
        assert_eq!(mix_seed(5, 6, 7), mix_seed(5, 6, 7));
    }
}
