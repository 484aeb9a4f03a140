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
