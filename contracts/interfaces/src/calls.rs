//! Typed cross-contract calls between the suite's contracts. Each wrapper calls through the
//! message trait (so selectors come from the trait, never written by hand) with
//! `try_invoke`, and folds "the call could not be made" into `Err(None)`, keeping the
//! callee's own typed error as `Err(Some(e))`.
use crate::{
    AccountId, Balance, Payout, RegistryHooks, RegistryView, StakingError, StakingProtocol, SubnetHooks, TaoEmission,
    TaoProtocol,
    TokenError, PSP22, PSP22Burnable,
};
use ink::codegen::TraitCallBuilder;
use ink::prelude::vec::Vec;

/// `Err(Some(e))`: the callee refused with its typed error; `Err(None)`: no answer (trap,
/// out of gas, not a contract, undecodable reply).
pub type CallResult<T, E> = Result<T, Option<E>>;

fn flatten<T, E>(r: Result<ink::MessageResult<Result<T, E>>, ink::env::Error>) -> CallResult<T, E> {
    match r {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(Some(e)),
        _ => Err(None),
    }
}

fn plain<T>(r: Result<ink::MessageResult<T>, ink::env::Error>) -> Option<T> {
    match r {
        Ok(Ok(v)) => Some(v),
        _ => None,
    }
}

/// Moves `value` from `from` (the account that called us) to the calling contract.
pub fn token_pull(token: AccountId, from: AccountId, value: Balance) -> CallResult<(), TokenError> {
    let mut t: ink::contract_ref!(TaoProtocol, ink::env::DefaultEnvironment) = token.into();
    flatten(t.call_mut().pull(from, value).try_invoke())
}

/// Recycles `value` of `from`'s TAO (issuance goes down).
pub fn token_recycle_from(token: AccountId, from: AccountId, value: Balance) -> CallResult<(), TokenError> {
    let mut t: ink::contract_ref!(TaoProtocol, ink::env::DefaultEnvironment) = token.into();
    flatten(t.call_mut().recycle_from(from, value).try_invoke())
}

/// Burns `value` of the caller's own tokens (issuance goes down: recycled).
pub fn token_burn(token: AccountId, value: Balance) -> CallResult<(), crate::PSP22Error> {
    let mut t: ink::contract_ref!(PSP22Burnable, ink::env::DefaultEnvironment) = token.into();
    flatten(t.call_mut().burn(value).try_invoke())
}

/// Pays `value` of the calling contract's TAO to `to`.
pub fn token_transfer(token: AccountId, to: AccountId, value: Balance) -> CallResult<(), crate::PSP22Error> {
    let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
    flatten(t.call_mut().transfer(to, value, Vec::new()).try_invoke())
}

/// The calling contract's TAO balance.
pub fn token_balance(token: AccountId, owner: AccountId) -> Option<Balance> {
    let t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
    plain(t.call().balance_of(owner).try_invoke())
}

/// Mints the emission due since the last pull to the calling contract (the minter).
pub fn token_mint_emission(token: AccountId) -> CallResult<Balance, TokenError> {
    let mut t: ink::contract_ref!(TaoEmission, ink::env::DefaultEnvironment) = token.into();
    flatten(t.call_mut().mint_emission().try_invoke())
}

/// Makes `coldkey` the owner of `hotkey` unless another coldkey owns it.
pub fn staking_bind_owner(staking: AccountId, hotkey: AccountId, coldkey: AccountId) -> CallResult<(), StakingError> {
    let mut s: ink::contract_ref!(StakingProtocol, ink::env::DefaultEnvironment) = staking.into();
    flatten(s.call_mut().bind_owner(hotkey, coldkey).try_invoke())
}

/// The owner of `hotkey`.
pub fn staking_owner_of(staking: AccountId, hotkey: AccountId) -> Option<Option<AccountId>> {
    let s: ink::contract_ref!(StakingProtocol, ink::env::DefaultEnvironment) = staking.into();
    plain(s.call().owner_of(hotkey).try_invoke())
}

/// Total stake of each hotkey.
pub fn staking_stakes(staking: AccountId, hotkeys: Vec<AccountId>) -> Option<Vec<Balance>> {
    let s: ink::contract_ref!(StakingProtocol, ink::env::DefaultEnvironment) = staking.into();
    plain(s.call().stakes(hotkeys).try_invoke())
}

/// Consensus stake of the hotkeys holding UIDs `start..` of `netuid`.
pub fn staking_uid_stakes(staking: AccountId, netuid: u16, start: u16, hotkeys: Vec<AccountId>) -> Option<Vec<Balance>> {
    let s: ink::contract_ref!(StakingProtocol, ink::env::DefaultEnvironment) = staking.into();
    plain(s.call().uid_stakes(netuid, start, hotkeys).try_invoke())
}

/// Hands an epoch's payouts to staking, which credits them and returns their sum (the caller
/// then transfers that sum to staking).
pub fn staking_distribute(staking: AccountId, netuid: u16, payouts: Vec<Payout>) -> CallResult<Balance, StakingError> {
    let mut s: ink::contract_ref!(StakingProtocol, ink::env::DefaultEnvironment) = staking.into();
    flatten(s.call_mut().distribute(netuid, payouts).try_invoke())
}

/// Tells the ledger that a subnet was created at `block`.
pub fn ledger_subnet_created(ledger: AccountId, netuid: u16, block: crate::BlockNumber) -> CallResult<(), crate::LedgerError> {
    let mut l: ink::contract_ref!(SubnetHooks, ink::env::DefaultEnvironment) = ledger.into();
    flatten(l.call_mut().subnet_created(netuid, block).try_invoke())
}

/// Each subnet's emission share, from the ledger.
pub fn ledger_emission_shares(ledger: AccountId, netuids: Vec<u16>) -> Option<Vec<u128>> {
    let l: ink::contract_ref!(SubnetHooks, ink::env::DefaultEnvironment) = ledger.into();
    plain(l.call().emission_shares(netuids).try_invoke())
}

/// Tells the ledger that registration on a subnet was switched on or off.
pub fn ledger_registration_switched(ledger: AccountId, netuid: u16, allowed: bool) -> CallResult<(), crate::LedgerError> {
    let mut l: ink::contract_ref!(SubnetHooks, ink::env::DefaultEnvironment) = ledger.into();
    flatten(l.call_mut().registration_switched(netuid, allowed).try_invoke())
}

/// Tells the ledger that a subnet was dissolved.
pub fn ledger_subnet_dissolved(ledger: AccountId, netuid: u16) -> CallResult<(), crate::LedgerError> {
    let mut l: ink::contract_ref!(SubnetHooks, ink::env::DefaultEnvironment) = ledger.into();
    flatten(l.call_mut().subnet_dissolved(netuid).try_invoke())
}

/// The registry's view of a subnet.
pub fn registry_subnet(registry: AccountId, netuid: u16) -> Option<Option<crate::SubnetView>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().subnet(netuid).try_invoke())
}

/// A page of a subnet's neurons from `start`.
pub fn registry_neurons_page(registry: AccountId, netuid: u16, start: u16) -> Option<Vec<crate::NeuronSlot>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().neurons_page(netuid, start).try_invoke())
}

/// The UID of `hotkey` on `netuid`.
pub fn registry_uid_of(registry: AccountId, netuid: u16, hotkey: AccountId) -> Option<Option<u16>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().uid_of(netuid, hotkey).try_invoke())
}

/// Hands the epoch's pruning scores to the registry.
pub fn registry_set_pruning_scores(registry: AccountId, netuid: u16, scores: Vec<u16>) -> CallResult<(), crate::RegistryError> {
    let mut r: ink::contract_ref!(RegistryHooks, ink::env::DefaultEnvironment) = registry.into();
    flatten(r.call_mut().set_pruning_scores(netuid, scores).try_invoke())
}

/// A page of a subnet's neurons from `start`, with their axons and pruning scores.
pub fn registry_neuron_axons_page(
    registry: AccountId,
    netuid: u16,
    start: u16,
) -> Option<Vec<(crate::NeuronSlot, Option<crate::AxonInfo>, u16)>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().neuron_axons_page(netuid, start).try_invoke())
}

/// The UID and registration of `hotkey` on `netuid`.
pub fn registry_slot_of(registry: AccountId, netuid: u16, hotkey: AccountId) -> Option<Option<(u16, crate::NeuronSlot)>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().slot_of(netuid, hotkey).try_invoke())
}

/// Every user subnet with whether registration is open on it.
pub fn registry_netuids_open(registry: AccountId) -> Option<Vec<(u16, bool)>> {
    let r: ink::contract_ref!(RegistryView, ink::env::DefaultEnvironment) = registry.into();
    plain(r.call().netuids_open().try_invoke())
}

/// The token's emission schedule state.
pub fn token_emission_info(token: AccountId) -> Option<crate::EmissionInfo> {
    let t: ink::contract_ref!(TaoEmission, ink::env::DefaultEnvironment) = token.into();
    plain(t.call().emission_info().try_invoke())
}
