//! Property: random sequences of moves by honest users and adversaries across the four real
//! contracts keep the books and the rules users rely on.
//!
//! Moves: registrations (by burn, after the hotkey's offer or without it), offers and claims
//! of hotkeys by any coldkey, stake and unstake, weights, epochs, sniping (stake, run the
//! epoch and unstake in one block), subnet creation and dissolution, root registration, root
//! votes and root epochs, transfers and recycles.
//!
//! Checked every `CHECK_EVERY` moves and at the end: issuance ≤ cap and == Σ balances; staking holds exactly the total
//! stake; the registry exactly the live subnets' locks; no epoch pays out more than it
//! accrued (checked at every epoch); no hotkey is ever owned by a coldkey it did not offer
//! itself to; and a sniper never leaves with more than it brought (checked at every snipe).
//!
//! `BT_DRINK_OPS` sets the number of moves over all cases (default 10,000).
use bt_interfaces::{Hyperparams, LedgerError, PSP22Error, RegistryError, StakingError, SubnetView};
use consensus_ledger::consensus_ledger::EpochReport;
use ink::primitives::AccountId;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use suite_tests::suite::{Suite, TAO};
use suite_tests::{ink_account as id, AccountId32, Chain};

#[derive(Debug, Clone)]
enum Op {
    Register { coldkey: usize, hotkey: usize },
    Offer { hotkey: usize, coldkey: usize },
    Claim { coldkey: usize, hotkey: usize },
    AddStake { coldkey: usize, hotkey: usize, amount: u128 },
    RemoveStake { coldkey: usize, hotkey: usize, amount: u128 },
    Snipe { hotkey: usize, amount: u128 },
    SetWeights { hotkey: usize, weights: Vec<(u16, u16)> },
    Advance { blocks: u32 },
    RunEpoch,
    CreateSubnet { coldkey: usize, hotkey: usize },
    Dissolve { coldkey: usize, pick: usize },
    RootRegister { hotkey: usize },
    RootWeights { hotkey: usize, weights: Vec<(u16, u16)> },
    RunRootEpoch,
    Transfer { from: usize, to: usize, amount: u128 },
    Recycle { coldkey: usize, amount: u128 },
}

const COLDKEYS: usize = 3;
const HOTKEYS: usize = 5;
/// Moves per generated sequence.
const SEQUENCE: usize = 250;
/// Moves between two checks of the full books.
const CHECK_EVERY: usize = 10;

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![0u128..TAO, 0u128..200 * TAO, Just(u128::MAX / 2)];
    let weights = proptest::collection::vec((0u16..8, any::<u16>()), 0..6);
    prop_oneof![
        3 => (0..COLDKEYS, 0..HOTKEYS).prop_map(|(coldkey, hotkey)| Op::Register { coldkey, hotkey }),
        2 => (0..HOTKEYS, 0..COLDKEYS).prop_map(|(hotkey, coldkey)| Op::Offer { hotkey, coldkey }),
        1 => (0..COLDKEYS, 0..HOTKEYS).prop_map(|(coldkey, hotkey)| Op::Claim { coldkey, hotkey }),
        3 => (0..COLDKEYS, 0..HOTKEYS, amount.clone()).prop_map(|(coldkey, hotkey, amount)| Op::AddStake { coldkey, hotkey, amount }),
        2 => (0..COLDKEYS, 0..HOTKEYS, amount.clone()).prop_map(|(coldkey, hotkey, amount)| Op::RemoveStake { coldkey, hotkey, amount }),
        2 => (0..HOTKEYS, 0u128..500 * TAO).prop_map(|(hotkey, amount)| Op::Snipe { hotkey, amount }),
        2 => (0..HOTKEYS, weights.clone()).prop_map(|(hotkey, weights)| Op::SetWeights { hotkey, weights }),
        3 => (1u32..12).prop_map(|blocks| Op::Advance { blocks }),
        2 => Just(Op::RunEpoch),
        1 => (0..COLDKEYS, 0..HOTKEYS).prop_map(|(coldkey, hotkey)| Op::CreateSubnet { coldkey, hotkey }),
        1 => (0..COLDKEYS, 0..4usize).prop_map(|(coldkey, pick)| Op::Dissolve { coldkey, pick }),
        1 => (0..HOTKEYS).prop_map(|hotkey| Op::RootRegister { hotkey }),
        1 => (0..HOTKEYS, weights).prop_map(|(hotkey, weights)| Op::RootWeights { hotkey, weights }),
        1 => Just(Op::RunRootEpoch),
        1 => (0..COLDKEYS, 0..COLDKEYS, amount.clone()).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
        1 => (0..COLDKEYS, amount).prop_map(|(coldkey, amount)| Op::Recycle { coldkey, amount }),
    ]
}

struct Books {
    chain: Chain,
    s: Suite,
    coldkeys: Vec<AccountId32>,
    hotkeys: Vec<AccountId32>,
    netuid: u16,
    /// A coldkey that only ever snipes: it owns nothing and nominates nothing between snipes,
    /// so any gain it shows comes from sniping.
    sniper: AccountId32,
    /// Every coldkey each hotkey has offered itself to (index into `coldkeys`).
    offered: BTreeMap<usize, BTreeSet<usize>>,
}

impl Books {
    fn new() -> Self {
        let mut chain = Chain::new();
        let coldkeys: Vec<AccountId32> = (0..COLDKEYS).map(|_| chain.account()).collect();
        let hotkeys: Vec<AccountId32> = (0..HOTKEYS).map(|_| chain.account()).collect();
        let sniper = chain.account();
        let mut genesis: Vec<_> = coldkeys.iter().map(|c| (c.clone(), 3_000 * TAO)).collect();
        genesis.push((sniper.clone(), 3_000 * TAO));
        let s = Suite::deploy(&mut chain, &genesis).unwrap();
        // Root within reach of the test's amounts, and often.
        let root = consensus_ledger::state::LedgerParams {
            root_tempo: 20,
            root_weights_rate_limit: 0,
            root_min_stake: 50 * TAO,
            ..Default::default()
        };
        let r = chain.call::<Result<(), LedgerError>>(&s.admin, &s.ledger, "set_params", (root,)).unwrap();
        assert_eq!(r.value, Ok(()));
        s.offer(&mut chain, &hotkeys[0], &coldkeys[0]).unwrap();
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
        Books { chain, s, coldkeys, hotkeys, netuid, sniper, offered: BTreeMap::from([(0, BTreeSet::from([0]))]) }
    }

    fn netuids(&mut self) -> Vec<u16> {
        let admin = self.s.admin.clone();
        self.chain.query(&admin, &self.s.registry, "netuids", ())
    }

    fn apply(&mut self, op: &Op) {
        let netuids = self.netuids();
        let (c, s) = (&mut self.chain, &self.s);
        let pick_netuid = |pick: usize| netuids.get(pick % netuids.len().max(1)).copied().unwrap_or(self.netuid);
        match op {
            Op::Register { coldkey, hotkey } => {
                let args = (self.netuid, id(&self.hotkeys[*hotkey]), 10 * TAO);
                let _ = c.call::<Result<u16, RegistryError>>(&self.coldkeys[*coldkey], &s.registry, "burned_register", args);
            }
            Op::Offer { hotkey, coldkey } => {
                if s.offer(c, &self.hotkeys[*hotkey], &self.coldkeys[*coldkey]).is_ok() {
                    self.offered.entry(*hotkey).or_default().insert(*coldkey);
                }
            }
            Op::Claim { coldkey, hotkey } => {
                let args = (id(&self.hotkeys[*hotkey]),);
                let _ = c.call::<Result<(), StakingError>>(&self.coldkeys[*coldkey], &s.staking, "claim_hotkey", args);
            }
            Op::AddStake { coldkey, hotkey, amount } => {
                let args = (id(&self.hotkeys[*hotkey]), *amount);
                let _ = c.call::<Result<(), StakingError>>(&self.coldkeys[*coldkey], &s.staking, "add_stake", args);
            }
            Op::RemoveStake { coldkey, hotkey, amount } => {
                let args = (id(&self.hotkeys[*hotkey]), *amount);
                let _ = c.call::<Result<u128, StakingError>>(&self.coldkeys[*coldkey], &s.staking, "remove_stake", args);
            }
            Op::Snipe { hotkey, amount } => {
                // Stake, run the epoch and leave, all in one block: the sniper's TAO (balance
                // plus position) must not grow.
                let (cold, hot) = (self.sniper.clone(), id(&self.hotkeys[*hotkey]));
                let worth = |c: &mut Chain| -> u128 {
                    let balance: u128 = c.query(&cold, &s.token, "PSP22::balance_of", (id(&cold),));
                    let position: u128 = c.query(&cold, &s.staking, "stake_of", (hot, id(&cold)));
                    balance + position
                };
                let before = worth(c);
                let _ = c.call::<Result<(), StakingError>>(&cold, &s.staking, "add_stake", (hot, *amount));
                let _ = c.call::<Result<EpochReport, LedgerError>>(&cold, &s.ledger, "run_epoch", (self.netuid,));
                let _ = c.call::<Result<u128, StakingError>>(&cold, &s.staking, "remove_stake", (hot, *amount));
                let after = worth(c);
                assert!(after <= before, "a sniper gained {} RAO in one block", after - before);
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
                for netuid in &netuids {
                    let r = c.call::<Result<EpochReport, LedgerError>>(&s.admin, &s.ledger, "run_epoch", (*netuid,)).unwrap();
                    if let Ok(report) = r.value {
                        assert!(report.paid + report.owner_cut <= report.accrued, "an epoch pays at most what it accrued: {report:?}");
                    }
                }
            }
            Op::CreateSubnet { coldkey, hotkey } => {
                let args = (id(&self.hotkeys[*hotkey]), 1_000 * TAO);
                let _ = c.call::<Result<u16, RegistryError>>(&self.coldkeys[*coldkey], &s.registry, "create_subnet", args);
            }
            Op::Dissolve { coldkey, pick } => {
                let args = (pick_netuid(*pick),);
                let _ = c.call::<Result<u128, RegistryError>>(&self.coldkeys[*coldkey], &s.registry, "dissolve_subnet", args);
            }
            Op::RootRegister { hotkey } => {
                let hot = self.hotkeys[*hotkey].clone();
                let _ = c.call::<Result<(), LedgerError>>(&hot, &s.ledger, "root_register", (id(&hot),));
            }
            Op::RootWeights { hotkey, weights } => {
                let (picks, values): (Vec<u16>, Vec<u16>) = weights.iter().copied().unzip();
                let netuids: Vec<u16> = picks.iter().map(|p| pick_netuid(usize::from(*p))).collect();
                let _ = c.call::<Result<(), LedgerError>>(&self.hotkeys[*hotkey], &s.ledger, "set_root_weights", (netuids, values));
            }
            Op::RunRootEpoch => {
                let _ = c.call::<Result<(), LedgerError>>(&s.admin, &s.ledger, "run_root_epoch", ());
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
        let netuids = self.netuids();
        let (c, s) = (&mut self.chain, &self.s);
        let admin = s.admin.clone();
        let issuance: u128 = c.query(&admin, &s.token, "PSP22::total_supply", ());
        assert!(issuance <= 21_000_000 * TAO, "issuance within the cap");
        let mut holders = self.coldkeys.clone();
        holders.push(self.sniper.clone());
        holders.extend(self.hotkeys.iter().cloned());
        holders.extend([s.registry.clone(), s.staking.clone(), s.ledger.clone(), admin.clone()]);
        let held: u128 = holders.iter().map(|a| c.query::<u128>(&admin, &s.token, "PSP22::balance_of", (id(a),))).sum();
        assert_eq!(issuance, held, "issuance == Σ balances after {after:?}");
        let staked: u128 = c.query(&admin, &s.staking, "total_stake", ());
        let staking_tokens: u128 = c.query(&admin, &s.token, "PSP22::balance_of", (id(&s.staking),));
        assert_eq!(staking_tokens, staked, "staking holds exactly the stake after {after:?}");
        let per_hotkey: u128 = self.hotkeys.iter().map(|h| c.query::<u128>(&admin, &s.staking, "stake_of_hotkey", (id(h),))).sum();
        assert_eq!(per_hotkey, staked, "no stake is lost or invented");
        let locked: u128 = netuids
            .iter()
            .map(|n| c.query::<Option<SubnetView>>(&admin, &s.registry, "RegistryView::subnet", (*n,)).map_or(0, |v| v.locked))
            .sum();
        let registry_tokens: u128 = c.query(&admin, &s.token, "PSP22::balance_of", (id(&s.registry),));
        assert_eq!(registry_tokens, locked, "the registry holds exactly the live subnets' locks after {after:?}");
        for (h, hotkey) in self.hotkeys.iter().enumerate() {
            let owner: Option<AccountId> = c.query(&admin, &s.staking, "StakingProtocol::owner_of", (id(hotkey),));
            if let Some(owner) = owner {
                let consented = self.offered.get(&h).is_some_and(|cs| cs.iter().any(|&k| id(&self.coldkeys[k]) == owner));
                assert!(consented, "hotkey {h} is owned by a coldkey it never offered itself to, after {after:?}");
            }
        }
    }
}

fn sequences() -> (u32, usize) {
    let total: usize = std::env::var("BT_DRINK_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    (u32::try_from(total.div_ceil(SEQUENCE)).unwrap_or(u32::MAX), SEQUENCE)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: sequences().0, max_shrink_iters: 64, ..ProptestConfig::default() })]
    #[test]
    fn the_books_always_balance(ops in proptest::collection::vec(op(), sequences().1)) {
        let mut books = Books::new();
        for (i, op) in ops.iter().enumerate() {
            books.apply(op);
            // The full books cost ~30 queries; every few moves keeps 10,000 moves within CI's
            // budget, and a broken invariant stays broken until the next check.
            if i % CHECK_EVERY == CHECK_EVERY - 1 || i + 1 == ops.len() {
                books.check(op);
            }
        }
    }
}
