//! Off-chain Bittensor neuron: the digits subnet task, a burn CNN, training, a signed
//! axon/dendrite wire protocol, and the miner and validator loops.
//!
//! [`chain`] reads and writes the suite's contracts on a node; [`wallet`] keeps the keys.
//! Miners and validators see the subnet through a [`peers::PeerDirectory`]: the chain's
//! metagraph, or a local peers file for offline use.

pub mod axon;
pub mod bench;
pub mod chain;
pub mod cli;
pub mod dendrite;
pub mod fsutil;
pub mod localnet;
pub mod miner;
pub mod model;
pub mod peers;
pub mod pow;
pub mod progress;
pub mod task;
pub mod train;
pub mod units;
pub mod validator;
pub mod wallet;
pub mod wire;
