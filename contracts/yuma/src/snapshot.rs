//! Owned snapshot types (the JSON schema of the `yuma-epoch` CLI) and, with feature `cli`, the
//! JSON codec used by the binary.
//!
//! Input schema (every field required, unknown fields rejected):
//! ```text
//! { "block": u64, "emission": u64, "bonds_reset_block": u64,
//!   "params": { "kappa": u16, "bonds_penalty": u16, "bonds_moving_average": u64,
//!               "activity_cutoff": u64, "max_allowed_validators": u16, "stake_threshold": u64,
//!               "yuma3": bool, "liquid_alpha": bool, "alpha_low": u16, "alpha_high": u16,
//!               "alpha_sigmoid_steepness": i16 },
//!   "neurons": [ { "stake": u64, "last_update": u64, "registered_at": u64,
//!                  "validator_permit": bool,
//!                  "weights": [[uid, value_u16], ...],
//!                  "bonds":   [[uid, value_u16], ...] } ] }
//! ```
//! Output: [`crate::EpochOutput`] — `{ "neurons": [ { "active", "stake_weight", "consensus",
//! "incentive", "dividends", "validator_trust", "server_emission", "validator_emission",
//! "emission", "validator_permit", "bonds": [[uid, value_u16], ...], "pruning_score" } ] }`.

use alloc::vec::Vec;

use crate::{EpochInput, EpochOutput, EpochParams, NeuronInput};

/// One neuron of a snapshot (owned form of [`NeuronInput`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotNeuron {
    /// Raw stake (RAO).
    pub stake: u64,
    /// Block of the last weight update.
    pub last_update: u64,
    /// Block of the latest registration.
    pub registered_at: u64,
    /// Permit held before this epoch.
    pub validator_permit: bool,
    /// Stored weight row.
    pub weights: Vec<(u16, u16)>,
    /// Stored bond row.
    pub bonds: Vec<(u16, u16)>,
}

/// A subnet snapshot (owned form of [`EpochInput`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Current block.
    pub block: u64,
    /// Emission to distribute (RAO).
    pub emission: u64,
    /// See [`EpochInput::bonds_reset_block`].
    pub bonds_reset_block: u64,
    /// Hyperparameters.
    pub params: EpochParams,
    /// Neurons by UID.
    pub neurons: Vec<SnapshotNeuron>,
}

impl Snapshot {
    /// Borrowed neuron views for [`EpochInput`].
    pub fn neuron_inputs(&self) -> Vec<NeuronInput<'_>> {
        self.neurons
            .iter()
            .map(|x| NeuronInput {
                stake: x.stake,
                last_update: x.last_update,
                registered_at: x.registered_at,
                validator_permit: x.validator_permit,
                weights: &x.weights,
                bonds: &x.bonds,
            })
            .collect()
    }

    /// Run the epoch on this snapshot.
    pub fn run(&self) -> EpochOutput {
        let neurons = self.neuron_inputs();
        crate::run_epoch(&EpochInput {
            block: self.block,
            emission: self.emission,
            bonds_reset_block: self.bonds_reset_block,
            params: self.params,
            neurons: &neurons,
        })
    }
}

/// A snapshot that could not be decoded: one line naming the offending field.
#[cfg(feature = "cli")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotError {
    /// JSON path of the field (`.` for the document itself), e.g. `params.kappa`.
    pub path: alloc::string::String,
    /// serde_json's message (with line and column).
    pub message: alloc::string::String,
}

#[cfg(feature = "cli")]
impl core::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // One line whatever the input: a key in the path may hold an escaped newline too.
        let one_line = |text: &str| -> alloc::string::String {
            text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect()
        };
        write!(f, "invalid snapshot at `{}`: {}", one_line(&self.path), one_line(&self.message))
    }
}

#[cfg(feature = "cli")]
impl std::error::Error for SnapshotError {}

/// Decode a JSON snapshot (strict: all fields required, unknown fields and trailing data
/// rejected).
#[cfg(feature = "cli")]
pub fn decode_snapshot(json: &str) -> Result<Snapshot, SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let snapshot: Snapshot =
        serde_path_to_error::deserialize(&mut de).map_err(|e| SnapshotError {
            path: alloc::string::ToString::to_string(e.path()),
            message: alloc::string::ToString::to_string(e.inner()),
        })?;
    de.end().map_err(|e| SnapshotError {
        path: alloc::string::String::from("."),
        message: alloc::string::ToString::to_string(&e),
    })?;
    Ok(snapshot)
}

/// Encode an epoch result as JSON: compact with one neuron per line (the default of the CLI), or
/// fully indented with `pretty`.
#[cfg(feature = "cli")]
pub fn encode_output(
    out: &EpochOutput,
    pretty: bool,
) -> Result<alloc::string::String, SnapshotError> {
    let err = |e: serde_json::Error| SnapshotError {
        path: alloc::string::String::from("."),
        message: alloc::string::ToString::to_string(&e),
    };
    if pretty {
        return serde_json::to_string_pretty(out).map_err(err);
    }
    let mut s = alloc::string::String::from("{\"neurons\":[");
    for (k, x) in out.neurons.iter().enumerate() {
        s.push_str(if k == 0 { "\n" } else { ",\n" });
        s.push_str(&serde_json::to_string(x).map_err(err)?);
    }
    s.push_str(if out.neurons.is_empty() { "]}" } else { "\n]}" });
    Ok(s)
}

/// Decode a JSON snapshot, run the epoch and encode the result as JSON ([`encode_output`]).
#[cfg(feature = "cli")]
pub fn run_snapshot_json(json: &str, pretty: bool) -> Result<alloc::string::String, SnapshotError> {
    encode_output(&decode_snapshot(json)?.run(), pretty)
}
