//! Deploying and wiring the suite's contracts in the sandbox.
use crate::{ink_account, wasm, AccountId32, CallFailure, Chain};
use bt_interfaces::{Balance, TokenError};

/// A deployed and wired token, with the accounts that play the protocol roles.
pub struct TokenSetup {
    pub deployer: AccountId32,
    pub token: AccountId32,
    /// Stands in for the consensus ledger until that contract is deployed alongside.
    pub minter: AccountId32,
    /// Stands in for a protocol contract (registry or staking).
    pub protocol: AccountId32,
    /// The block at which the token was wired (emission counts from here).
    pub wired_at: u32,
}

/// Deploys `tao_token` (with an optional dev genesis) and wires it to `minter`/`protocol`.
pub fn deploy_token(chain: &mut Chain, genesis: Vec<(AccountId32, Balance)>) -> Result<TokenSetup, CallFailure> {
    let deployer = chain.account();
    let minter = chain.account();
    let protocol = chain.account();
    let token = if genesis.is_empty() {
        chain.deploy(&deployer, wasm("tao_token"), "new", (), b"tao")?
    } else {
        let allocations: Vec<_> = genesis.iter().map(|(a, v)| (ink_account(a), *v)).collect();
        chain.deploy(&deployer, wasm("tao_token"), "new_with_genesis", (allocations,), b"tao")?
    };
    let wired_at = chain.block();
    let configured = chain.call::<Result<(), TokenError>>(
        &deployer,
        &token,
        "configure",
        (ink_account(&minter), vec![ink_account(&protocol)]),
    )?;
    assert_eq!(configured.value, Ok(()), "configure");
    Ok(TokenSetup { deployer, token, minter, protocol, wired_at })
}

/// All four contracts (and the ledger's epoch code), deployed and wired as `scripts/deploy.sh` does, with local-network
/// parameters (small lock, no creation rate limit, loopback axons allowed, stake maturing
/// in two blocks).
pub struct Suite {
    pub admin: AccountId32,
    pub token: AccountId32,
    pub registry: AccountId32,
    pub staking: AccountId32,
    pub ledger: AccountId32,
    /// The ledger's epoch code (uploaded, run by the ledger with `delegate_call`).
    pub epochs: ink::primitives::Hash,
}

pub const TAO: Balance = 1_000_000_000;

impl Suite {
    /// Deploys the suite; `genesis` (dev only) funds accounts with TAO at deployment.
    pub fn deploy(chain: &mut Chain, genesis: &[(AccountId32, Balance)]) -> Result<Suite, CallFailure> {
        let admin = chain.account();
        let allocations: Vec<_> = genesis.iter().map(|(a, v)| (ink_account(a), *v)).collect();
        let token = chain.deploy(&admin, wasm("tao_token"), "new_with_genesis", (allocations,), b"suite")?;
        let registry = chain.deploy(&admin, wasm("subnet_registry"), "new", (), b"suite")?;
        let staking = chain.deploy(&admin, wasm("staking"), "new", (), b"suite")?;
        let ledger = chain.deploy(&admin, wasm("consensus_ledger"), "new", (), b"suite")?;
        let epochs = chain.upload(&admin, wasm("ledger_epochs"))?;
        let suite = Suite { admin, token, registry, staking, ledger, epochs };
        let (t, r, s, l) = (suite.id(&suite.token), suite.id(&suite.registry), suite.id(&suite.staking), suite.id(&suite.ledger));
        suite.expect_ok::<TokenError>(chain, &suite.token, "configure", (l, vec![r, s]));
        suite.expect_ok::<bt_interfaces::RegistryError>(chain, &suite.registry, "configure", (t, s, l));
        suite.expect_ok::<bt_interfaces::StakingError>(chain, &suite.staking, "configure", (t, r, l));
        suite.expect_ok::<bt_interfaces::LedgerError>(chain, &suite.ledger, "configure", (t, r, s, epochs));
        let params = subnet_registry::state::NetworkParams {
            subnet_limit: 8,
            min_lock: 10 * TAO,
            lock_reduction_interval: 1_000,
            network_rate_limit: 0,
            network_immunity_period: 0,
            owner_hparams_rate_limit_tempos: 0,
            allow_local_axons: true,
        };
        suite.expect_ok::<bt_interfaces::RegistryError>(chain, &suite.registry, "set_network_params", (params,));
        suite.expect_ok::<bt_interfaces::StakingError>(chain, &suite.staking, "set_params", (Self::local_staking_params(),));
        Ok(suite)
    }

    /// Staking for tests that move stake and run epochs within a few blocks: stake matures
    /// two blocks after it is added and moves are not limited. Sniping tests set the
    /// defaults back (`StakingParams::default()`).
    pub fn local_staking_params() -> staking::state::StakingParams {
        staking::state::StakingParams { stake_interval: 1, moves_per_interval: u8::MAX, ..Default::default() }
    }

    /// `hotkey` consents to be owned by `coldkey` (a registration or claim binds it only
    /// then); returns staking's answer.
    pub fn offer(&self, chain: &mut Chain, hotkey: &AccountId32, coldkey: &AccountId32) -> Result<(), bt_interfaces::StakingError> {
        chain
            .call::<Result<(), bt_interfaces::StakingError>>(hotkey, &self.staking, "offer_hotkey", (ink_account(coldkey),))
            .expect("offer_hotkey executes")
            .value
    }

    pub fn id(&self, account: &AccountId32) -> ink::primitives::AccountId {
        ink_account(account)
    }

    fn expect_ok<E: parity_scale_codec::Decode + core::fmt::Debug>(
        &self,
        chain: &mut Chain,
        contract: &AccountId32,
        message: &str,
        args: impl parity_scale_codec::Encode,
    ) {
        let r = chain.call::<Result<(), E>>(&self.admin, contract, message, args).unwrap();
        assert!(r.value.is_ok(), "{message}: {:?}", r.value);
    }

    pub fn balance(&self, chain: &mut Chain, who: &AccountId32) -> Balance {
        chain.query(who, &self.token, "PSP22::balance_of", (ink_account(who),))
    }

    pub fn total_issuance(&self, chain: &mut Chain) -> Balance {
        chain.query(&self.admin, &self.token, "PSP22::total_supply", ())
    }
}
