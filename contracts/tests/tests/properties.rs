//! Property: random sequences of registrations, stakes, unstakes, weights, epochs, transfers
//! and recycles across the four real contracts keep the books: issuance ≤ cap, issuance ==
//! Σ balances, staking holds exactly the total stake, the registry exactly the locks, and
//! no epoch pays out more than it accrued.
use bt_interfaces::{Hyperparams, LedgerError, PSP22Error, RegistryError, StakingError, SubnetView};
use consensus_ledger::consensus_ledger::EpochReport;
use proptest::prelude::*;
use suite_tests::suite::{Suite, TAO};
use suite_tests::{ink_account as id, AccountId32, Chain};

#[derive(Debug, Clone)]
enum Op {
    Register { coldkey: usize, hotkey: usize },
    AddStake { coldkey: usize, hotkey: usize, amount: u128 },
    RemoveStake { coldkey: usize, hotkey: usize, amount: u128 },
    SetWeights { hotkey: usize, weights: Vec<(u16, u16)> },
    Advance { blocks: u32 },
    RunEpoch,
    Transfer { from: usize, to: usize, amount: u128 },
    Recycle { coldkey: usize, amount: u128 },
}

const COLDKEYS: usize = 3;
const HOTKEYS: usize = 5;

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![0u128..TAO, 0u128..200 * TAO, Just(u128::MAX / 2)];
    prop_oneof![
        (0..COLDKEYS, 0..HOTKEYS).prop_map(|(coldkey, hotkey)| Op::Register { coldkey, hotkey }),
        (0..COLDKEYS, 0..HOTKEYS, amount.clone()).prop_map(|(coldkey, hotkey, amount)| Op::AddStake { coldkey, hotkey, amount }),
        (0..COLDKEYS, 0..HOTKEYS, amount.clone()).prop_map(|(coldkey, hotkey, amount)| Op::RemoveStake { coldkey, hotkey, amount }),
        (0..HOTKEYS, proptest::collection::vec((0u16..8, any::<u16>()), 0..6))
            .prop_map(|(hotkey, weights)| Op::SetWeights { hotkey, weights }),
        (1u32..12).prop_map(|blocks| Op::Advance { blocks }),
        Just(Op::RunEpoch),
        (0..COLDKEYS, 0..COLDKEYS, amount.clone()).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
        (0..COLDKEYS, amount).prop_map(|(coldkey, amount)| Op::Recycle { coldkey, amount }),
    ]
}

struct Books {
    chain: Chain,
    s: Suite,
    coldkeys: Vec<AccountId32>,
    hotkeys: Vec<AccountId32>,
    netuid: u16,
}

impl Books {
    fn new() -> Self {
        let mut chain = Chain::new();
        let coldkeys: Vec<AccountId32> = (0..COLDKEYS).map(|_| chain.account()).collect();
        let hotkeys: Vec<AccountId32> = (0..HOTKEYS).map(|_| chain.account()).collect();
        let genesis: Vec<_> = coldkeys.iter().map(|c| (c.clone(), 1_000 * TAO)).collect();
        let s = Suite::deploy(&mut chain, &genesis).unwrap();
        let netuid = chain
            .call::<Result<u16, RegistryError>>(&coldkeys[0], &s.registry, "create_subnet", (id(&hotkeys[0]), 100 * TAO))
            .unwrap()
            .value
            .unwrap();
        let h: Hyperparams = chain.query::<Option<Hyperparams>>(&s.admin, &s.registry, "hyperparams", (netuid,)).unwrap();
        let fast = Hyperparams {
            tempo: 5,
            weights_rate_limit: 0,
            max_allowed_uids: 4,
            min_allowed_uids: 1,
            max_allowed_validators: 2,
            max_regs_per_block: 4,
            target_regs_per_interval: 4,
            immunity_period: 2,
            ..h
        };
        chain.call::<Result<(), RegistryError>>(&s.admin, &s.registry, "set_hyperparams", (netuid, fast)).unwrap();
        Books { chain, s, coldkeys, hotkeys, netuid }
    }

    fn apply(&mut self, op: &Op) {
        let (c, s) = (&mut self.chain, &self.s);
        match op {
            Op::Register { coldkey, hotkey } => {
                let args = (self.netuid, id(&self.hotkeys[*hotkey]), 10 * TAO);
                let _ = c.call::<Result<u16, RegistryError>>(&self.coldkeys[*coldkey], &s.registry, "burned_register", args);
            }
            Op::AddStake { coldkey, hotkey, amount } => {
                let args = (id(&self.hotkeys[*hotkey]), *amount);
                let _ = c.call::<Result<(), StakingError>>(&self.coldkeys[*coldkey], &s.staking, "add_stake", args);
            }
            Op::RemoveStake { coldkey, hotkey, amount } => {
                let args = (id(&self.hotkeys[*hotkey]), *amount);
                let _ = c.call::<Result<u128, StakingError>>(&self.coldkeys[*coldkey], &s.staking, "remove_stake", args);
            }
            Op::SetWeights { hotkey, weights } => {
                let (uids, values): (Vec<u16>, Vec<u16>) = weights.iter().copied().unzip();
                let args = (self.netuid, uids, values, 0u64);
                let _ = c.call::<Result<(), LedgerError>>(&self.hotkeys[*hotkey], &s.ledger, "set_weights", args);
            }
            Op::Advance { blocks } => {
                c.advance(*blocks);
            }
            Op::RunEpoch => {
                let r = c.call::<Result<EpochReport, LedgerError>>(&s.admin, &s.ledger, "run_epoch", (self.netuid,)).unwrap();
                if let Ok(report) = r.value {
                    assert!(report.paid + report.owner_cut <= report.accrued, "an epoch pays at most what it accrued: {report:?}");
                }
            }
            Op::Transfer { from, to, amount } => {
                let args = (id(&self.coldkeys[*to]), *amount, Vec::<u8>::new());
                let _ = c.call::<Result<(), PSP22Error>>(&self.coldkeys[*from], &s.token, "PSP22::transfer", args);
            }
            Op::Recycle { coldkey, amount } => {
                let _ = c.call::<Result<(), PSP22Error>>(&self.coldkeys[*coldkey], &s.token, "PSP22Burnable::burn", (*amount,));
            }
        }
    }

    fn check(&mut self, after: &Op) {
        let (c, s) = (&mut self.chain, &self.s);
        let admin = s.admin.clone();
        let issuance: u128 = c.query(&admin, &s.token, "PSP22::total_supply", ());
        assert!(issuance <= 21_000_000 * TAO, "issuance within the cap");
        let mut holders = self.coldkeys.clone();
        holders.extend(self.hotkeys.iter().cloned());
        holders.extend([s.registry.clone(), s.staking.clone(), s.ledger.clone(), admin.clone()]);
        let held: u128 = holders.iter().map(|a| c.query::<u128>(&admin, &s.token, "PSP22::balance_of", (id(a),))).sum();
        assert_eq!(issuance, held, "issuance == Σ balances after {after:?}");
        let staked: u128 = c.query(&admin, &s.staking, "total_stake", ());
        let staking_tokens: u128 = c.query(&admin, &s.token, "PSP22::balance_of", (id(&s.staking),));
        assert_eq!(staking_tokens, staked, "staking holds exactly the stake after {after:?}");
        let per_hotkey: u128 = self.hotkeys.iter().map(|h| c.query::<u128>(&admin, &s.staking, "stake_of_hotkey", (id(h),))).sum();
        assert_eq!(per_hotkey, staked, "no stake is lost or invented");
        let view: SubnetView = c.query::<Option<SubnetView>>(&admin, &s.registry, "RegistryView::subnet", (self.netuid,)).unwrap();
        let registry_tokens: u128 = c.query(&admin, &s.token, "PSP22::balance_of", (id(&s.registry),));
        assert_eq!(registry_tokens, view.locked, "the registry holds exactly the lock");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 64, ..ProptestConfig::default() })]
    #[test]
    fn the_books_always_balance(ops in proptest::collection::vec(op(), 10..40)) {
        let mut books = Books::new();
        for op in &ops {
            books.apply(op);
            books.check(op);
        }
    }
}
