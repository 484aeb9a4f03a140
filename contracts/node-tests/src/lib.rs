//! Harness for the tests in `tests/`: a fresh substrate-contracts-node per test, loaded with
//! the release `.wasm` that `scripts/build-contracts.sh` produced, i.e. exactly the code a
//! user deploys. (`#[ink_e2e::test]` would instead rebuild every contract in debug mode,
//! minutes per test binary, and overwrite the release bundles in the shared target dir.)
//! Run with `cargo test -p node-tests --features e2e-tests`.
#![cfg(feature = "e2e-tests")]
use std::future::Future;
use std::path::PathBuf;

use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode};
pub use ink_e2e;
use ink_e2e::subxt::blocks::ExtrinsicEvents;
use ink_e2e::{
    CallBuilderFinal, CallResult, Client, ContractsBackend, Keypair, PolkadotConfig,
    TestNodeProcess,
};

pub type NodeClient = Client<PolkadotConfig, DefaultEnvironment>;
/// A message to a contract, as the contracts' call builders produce it.
pub type Message<Args, R> = CallBuilderFinal<DefaultEnvironment, Args, R>;
/// An included extrinsic: its dry run (return value, gas) and its events.
pub type Submitted<R> = CallResult<DefaultEnvironment, R, ExtrinsicEvents<PolkadotConfig>>;
pub type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;
pub const TAO: u128 = 1_000_000_000;
/// Gas headroom over the dry run for state-dependent calls. A dry run executes on the
/// current block while the extrinsic lands in the next one, where amounts (emission since
/// the last pull, prices) differ slightly and so do the encoded lengths the gas depends on;
/// and a stake move in the block where earlier stake matures also folds that stake into its
/// pool (a few more storage reads and writes than the dry run saw). Unused gas is refunded.
pub const GAS_MARGIN_PERCENT: u64 = 30;
/// The contracts the suite deploys, by package name (`ledger_epochs` is the ledger's epoch
/// code: uploaded, not instantiated).
pub const CONTRACTS: [&str; 5] = [
    "tao_token",
    "subnet_registry",
    "staking",
    "consensus_ledger",
    "ledger_epochs",
];

fn release_wasm_paths() -> Vec<PathBuf> {
    CONTRACTS
        .iter()
        .map(|name| {
            let path = bt_interfaces::bundles_dir()
                .join(name)
                .join(format!("{name}.wasm"));
            assert!(
                path.is_file(),
                "{} is missing: build the release bundles first (scripts/build-contracts.sh)",
                path.display()
            );
            path
        })
        .collect()
}

/// Runs `test` against a fresh dev node (binary `substrate-contracts-node`, or `$CONTRACTS_NODE`)
/// that knows the release wasm of every suite contract. The node stops when the test ends.
pub fn run<F, Fut>(test: F)
where
    F: FnOnce(NodeClient) -> Fut,
    Fut: Future<Output = E2EResult<()>>,
{
    let runtime = ink_e2e::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime
        .block_on(async {
            let node = TestNodeProcess::<PolkadotConfig>::build_with_env_or_default()
                .spawn()
                .await
                .unwrap_or_else(|e| panic!("cannot start substrate-contracts-node ({e}); install it with scripts/setup.sh"));
            let client = NodeClient::new(node.rpc(), release_wasm_paths()).await?;
            let outcome = test(client).await;
            drop(node);
            outcome
        })
        .unwrap_or_else(|e| panic!("node test failed: {e}"));
}

/// Submits `message` signed by `caller` as an extrinsic, with `GAS_MARGIN_PERCENT` of gas
/// headroom over its dry run.
pub async fn submit<Args, R>(
    client: &mut NodeClient,
    caller: &Keypair,
    message: &Message<Args, R>,
) -> E2EResult<Submitted<R>>
where
    Args: Sync + Encode + Clone,
    R: Send + Decode,
{
    Ok(client
        .call(caller, message)
        .extra_gas_portion(GAS_MARGIN_PERCENT)
        .submit()
        .await?)
}

/// Dry-runs `message` as `caller` (a free, read-only call) and decodes what it returns.
pub async fn query<Args, R>(
    client: &mut NodeClient,
    caller: &Keypair,
    message: &Message<Args, R>,
) -> E2EResult<R>
where
    Args: Sync + Encode + Clone,
    R: Send + Decode,
{
    Ok(client.call(caller, message).dry_run().await?.return_value())
}

pub fn id(k: &Keypair) -> AccountId {
    AccountId::from(k.public_key().0)
}

/// The four suite contracts, deployed by one admin and wired to each other.
pub struct Suite {
    pub token: AccountId,
    pub registry: AccountId,
    pub staking: AccountId,
    pub ledger: AccountId,
}

impl Suite {
    /// Deploys token (with `genesis` as dev allocation), registry, staking and ledger from
    /// `admin`, uploads the ledger's epoch code, then wires them (token minter = ledger; protocol = registry and staking).
    pub async fn deploy(
        client: &mut NodeClient,
        admin: &Keypair,
        genesis: Vec<(AccountId, u128)>,
    ) -> E2EResult<Suite> {
        use consensus_ledger::consensus_ledger::{ConsensusLedger, ConsensusLedgerRef};
        use staking::staking::{Staking, StakingRef};
        use subnet_registry::subnet_registry::{SubnetRegistry, SubnetRegistryRef};
        use tao_token::tao_token::{TaoToken, TaoTokenRef};

        let token = client
            .instantiate(
                "tao_token",
                admin,
                &mut TaoTokenRef::new_with_genesis(genesis),
            )
            .submit()
            .await?;
        let registry = client
            .instantiate("subnet_registry", admin, &mut SubnetRegistryRef::new())
            .submit()
            .await?;
        let staking = client
            .instantiate("staking", admin, &mut StakingRef::new())
            .submit()
            .await?;
        let ledger = client
            .instantiate("consensus_ledger", admin, &mut ConsensusLedgerRef::new())
            .submit()
            .await?;
        let epochs = client.upload("ledger_epochs", admin).submit().await?.code_hash;
        let s = Suite {
            token: token.account_id,
            registry: registry.account_id,
            staking: staking.account_id,
            ledger: ledger.account_id,
        };
        let wiring = [
            submit(
                client,
                admin,
                &token
                    .call_builder::<TaoToken>()
                    .configure(s.ledger, vec![s.registry, s.staking]),
            )
            .await?
            .return_value()
            .map_err(|e| format!("{e:?}")),
            submit(
                client,
                admin,
                &registry
                    .call_builder::<SubnetRegistry>()
                    .configure(s.token, s.staking, s.ledger),
            )
            .await?
            .return_value()
            .map_err(|e| format!("{e:?}")),
            submit(
                client,
                admin,
                &staking
                    .call_builder::<Staking>()
                    .configure(s.token, s.registry, s.ledger),
            )
            .await?
            .return_value()
            .map_err(|e| format!("{e:?}")),
            submit(
                client,
                admin,
                &ledger
                    .call_builder::<ConsensusLedger>()
                    .configure(s.token, s.registry, s.staking, epochs),
            )
            .await?
            .return_value()
            .map_err(|e| format!("{e:?}")),
        ];
        for (name, outcome) in ["token", "registry", "staking", "ledger"]
            .iter()
            .zip(wiring)
        {
            outcome.map_err(|e| format!("wiring the {name} failed: {e}"))?;
        }
        Ok(s)
    }

    /// `hotkey` consents to be owned by `coldkey` (registrations and claims bind a hotkey only
    /// after its offer).
    pub async fn offer(&self, client: &mut NodeClient, hotkey: &Keypair, coldkey: AccountId) -> E2EResult<()> {
        use staking::staking::Staking;
        let mut staking = ink_e2e::create_call_builder::<Staking>(self.staking);
        let offered = submit(client, hotkey, &staking.offer_hotkey(coldkey)).await?.return_value();
        offered.map_err(|e| format!("offer_hotkey refused: {e:?}").into())
    }

    /// Network parameters for a local test chain: no rate limits on subnet creation or
    /// owner hyperparameter changes, loopback axons admitted.
    pub async fn use_local_network_params(
        &self,
        client: &mut NodeClient,
        admin: &Keypair,
    ) -> E2EResult<()> {
        use subnet_registry::subnet_registry::SubnetRegistry;
        let mut registry = ink_e2e::create_call_builder::<SubnetRegistry>(self.registry);
        let current = query(client, admin, &registry.network_params()).await?;
        let local = subnet_registry::state::NetworkParams {
            network_rate_limit: 0,
            owner_hparams_rate_limit_tempos: 0,
            allow_local_axons: true,
            ..current
        };
        let set = submit(client, admin, &registry.set_network_params(local))
            .await?
            .return_value();
        set.map_err(|e| format!("set_network_params refused: {e:?}").into())
    }

    /// Staking for a local test chain: stake matures two blocks after it is added (one
    /// extrinsic seals one block here) and stake moves are not rate-limited.
    pub async fn use_local_staking_params(
        &self,
        client: &mut NodeClient,
        admin: &Keypair,
    ) -> E2EResult<()> {
        use staking::staking::Staking;
        let mut staking = ink_e2e::create_call_builder::<Staking>(self.staking);
        let params = staking::state::StakingParams {
            stake_interval: 1,
            moves_per_interval: u8::MAX,
            ..Default::default()
        };
        let set = submit(client, admin, &staking.set_params(params))
            .await?
            .return_value();
        set.map_err(|e| format!("staking set_params refused: {e:?}").into())
    }
}
