//! The token's rules, exercised through `TokenState` directly (ink!'s off-chain storage engine).
use bt_interfaces::env_test;
use bt_interfaces::{AccountId, PSP22Error, TokenError};
use tao_token::emission::{CAP, RAO_PER_TAO};
use ink::primitives::Hash;
use tao_token::state::{ProtocolContract, TokenEvent, TokenState};

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}
const ADMIN: u8 = 1;
const LEDGER: u8 = 2;
const REGISTRY: u8 = 3;
const ALICE: u8 = 10;
const BOB: u8 = 11;
const EVE: u8 = 12;

/// A token wired at `block` with LEDGER as minter and REGISTRY as protocol contract, and
/// ALICE holding `alice` RAO of dev genesis.
fn wired(block: u32, alice: u128) -> TokenState {
    let (mut t, _) = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), alice)]).unwrap();
    t.configure(acc(ADMIN), block, acc(LEDGER), plain_contracts(&[REGISTRY])).unwrap();
    t
}

/// Protocol contracts as accounts without code (what the rules see of a plain account).
fn plain_contracts(ids: &[u8]) -> Vec<ProtocolContract> {
    ids.iter().map(|&n| ProtocolContract { account: acc(n), code_hash: None }).collect()
}

fn fresh() -> TokenState {
    TokenState::new(acc(ADMIN))
}


env_test!(fair_launch_has_no_supply, {
    let t = fresh();
    assert_eq!(t.total_issuance(), 0);
    assert_eq!(t.balance_of(acc(ADMIN)), 0);
    assert_eq!(t.minter(), None);
    assert_eq!(t.admin(), Some(acc(ADMIN)));
});

env_test!(genesis_counts_against_the_cap, {
    let err = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), CAP), (acc(BOB), 1)]).unwrap_err();
    assert_eq!(err, TokenError::CapExceeded);
    let err = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), u128::MAX), (acc(BOB), 2)]).unwrap_err();
    assert_eq!(err, TokenError::CapExceeded);
    let (t, events) = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), CAP - 5), (acc(BOB), 5)]).unwrap();
    assert_eq!(t.total_issuance(), CAP);
    assert_eq!(events.len(), 2);
    assert_eq!(t.emission_info(100).block_emission, 0);
});

env_test!(wiring_is_admin_only_and_once, {
    let mut t = fresh();
    assert_eq!(t.configure(acc(EVE), 5, acc(LEDGER), vec![]), Err(TokenError::NotAdmin));
    assert_eq!(
        t.configure(acc(ADMIN), 5, acc(LEDGER), plain_contracts(&[REGISTRY, REGISTRY])),
        Err(TokenError::InvalidConfiguration)
    );
    assert_eq!(t.configure(acc(ADMIN), 5, acc(0), vec![]), Err(TokenError::InvalidConfiguration));
    assert_eq!(t.configure(acc(ADMIN), 5, acc(LEDGER), plain_contracts(&[9; 9])), Err(TokenError::InvalidConfiguration));
    assert_eq!(t.minter(), None, "failed wiring changes nothing");
    let events = t.configure(acc(ADMIN), 5, acc(LEDGER), plain_contracts(&[REGISTRY])).unwrap();
    assert_eq!(events, vec![TokenEvent::Configured { minter: acc(LEDGER), protocol: vec![acc(REGISTRY)] }]);
    assert_eq!(t.admin(), None, "the admin role ends with wiring");
    assert_eq!(t.configure(acc(ADMIN), 6, acc(EVE), vec![]), Err(TokenError::AlreadyConfigured));
    assert_eq!(t.minter(), Some(acc(LEDGER)));
});

env_test!(only_the_minter_pulls_emission, {
    let mut t = fresh();
    assert_eq!(t.mint_emission(acc(LEDGER), 10).unwrap_err(), TokenError::NotConfigured);
    t.configure(acc(ADMIN), 10, acc(LEDGER), plain_contracts(&[REGISTRY])).unwrap();
    assert_eq!(t.mint_emission(acc(EVE), 20).unwrap_err(), TokenError::NotMinter);
    assert_eq!(t.mint_emission(acc(REGISTRY), 20).unwrap_err(), TokenError::NotMinter);
    assert_eq!(t.total_issuance(), 0);
});

env_test!(emission_pull_mints_one_tao_per_block_since_the_last_pull, {
    let mut t = wired(100, 0);
    assert_eq!(t.emission_info(107).pending_emission, 7 * RAO_PER_TAO);
    let (amount, events) = t.mint_emission(acc(LEDGER), 107).unwrap();
    assert_eq!(amount, 7 * RAO_PER_TAO);
    assert_eq!(t.balance_of(acc(LEDGER)), amount);
    assert_eq!(t.total_issuance(), amount);
    assert!(events.contains(&TokenEvent::EmissionMinted {
        to: acc(LEDGER),
        amount,
        from_block: 100,
        to_block: 107
    }));
    // Same block again: nothing more.
    assert_eq!(t.mint_emission(acc(LEDGER), 107).unwrap().0, 0);
    assert_eq!(t.mint_emission(acc(LEDGER), 110).unwrap().0, 3 * RAO_PER_TAO);
    assert_eq!(t.total_issuance(), 10 * RAO_PER_TAO);
});

env_test!(emission_pull_spanning_a_halving_switches_rate_at_the_exact_block, {
    // Dev genesis 3 TAO + 1 RAO below the first halving.
    let mut t = wired(0, CAP / 2 - 3 * RAO_PER_TAO - 1);
    let info = t.emission_info(0);
    assert_eq!(info.block_emission, RAO_PER_TAO);
    assert_eq!(info.next_halving_issuance, CAP / 2);
    assert_eq!(info.blocks_until_halving, 4);
    let (amount, _) = t.mint_emission(acc(LEDGER), 10).unwrap();
    assert_eq!(amount, 4 * RAO_PER_TAO + 6 * (RAO_PER_TAO / 2));
    let info = t.emission_info(10);
    assert_eq!(info.block_emission, RAO_PER_TAO / 2);
    assert_eq!(info.next_halving_issuance, 15_750_000 * RAO_PER_TAO);
});

env_test!(the_cap_is_reached_exactly_and_never_exceeded, {
    let mut t = wired(0, CAP - RAO_PER_TAO);
    let (amount, _) = t.mint_emission(acc(LEDGER), u32::MAX).unwrap();
    assert!(t.total_issuance() <= CAP);
    assert_eq!(t.total_issuance(), CAP - RAO_PER_TAO + amount);
    assert_eq!(t.emission_info(u32::MAX).block_emission, 0, "emission ends below the cap");
    assert_eq!(t.mint_emission(acc(LEDGER), u32::MAX).unwrap().0, 0);
});

env_test!(recycling_lowers_issuance_and_delays_the_halving, {
    let mut t = wired(0, CAP / 2 - RAO_PER_TAO);
    assert_eq!(t.emission_info(0).blocks_until_halving, 1);
    t.burn(acc(ALICE), 100 * RAO_PER_TAO).unwrap();
    assert_eq!(t.total_issuance(), CAP / 2 - 101 * RAO_PER_TAO);
    assert_eq!(t.emission_info(0).blocks_until_halving, 101);
    assert_eq!(t.mint_emission(acc(LEDGER), 101).unwrap().0, 101 * RAO_PER_TAO);
});

env_test!(transfers_and_their_errors, {
    let mut t = wired(0, 1_000);
    assert_eq!(t.transfer(acc(ALICE), acc(BOB), 1_001), Err(PSP22Error::InsufficientBalance));
    assert_eq!(t.transfer(acc(BOB), acc(ALICE), 1), Err(PSP22Error::InsufficientBalance));
    let events = t.transfer(acc(ALICE), acc(BOB), 400).unwrap();
    assert_eq!(events, vec![TokenEvent::Transfer { from: Some(acc(ALICE)), to: Some(acc(BOB)), value: 400 }]);
    assert_eq!((t.balance_of(acc(ALICE)), t.balance_of(acc(BOB))), (600, 400));
    assert!(t.transfer(acc(ALICE), acc(ALICE), 600).unwrap().is_empty(), "self transfer is a no-op");
    assert!(t.transfer(acc(ALICE), acc(BOB), 0).unwrap().is_empty(), "zero transfer is a no-op");
    assert_eq!(t.total_issuance(), 1_000);
});

env_test!(allowances_and_transfer_from, {
    let mut t = wired(0, 1_000);
    assert_eq!(t.transfer_from(acc(BOB), acc(ALICE), acc(EVE), 1), Err(PSP22Error::InsufficientAllowance));
    t.approve(acc(ALICE), acc(BOB), 300).unwrap();
    assert_eq!(t.allowance(acc(ALICE), acc(BOB)), 300);
    assert_eq!(t.transfer_from(acc(BOB), acc(ALICE), acc(EVE), 301), Err(PSP22Error::InsufficientAllowance));
    let events = t.transfer_from(acc(BOB), acc(ALICE), acc(EVE), 100).unwrap();
    assert_eq!(events[0], TokenEvent::Approval { owner: acc(ALICE), spender: acc(BOB), amount: 200 });
    assert_eq!(t.balance_of(acc(EVE)), 100);
    t.increase_allowance(acc(ALICE), acc(BOB), 50).unwrap();
    assert_eq!(t.allowance(acc(ALICE), acc(BOB)), 250);
    assert_eq!(t.decrease_allowance(acc(ALICE), acc(BOB), 251), Err(PSP22Error::InsufficientAllowance));
    t.decrease_allowance(acc(ALICE), acc(BOB), 250).unwrap();
    assert_eq!(t.allowance(acc(ALICE), acc(BOB)), 0);
    // Allowance above balance: the balance error wins and nothing changes.
    t.approve(acc(ALICE), acc(BOB), 10_000).unwrap();
    assert_eq!(t.transfer_from(acc(BOB), acc(ALICE), acc(EVE), 5_000), Err(PSP22Error::InsufficientBalance));
    assert_eq!(t.allowance(acc(ALICE), acc(BOB)), 10_000);
    assert_eq!(t.balance_of(acc(ALICE)), 900);
});

env_test!(burn_errors_change_nothing, {
    let mut t = wired(0, 1_000);
    assert_eq!(t.burn(acc(ALICE), 1_001), Err(PSP22Error::InsufficientBalance));
    assert_eq!(t.total_issuance(), 1_000);
    t.burn(acc(ALICE), 1_000).unwrap();
    assert_eq!(t.total_issuance(), 0);
});

env_test!(protocol_pulls_and_recycles_are_protocol_only, {
    let mut t = wired(0, 1_000);
    assert_eq!(t.pull(acc(EVE), None, acc(ALICE), 10), Err(TokenError::NotProtocol));
    assert_eq!(t.pull(acc(LEDGER), None, acc(ALICE), 10), Err(TokenError::NotProtocol));
    assert_eq!(t.recycle_from(acc(EVE), None, acc(ALICE), 10), Err(TokenError::NotProtocol));
    assert_eq!(t.pull(acc(REGISTRY), None, acc(ALICE), 1_001), Err(TokenError::InsufficientBalance));
    t.pull(acc(REGISTRY), None, acc(ALICE), 300).unwrap();
    assert_eq!(t.balance_of(acc(REGISTRY)), 300);
    t.recycle_from(acc(REGISTRY), None, acc(ALICE), 200).unwrap();
    assert_eq!(t.balance_of(acc(ALICE)), 500);
    assert_eq!(t.total_issuance(), 800);
    assert_eq!(t.recycle_from(acc(REGISTRY), None, acc(ALICE), 501), Err(TokenError::InsufficientBalance));
    assert_eq!(t.total_issuance(), 800);
});

env_test!(protocol_calls_before_wiring_are_refused, {
    let (mut t, _) = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), 10)]).unwrap();
    assert_eq!(t.pull(acc(REGISTRY), None, acc(ALICE), 1), Err(TokenError::NotConfigured));
    assert_eq!(t.recycle_from(acc(REGISTRY), None, acc(ALICE), 1), Err(TokenError::NotConfigured));
    assert_eq!(t.emission_info(1_000).pending_emission, 0);
});

// Issue 10, finding 10: a protocol contract whose code was swapped (a stolen admin key that
// waited out the announcement, say) can no longer move holders' TAO. Before the guard, the
// token honoured `pull` from a protocol address whatever code it ran.
env_test!(a_protocol_contract_with_new_code_moves_only_the_tao_of_holders_who_accepted_it, {
    let (wired_code, new_code) = (Hash::from([7; 32]), Hash::from([8; 32]));
    let (mut t, _) = TokenState::with_genesis(acc(ADMIN), &[(acc(ALICE), 1_000), (acc(BOB), 1_000)]).unwrap();
    let registry = ProtocolContract { account: acc(REGISTRY), code_hash: Some(wired_code) };
    t.configure(acc(ADMIN), 0, acc(LEDGER), vec![registry]).unwrap();
    assert_eq!(t.protocol_contracts(), vec![registry]);
    t.pull(acc(REGISTRY), Some(wired_code), acc(ALICE), 100).unwrap();
    assert_eq!(t.pull(acc(REGISTRY), Some(new_code), acc(ALICE), 100), Err(TokenError::ProtocolCodeChanged));
    assert_eq!(t.recycle_from(acc(REGISTRY), Some(new_code), acc(BOB), 100), Err(TokenError::ProtocolCodeChanged));
    assert_eq!(t.balance_of(acc(BOB)), 1_000);
    // Bob reads the new code and accepts it; Alice does not.
    assert_eq!(t.accept_protocol_code(acc(BOB), acc(EVE), Some(new_code)), Err(TokenError::NotProtocol));
    t.accept_protocol_code(acc(BOB), acc(REGISTRY), Some(new_code)).unwrap();
    t.pull(acc(REGISTRY), Some(new_code), acc(BOB), 100).unwrap();
    assert_eq!(t.pull(acc(REGISTRY), Some(new_code), acc(ALICE), 1), Err(TokenError::ProtocolCodeChanged));
    // The contract's own TAO stays its own, whatever its code.
    t.recycle_from(acc(REGISTRY), Some(new_code), acc(REGISTRY), 50).unwrap();
    assert_eq!(t.balance_of(acc(REGISTRY)), 150);
});
