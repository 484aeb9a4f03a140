//! The release `tao_token` bundle on pallet-contracts (drink sandbox).
use bt_interfaces::{EmissionInfo, PSP22Error, TokenError};
use suite_tests::suite::deploy_token;
use suite_tests::{ink_account, Chain};

const TAO: u128 = 1_000_000_000;

#[test]
fn metadata_and_fair_launch() {
    let mut chain = Chain::new();
    let s = deploy_token(&mut chain, vec![]).unwrap();
    let d = &s.deployer;
    assert_eq!(chain.query::<u128>(d, &s.token, "PSP22::total_supply", ()), 0);
    assert_eq!(chain.query::<Option<String>>(d, &s.token, "PSP22Metadata::token_symbol", ()), Some("TAO".into()));
    assert_eq!(chain.query::<u8>(d, &s.token, "PSP22Metadata::token_decimals", ()), 9);
    assert_eq!(chain.query::<u128>(d, &s.token, "cap", ()), 21_000_000 * TAO);
    assert_eq!(chain.query::<Option<ink::primitives::AccountId>>(d, &s.token, "minter", ()), Some(ink_account(&s.minter)));
}

#[test]
fn wiring_is_once_and_admin_only() {
    let mut chain = Chain::new();
    let s = deploy_token(&mut chain, vec![]).unwrap();
    let stranger = chain.account();
    let again = chain
        .call::<Result<(), TokenError>>(&s.deployer, &s.token, "configure", (ink_account(&stranger), Vec::<ink::primitives::AccountId>::new()))
        .unwrap();
    assert_eq!(again.value, Err(TokenError::AlreadyConfigured));
    assert_eq!(chain.query::<Option<ink::primitives::AccountId>>(&stranger, &s.token, "minter", ()), Some(ink_account(&s.minter)));
}

#[test]
fn emission_pull_returns_exactly_one_tao_per_block() {
    let mut chain = Chain::new();
    let s = deploy_token(&mut chain, vec![]).unwrap();
    chain.advance(25);
    let info: EmissionInfo = chain.query(&s.minter, &s.token, "TaoEmission::emission_info", ());
    let blocks = u128::from(chain.block() - s.wired_at);
    assert_eq!(blocks, 25);
    assert_eq!(info.pending_emission, blocks * TAO);
    let pulled = chain.call::<Result<u128, TokenError>>(&s.minter, &s.token, "TaoEmission::mint_emission", ()).unwrap();
    assert_eq!(pulled.value, Ok(25 * TAO));
    assert_eq!(chain.query::<u128>(&s.minter, &s.token, "PSP22::balance_of", (ink_account(&s.minter),)), 25 * TAO);
    assert_eq!(chain.query::<u128>(&s.minter, &s.token, "PSP22::total_supply", ()), 25 * TAO);
    println!("gas: TaoEmission::mint_emission ref_time {}", pulled.gas_consumed.ref_time());
}

#[test]
fn unauthorised_callers_get_typed_errors_and_change_nothing() {
    let mut chain = Chain::new();
    let s = deploy_token(&mut chain, vec![]).unwrap();
    let eve = chain.account();
    chain.advance(3);
    let r = chain.call::<Result<u128, TokenError>>(&eve, &s.token, "TaoEmission::mint_emission", ()).unwrap();
    assert_eq!(r.value, Err(TokenError::NotMinter));
    let r = chain.call::<Result<(), TokenError>>(&eve, &s.token, "TaoProtocol::pull", (ink_account(&s.minter), 1u128)).unwrap();
    assert_eq!(r.value, Err(TokenError::NotProtocol));
    let r = chain.call::<Result<(), TokenError>>(&eve, &s.token, "TaoProtocol::recycle_from", (ink_account(&s.minter), 1u128)).unwrap();
    assert_eq!(r.value, Err(TokenError::NotProtocol));
    assert_eq!(chain.query::<u128>(&eve, &s.token, "PSP22::total_supply", ()), 0);
}

#[test]
fn emission_across_the_first_halving_from_a_dev_genesis() {
    let mut chain = Chain::new();
    let holder = chain.account();
    // 2 TAO below the halving: the first two pulled blocks pay 1 TAO, the rest 0.5 TAO.
    let s = deploy_token(&mut chain, vec![(holder.clone(), 10_500_000 * TAO - 2 * TAO)]).unwrap();
    chain.advance(10);
    let pulled = chain.call::<Result<u128, TokenError>>(&s.minter, &s.token, "TaoEmission::mint_emission", ()).unwrap();
    assert_eq!(pulled.value, Ok(2 * TAO + 8 * TAO / 2));
    let info: EmissionInfo = chain.query(&holder, &s.token, "TaoEmission::emission_info", ());
    assert_eq!(info.block_emission, TAO / 2);
    assert_eq!(info.next_halving_issuance, 15_750_000 * TAO);
}

#[test]
fn transfers_approvals_burns_and_protocol_pulls() {
    let mut chain = Chain::new();
    let alice = chain.account();
    let bob = chain.account();
    let s = deploy_token(&mut chain, vec![(alice.clone(), 1_000 * TAO)]).unwrap();
    let t = &s.token;
    let transfer = chain
        .call::<Result<(), PSP22Error>>(&alice, t, "PSP22::transfer", (ink_account(&bob), 300 * TAO, Vec::<u8>::new()))
        .unwrap();
    assert_eq!(transfer.value, Ok(()));
    println!("gas: PSP22::transfer ref_time {}", transfer.gas_consumed.ref_time());
    let too_much = chain
        .call::<Result<(), PSP22Error>>(&bob, t, "PSP22::transfer", (ink_account(&alice), 301 * TAO, Vec::<u8>::new()))
        .unwrap();
    assert_eq!(too_much.value, Err(PSP22Error::InsufficientBalance));
    assert_eq!(chain.query::<u128>(&bob, t, "PSP22::balance_of", (ink_account(&bob),)), 300 * TAO);

    let r = chain.call::<Result<(), PSP22Error>>(&bob, t, "PSP22::approve", (ink_account(&alice), 50 * TAO)).unwrap();
    assert_eq!(r.value, Ok(()));
    let r = chain
        .call::<Result<(), PSP22Error>>(&alice, t, "PSP22::transfer_from", (ink_account(&bob), ink_account(&alice), 51 * TAO, Vec::<u8>::new()))
        .unwrap();
    assert_eq!(r.value, Err(PSP22Error::InsufficientAllowance));
    let r = chain
        .call::<Result<(), PSP22Error>>(&alice, t, "PSP22::transfer_from", (ink_account(&bob), ink_account(&alice), 50 * TAO, Vec::<u8>::new()))
        .unwrap();
    assert_eq!(r.value, Ok(()));
    assert_eq!(chain.query::<u128>(&bob, t, "PSP22::allowance", (ink_account(&bob), ink_account(&alice))), 0);

    let r = chain.call::<Result<(), PSP22Error>>(&alice, t, "PSP22Burnable::burn", (100 * TAO,)).unwrap();
    assert_eq!(r.value, Ok(()));
    assert_eq!(chain.query::<u128>(&alice, t, "PSP22::total_supply", ()), 900 * TAO);

    let r = chain.call::<Result<(), TokenError>>(&s.protocol, t, "TaoProtocol::pull", (ink_account(&alice), 10 * TAO)).unwrap();
    assert_eq!(r.value, Ok(()));
    let r = chain.call::<Result<(), TokenError>>(&s.protocol, t, "TaoProtocol::recycle_from", (ink_account(&bob), 1_000 * TAO)).unwrap();
    assert_eq!(r.value, Err(TokenError::InsufficientBalance));
    let r = chain.call::<Result<(), TokenError>>(&s.protocol, t, "TaoProtocol::recycle_from", (ink_account(&bob), 50 * TAO)).unwrap();
    assert_eq!(r.value, Ok(()));
    assert_eq!(chain.query::<u128>(&alice, t, "PSP22::balance_of", (ink_account(&s.protocol),)), 10 * TAO);
    assert_eq!(chain.query::<u128>(&alice, t, "PSP22::total_supply", ()), 850 * TAO);
}
