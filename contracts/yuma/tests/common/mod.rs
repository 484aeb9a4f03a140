//! Shared test helpers: float → fixed conversion (tests only) and a small emulation of the
//! upstream test harness (registration, `set_weights`, permits, block advance, epochs).
#![allow(dead_code, clippy::all)]

use yuma::math::vec_u16_max_upscale_to_u16;
use yuma::{run_epoch, EpochInput, EpochOutput, EpochParams, NeuronInput, I32F32};

/// `I32F32::from_num(f64)`: round to nearest (ties to even), like the `fixed` crate.
pub fn fx(x: f64) -> I32F32 {
    I32F32::from_bits((x * 4294967296.0).round_ties_even() as i64)
}

/// `fixed(f32)` of the upstream tests: the f32 literal widened exactly, then rounded.
pub fn fx32(x: f32) -> I32F32 {
    fx(f64::from(x))
}

pub fn fxv(v: &[f32]) -> Vec<I32F32> {
    v.iter().map(|&x| fx32(x)).collect()
}

/// Row-major dense matrix from f32 literals.
pub fn mat(v: &[f32], rows: usize) -> Vec<Vec<I32F32>> {
    let cols = if rows == 0 { 0 } else { v.len() / rows };
    v.chunks(cols.max(1)).map(fxv).collect()
}

/// Dense → sparse, dropping zeros (upstream `vec_to_sparse_mat_fixed`).
pub fn sparse(m: &[Vec<I32F32>]) -> Vec<Vec<(u16, I32F32)>> {
    m.iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|(_, v)| !v.is_zero())
                .map(|(j, &v)| (j as u16, v))
                .collect()
        })
        .collect()
}

pub fn to_f64(x: I32F32) -> f64 {
    x.to_bits() as f64 / 4294967296.0
}

/// One neuron's stored state in the emulated pallet.
#[derive(Clone, Debug, Default)]
pub struct Neuron {
    pub stake: u64,
    pub last_update: u64,
    pub registered_at: u64,
    pub permit: bool,
    pub weights: Vec<(u16, u16)>,
    pub bonds: Vec<(u16, u16)>,
}

/// Emulated subnet: what `epoch()` of the upstream test mock would see.
#[derive(Clone, Debug)]
pub struct Sim {
    pub block: u64,
    pub tempo: u64,
    pub params: EpochParams,
    pub neurons: Vec<Neuron>,
    pub emission: u64,
    pub last: Option<EpochOutput>,
}

impl Sim {
    /// Register `stakes.len()` neurons at the current block (`register`/`append_neuron` set
    /// `LastUpdate` and `BlockAtRegistration` to the registration block).
    pub fn new(block: u64, tempo: u64, params: EpochParams, stakes: &[u64]) -> Self {
        let neurons = stakes
            .iter()
            .map(|&stake| Neuron {
                stake,
                last_update: block,
                registered_at: block,
                ..Default::default()
            })
            .collect();
        Self {
            block,
            tempo,
            params,
            neurons,
            emission: 1_000_000_000,
            last: None,
        }
    }

    /// `set_weights(uid, uids, values)` at the current block: stores the row max-upscaled.
    pub fn set_weights(&mut self, uid: usize, uids: &[u16], values: &[u16]) {
        let up = vec_u16_max_upscale_to_u16(values);
        let n = &mut self.neurons[uid];
        n.weights = uids.iter().copied().zip(up).collect();
        n.last_update = self.block;
    }

    pub fn next_block(&mut self) {
        self.block += 1;
    }

    /// Run the epoch at the current block; the bond mask uses `block − tempo` (§8.7).
    /// Stores new permits and bonds like `persist_mechanism_epoch_terms`.
    pub fn epoch(&mut self) -> EpochOutput {
        let inputs: Vec<NeuronInput<'_>> = self
            .neurons
            .iter()
            .map(|x| NeuronInput {
                stake: x.stake,
                last_update: x.last_update,
                registered_at: x.registered_at,
                validator_permit: x.permit,
                weights: &x.weights,
                bonds: &x.bonds,
            })
            .collect();
        let input = EpochInput {
            block: self.block,
            emission: self.emission,
            bonds_reset_block: self.block.saturating_sub(self.tempo),
            params: self.params,
            neurons: &inputs,
        };
        let out = run_epoch(&input);
        drop(inputs);
        for (n, o) in self.neurons.iter_mut().zip(&out.neurons) {
            n.permit = o.validator_permit;
            n.bonds = o.bonds.clone();
        }
        self.last = Some(out.clone());
        out
    }

    /// Stored bond of `i` on `j` (0 if absent).
    pub fn bond(&self, i: usize, j: u16) -> u16 {
        self.neurons[i]
            .bonds
            .iter()
            .find(|(k, _)| *k == j)
            .map(|&(_, v)| v)
            .unwrap_or(0)
    }
}

pub fn emissions(out: &EpochOutput) -> Vec<u64> {
    out.neurons.iter().map(|x| x.emission).collect()
}

pub fn dividends(out: &EpochOutput) -> Vec<u16> {
    out.neurons.iter().map(|x| x.dividends).collect()
}
