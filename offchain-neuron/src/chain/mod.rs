//! The chain client: reads and writes the suite's contracts on a substrate node.
//!
//! - [`rpc`]: the connection (reconnecting, deadlines, retries).
//! - [`contract`]: dry runs and `Contracts::call` extrinsics for the contracts' messages.
//! - [`explain`]: every contract error in words, with a fix.
//! - [`events`]: the contracts' events, decoded and described.
//! - [`metagraph`]: a subnet's neurons with stake and consensus figures, paged.
//! - [`native`]: the host chain's own token (fees and storage deposits).
//! - [`registration`]: consent, then a UID by burn or proof of work.
//! - [`commits`]: commit-reveal of weights with the salts kept on disk.

pub mod commits;
pub mod contract;
pub mod deployment;
pub mod events;
pub mod explain;
pub mod metagraph;
pub mod native;
pub mod registration;
pub mod rpc;

use std::time::Duration;

use anyhow::Result;
use consensus_ledger::consensus_ledger::ConsensusLedger;
use ink::codegen::ContractCallBuilder;
use ink::env::call::FromAccountId;
use staking::staking::Staking;
use subnet_registry::subnet_registry::SubnetRegistry;
use tao_token::tao_token::TaoToken;

pub use contract::{
    CallError, DryRun, Included, Message, ink_account, signer_account, wire_account,
};
pub use deployment::Deployment;
pub use explain::{Explain, Refusal};
pub use rpc::Rpc;

/// The refusal for a netuid no subnet has.
pub fn no_subnet(netuid: u16) -> anyhow::Error {
    anyhow::anyhow!("no subnet has netuid {netuid} (see `neuron subnet list`)")
}

/// Call builders of the four contracts (the contracts' own generated types).
pub type TokenCalls = <TaoToken as ContractCallBuilder>::Type;
pub type RegistryCalls = <SubnetRegistry as ContractCallBuilder>::Type;
pub type StakingCalls = <Staking as ContractCallBuilder>::Type;
pub type LedgerCalls = <ConsensusLedger as ContractCallBuilder>::Type;

/// A connection to a node plus the suite's addresses.
#[derive(Clone)]
pub struct Chain {
    pub rpc: Rpc,
    pub deployment: Deployment,
}

impl Chain {
    /// Connects to `url` (or the deployment's URL), waiting up to `patience` for the node.
    pub async fn connect(
        deployment: Deployment,
        url: Option<&str>,
        patience: Duration,
    ) -> Result<Self> {
        let url = url.unwrap_or(&deployment.url).to_string();
        let rpc = Rpc::connect(&url, patience).await?;
        Ok(Self { rpc, deployment })
    }

    pub fn token(&self) -> TokenCalls {
        FromAccountId::from_account_id(ink_account(self.deployment.token))
    }

    pub fn registry(&self) -> RegistryCalls {
        FromAccountId::from_account_id(ink_account(self.deployment.registry))
    }

    pub fn staking(&self) -> StakingCalls {
        FromAccountId::from_account_id(ink_account(self.deployment.staking))
    }

    pub fn ledger(&self) -> LedgerCalls {
        FromAccountId::from_account_id(ink_account(self.deployment.ledger))
    }

    /// A free read of a message.
    pub async fn read<Args: ink::scale::Encode + Clone, R: ink::scale::Decode>(
        &self,
        message: &Message<Args, R>,
    ) -> Result<R> {
        self.rpc.read(message).await
    }

    /// A signed write after a dry-run pre-flight (see [`Rpc::send`]).
    pub async fn send<
        Args: ink::scale::Encode + Clone,
        T: ink::scale::Decode,
        E: ink::scale::Decode + Explain + std::fmt::Debug,
    >(
        &self,
        action: &str,
        signer: &subxt_signer::sr25519::Keypair,
        message: &Message<Args, Result<T, E>>,
    ) -> Result<Included<T>, CallError> {
        self.rpc.send(action, signer, message).await
    }

    /// The best block's number.
    pub async fn block(&self) -> Result<u32> {
        Ok(self.rpc.best_block().await?.0)
    }
}
