//! Property: any sequence of transfers, approvals, pulls, recycles and emission pulls keeps
//! total issuance == Σ balances ≤ cap, and issuance only grows through emission.
use bt_interfaces::AccountId;
use proptest::prelude::*;
use tao_token::emission::{self, CAP};
use tao_token::state::{ProtocolContract, TokenState};

const ACCOUNTS: u8 = 5; // 0 = ledger (minter), 1 = registry (protocol), 2.. = users

fn acc(n: u8) -> AccountId {
    AccountId::from([n.saturating_add(100); 32])
}

#[derive(Debug, Clone)]
enum Op {
    Transfer { from: u8, to: u8, value: u128 },
    Approve { owner: u8, spender: u8, value: u128 },
    TransferFrom { spender: u8, from: u8, to: u8, value: u128 },
    Burn { who: u8, value: u128 },
    Pull { caller: u8, from: u8, value: u128 },
    Recycle { caller: u8, from: u8, value: u128 },
    Mint { caller: u8, blocks: u32 },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..2_000_000_000, Just(u128::MAX), 0u128..CAP]
}

fn who() -> impl Strategy<Value = u8> {
    0..ACCOUNTS
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (who(), who(), amount()).prop_map(|(from, to, value)| Op::Transfer { from, to, value }),
        (who(), who(), amount()).prop_map(|(owner, spender, value)| Op::Approve { owner, spender, value }),
        (who(), who(), who(), amount()).prop_map(|(spender, from, to, value)| Op::TransferFrom {
            spender,
            from,
            to,
            value
        }),
        (who(), amount()).prop_map(|(who, value)| Op::Burn { who, value }),
        (who(), who(), amount()).prop_map(|(caller, from, value)| Op::Pull { caller, from, value }),
        (who(), who(), amount()).prop_map(|(caller, from, value)| Op::Recycle { caller, from, value }),
        (who(), prop_oneof![0u32..50, 0u32..20_000_000, Just(u32::MAX / 2)])
            .prop_map(|(caller, blocks)| Op::Mint { caller, blocks }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn issuance_equals_sum_of_balances_and_stays_under_cap(
        genesis in 0u128..CAP,
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let (mut t, _) = TokenState::with_genesis(acc(9), &[(acc(2), genesis)]).unwrap();
            t.configure(acc(9), 0, acc(0), vec![ProtocolContract { account: acc(1), code_hash: None }]).unwrap();
            let mut block: u32 = 0;
            let mut last_pull: u32 = 0;
            for op in &ops {
                let before = t.total_issuance();
                let mut minted = 0;
                match *op {
                    Op::Transfer { from, to, value } => { let _ = t.transfer(acc(from), acc(to), value); }
                    Op::Approve { owner, spender, value } => { let _ = t.approve(acc(owner), acc(spender), value); }
                    Op::TransferFrom { spender, from, to, value } => {
                        let _ = t.transfer_from(acc(spender), acc(from), acc(to), value);
                    }
                    Op::Burn { who, value } => { let _ = t.burn(acc(who), value); }
                    Op::Pull { caller, from, value } => { let _ = t.pull(acc(caller), None, acc(from), value); }
                    Op::Recycle { caller, from, value } => { let _ = t.recycle_from(acc(caller), None, acc(from), value); }
                    Op::Mint { caller, blocks } => {
                        block = block.saturating_add(blocks);
                        let expected = emission::emission_over(before, u64::from(block - last_pull));
                        if let Ok((amount, _)) = t.mint_emission(acc(caller), block) {
                            assert_eq!(caller, 0, "only the minter mints");
                            assert_eq!(amount, expected, "a pull mints every block since the previous pull");
                            minted = amount;
                            last_pull = block;
                        }
                    }
                }
                let sum: u128 = (0..ACCOUNTS).chain([9]).map(|a| t.balance_of(acc(a))).sum();
                assert_eq!(t.total_issuance(), sum, "issuance == Σ balances after {op:?}");
                assert!(t.total_issuance() <= CAP);
                assert!(t.total_issuance() <= before + minted, "only emission raises issuance");
            }
            Ok(())
        }).unwrap();
    }
}
