//! The contract-to-contract surface of the suite: `#[ink::trait_definition]` message traits
//! (their selectors are `"Trait::message"`, so any crate that knows the trait can call a
//! deployed contract without depending on its crate) and the types and typed errors those
//! messages carry.
//!
//! The PSP22 traits reproduce the PSP22 standard's trait and message names, so their
//! selectors are the standard's and wallets and contracts-UI understand the token.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod admin;
pub mod calls;
pub mod ledger;
pub mod psp22;
pub mod registry;
pub mod staking;
pub mod token;

pub use psp22::{PSP22Burnable, PSP22Error, PSP22Metadata, PSP22};
pub use admin::{AdminRole, PendingUpgrade, UpgradeAnnounced, UpgradeError, UPGRADE_DELAY};
pub use ledger::{LedgerError, MetagraphEntry, SubnetHooks, MAX_PENDING_COMMITS, MAX_ROOT_MEMBERS};
pub use registry::{
    AxonInfo, HyperparamField, Hyperparams, NeuronSlot, RegistryError, RegistryHooks, RegistryView, SubnetView, MAX_UIDS_CEILING,
    NEURONS_PAGE, NEURON_AXONS_PAGE, ROOT_NETUID,
};
pub use staking::{Payout, StakingError, StakingProtocol, MAX_PAYOUTS, MAX_STAKE_QUERY};
pub use token::{EmissionInfo, TaoEmission, TaoProtocol, TokenError};

/// Balances and amounts, in RAO (1 TAO = 10^9 RAO).
pub type Balance = u128;
/// Block numbers of `ink::env::DefaultEnvironment`.
pub type BlockNumber = u32;
pub use ink::primitives::AccountId;

#[doc(hidden)]
pub use ink as __ink;

/// Test support: where `scripts/build-contracts.sh` put the release bundles, one directory per
/// contract (`<dir>/tao_token/tao_token.contract` and `.wasm`): `$BT_BUNDLES_DIR`, else
/// `$CARGO_TARGET_DIR/ink`, else `contracts/target/ink`.
#[cfg(feature = "std")]
pub fn bundles_dir() -> std::path::PathBuf {
    if let Ok(dir) = std::env::var("BT_BUNDLES_DIR") {
        return dir.into();
    }
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        return std::path::PathBuf::from(dir).join("ink");
    }
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ink")
}

/// Test support: a `#[test]` whose body runs in a freshly reset ink! off-chain environment
/// (storage needs a callee; each test gets clean storage).
#[cfg(feature = "std")]
#[macro_export]
macro_rules! env_test {
    ($name:ident, $body:block) => {
        #[test]
        fn $name() {
            $crate::__ink::env::test::run_test::<$crate::__ink::env::DefaultEnvironment, _>(|_| {
                $body;
                Ok(())
            })
            .unwrap();
        }
    };
}
