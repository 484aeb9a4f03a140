//! The benchmark / memory scenario: `n` UIDs, `validators` of them (UIDs `0..validators`)
//! staked, holding permits and setting a full weight row over all `n` UIDs, with full bond rows
//! from a previous epoch. Deterministic pseudo-random values (no RNG dependency).
#![allow(dead_code, clippy::all)]

use yuma::math::vec_u16_max_upscale_to_u16;
use yuma::{run_epoch, EpochInput, EpochParams, NeuronInput};

pub struct Scenario {
    pub n: usize,
    pub params: EpochParams,
    pub block: u64,
    pub stake: Vec<u64>,
    pub weights: Vec<Vec<(u16, u16)>>,
    pub bonds: Vec<Vec<(u16, u16)>>,
}

fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

impl Scenario {
    /// Build the scenario; `yuma3`/`liquid` pick the bond mode. Bond rows come from one
    /// previous epoch over the same weights.
    pub fn new(n: usize, validators: usize, yuma3: bool, liquid: bool) -> Self {
        let mut seed = 0x5eed_u64 ^ n as u64;
        let params = EpochParams {
            max_allowed_validators: validators as u16,
            yuma3,
            liquid_alpha: liquid,
            bonds_penalty: if yuma3 { 0 } else { u16::MAX },
            ..EpochParams::default()
        };
        let stake: Vec<u64> = (0..n)
            .map(|i| {
                if i < validators {
                    1_000_000_000 + lcg(&mut seed) % 1_000_000_000_000
                } else {
                    0
                }
            })
            .collect();
        let weights: Vec<Vec<(u16, u16)>> = (0..n)
            .map(|i| {
                if i >= validators {
                    return Vec::new();
                }
                let raw: Vec<u16> = (0..n).map(|_| (lcg(&mut seed) % 65536) as u16).collect();
                let up = vec_u16_max_upscale_to_u16(&raw);
                (0..n as u16).zip(up).collect()
            })
            .collect();
        let mut s = Scenario {
            n,
            params,
            block: 1000,
            stake,
            weights,
            bonds: vec![Vec::new(); n],
        };
        // Previous epoch: permits held, bonds from the same weights.
        let prev = run_epoch(&s.input_with(&s.neurons()));
        s.bonds = prev.neurons.into_iter().map(|x| x.bonds).collect();
        s.block += 360;
        s
    }

    pub fn neurons(&self) -> Vec<NeuronInput<'_>> {
        (0..self.n)
            .map(|i| NeuronInput {
                stake: self.stake[i],
                last_update: self.block - 10,
                registered_at: 1,
                validator_permit: self.stake[i] > 0,
                weights: &self.weights[i],
                bonds: &self.bonds[i],
            })
            .collect()
    }

    pub fn input_with<'a>(&self, neurons: &'a [NeuronInput<'a>]) -> EpochInput<'a> {
        EpochInput {
            block: self.block,
            emission: 1_000_000_000,
            bonds_reset_block: self.block - 360,
            params: self.params,
            neurons,
        }
    }

    /// Total sparse entries (weights + bonds) of the input.
    pub fn entries(&self) -> (usize, usize) {
        (
            self.weights.iter().map(Vec::len).sum(),
            self.bonds.iter().map(Vec::len).sum(),
        )
    }
}
