//! Off-chain Bittensor neuron: the digits subnet task, a burn CNN, training, a signed
//! axon/dendrite wire protocol, and the miner and validator loops.
//!
//! The chain client comes later; until then the subnet's membership comes from a
//! [`peers::PeerDirectory`] (a local peers file, or built in memory by tests).

pub mod axon;
pub mod bench;
pub mod cli;
pub mod dendrite;
pub mod fsutil;
pub mod miner;
pub mod model;
pub mod peers;
pub mod task;
pub mod train;
pub mod validator;
pub mod wire;
