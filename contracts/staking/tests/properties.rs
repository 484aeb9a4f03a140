//! Property: random sequences of binds, stakes, unstakes and distributions keep the books:
//! what staking holds (tokens in − tokens out) equals total stake, every pool's value covers
//! the sum of its stakers' positions, and rounding loses at most one share's price per
//! position. Incentive that waits beside its pool counts in all of these.
//!
//! Dividends replayed beside their pool must give exactly what paying the pool gives: every
//! sequence runs twice, the second time with dividends arriving each time from a new subnet,
//! which ends any replay before the payout (so the pools are paid directly), and every pool,
//! stake and position must match between the two runs to the RAO and the share.
mod common;
use bt_interfaces::Payout;
use common::acc;
use proptest::prelude::*;
use staking::state::{StakingParams, StakingState};

const HOTKEYS: u8 = 3; // accounts 10..13
const COLDKEYS: u8 = 4; // accounts 20..24

#[derive(Debug, Clone)]
enum Op {
    Bind { hotkey: u8, coldkey: u8 },
    Add { coldkey: u8, hotkey: u8, amount: u128 },
    Remove { coldkey: u8, hotkey: u8, amount: u128 },
    /// A payout on (netuid, uid): UIDs change hands between hotkeys, and incentive-only
    /// payouts wait in the subnet's cells.
    Distribute { hotkey: u8, netuid: u16, uid: u16, incentive: u128, dividends: u128 },
    Advance { blocks: u32 },
    /// An epoch's payouts in one call: every hotkey `h` on UID `h`.
    Epoch { netuid: u16, incentive: u128, dividends: u128 },
    /// The owner lowers the take (ends a replay: it copied the take).
    LowerTake { hotkey: u8, take: u16 },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..5_000, 0u128..10_000_000_000_000, Just(u128::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..HOTKEYS, 0..COLDKEYS).prop_map(|(hotkey, coldkey)| Op::Bind { hotkey, coldkey }),
        (0..COLDKEYS, 0..HOTKEYS, amount()).prop_map(|(coldkey, hotkey, amount)| Op::Add { coldkey, hotkey, amount }),
        (0..COLDKEYS, 0..HOTKEYS, amount()).prop_map(|(coldkey, hotkey, amount)| Op::Remove { coldkey, hotkey, amount }),
        (0..HOTKEYS, 1u16..3, 0u16..3, 0u128..1_000_000_000_000, prop_oneof![Just(0u128), 0u128..1_000_000_000_000])
            .prop_map(|(hotkey, netuid, uid, incentive, dividends)| Op::Distribute { hotkey, netuid, uid, incentive, dividends }),
        (0u32..12).prop_map(|blocks| Op::Advance { blocks }),
        (0..HOTKEYS, 0u16..12_000).prop_map(|(hotkey, take)| Op::LowerTake { hotkey, take }),
        (1u16..3, 0u128..1_000_000_000, 0u128..1_000_000_000_000).prop_map(|(netuid, incentive, dividends)| Op::Epoch { netuid, incentive, dividends }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn stake_is_conserved(ops in proptest::collection::vec(op(), 1..60)) {
        let replayed = run(&ops, false);
        let direct = run(&ops, true);
        for (step, (r, d)) in replayed.iter().zip(&direct).enumerate() {
            assert_eq!(r, d, "replayed vs paid directly after {:?}", ops[step]);
        }
    }
}

/// Runs `ops` on a fresh state, checking the books after each; returns, per op, what it
/// returned and every pool, stake and position after it. With `direct`, dividends come from a
/// new subnet each time, so no replay survives to the next payout.
fn run(ops: &[Op], direct: bool) -> Vec<Vec<u128>> {
    let mut snapshots = Vec::new();
    ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
        let params = StakingParams { min_stake: 1_000, stake_interval: 4, moves_per_interval: 3, ..StakingParams::default() };
        let mut s = StakingState::new(params);
        let mut held: u128 = 0; // tokens the staking contract would hold
        let mut block: u32 = 1;
        for (step, op) in ops.iter().enumerate() {
            let outcome: u128 = match *op {
                Op::Bind { hotkey, coldkey } => {
                    let _ = s.offer(acc(10 + hotkey), acc(20 + coldkey));
                    u128::from(s.bind(acc(10 + hotkey), acc(20 + coldkey), 1).is_ok())
                }
                Op::Add { coldkey, hotkey, amount } => {
                    let ok = amount < 1_000_000_000_000_000_000 && s.add_stake(acc(20 + coldkey), acc(10 + hotkey), amount, block).is_ok();
                    if ok {
                        held += amount;
                    }
                    u128::from(ok)
                }
                Op::Remove { coldkey, hotkey, amount } => {
                    let before = s.stake_of(acc(10 + hotkey), acc(20 + coldkey));
                    match s.remove_stake(acc(20 + coldkey), acc(10 + hotkey), amount, block) {
                        Ok((paid, _)) => {
                            assert!(paid >= amount && paid <= before, "paid {paid} of {before} for {amount}");
                            held -= paid;
                            paid
                        }
                        Err(_) => u128::MAX,
                    }
                }
                Op::Distribute { hotkey, netuid, uid, incentive, dividends } => {
                    let netuid = if direct && dividends > 0 { 1_000 + step as u16 } else { netuid };
                    let (total, _) = s.distribute(netuid, &[Payout { hotkey: acc(10 + hotkey), uid, incentive, dividends }], block).unwrap();
                    held += total;
                    total
                }
                Op::Epoch { netuid, incentive, dividends } => {
                    let payouts: Vec<Payout> = (0..HOTKEYS)
                        .map(|h| Payout { hotkey: acc(10 + h), uid: u16::from(h), incentive, dividends: dividends * u128::from(h) })
                        .collect();
                    let total = if direct {
                        // Incentive-only payouts on the subnet (where they wait), the others
                        // from a new one.
                        let (alone, with): (Vec<Payout>, Vec<Payout>) = payouts.into_iter().partition(|p| p.dividends == 0);
                        s.distribute(netuid, &alone, block).unwrap().0 + s.distribute(1_000 + step as u16, &with, block).unwrap().0
                    } else {
                        s.distribute(netuid, &payouts, block).unwrap().0
                    };
                    held += total;
                    total
                }
                Op::Advance { blocks } => {
                    block += blocks;
                    0
                }
                Op::LowerTake { hotkey, take } => match s.owner_of(acc(10 + hotkey)) {
                    Some(owner) => u128::from(s.decrease_take(owner, acc(10 + hotkey), take, block).is_ok()),
                    None => 2,
                },
            };
            let mut snapshot = vec![outcome, s.total_stake()];
            assert_eq!(s.total_stake(), held, "total stake == tokens held, after {op:?}");
            let mut pools_value = 0;
            for h in 0..HOTKEYS {
                let hotkey = acc(10 + h);
                let pool_value = s.stake_of_hotkey(hotkey);
                // A pool lists at most MAX_WAITING_SLOTS slots, each with something
                // waiting for it: no read is spent on empty or foreign slots.
                if let Some(pool) = s.pool(hotkey) {
                    assert!(pool.waiting.len() <= staking::state::MAX_WAITING_SLOTS, "{:?}", pool.waiting);
                    for slot in &pool.waiting {
                        let w = s.waiting_at_slot(*slot);
                        assert!(w.hotkey == hotkey && w.amount > 0, "{slot:?} listed for {hotkey:?} holds {w:?}");
                    }
                    // A replay is carried in one list, and only while no incentive waits.
                    if let Some((netuid, _)) = pool.replaying {
                        assert_eq!(s.replays_of(netuid).iter().filter(|r| r.hotkey == hotkey).count(), 1);
                        assert!(pool.waiting.is_empty(), "replaying with incentive waiting");
                    }
                    for netuid in 1..3u16 {
                        if s.replays_of(netuid).iter().any(|r| r.hotkey == hotkey) {
                            assert_eq!(pool.replaying.map(|(n, _)| n), Some(netuid), "{hotkey:?} carried in {netuid} without knowing it");
                        }
                    }
                    snapshot.extend([pool.value, pool.shares, pool.owner_shares, u128::from(pool.take)]);
                }
                let consensus = s.stakes(&[hotkey], block)[0];
                assert!(consensus <= pool_value, "consensus stake is part of the total");
                // The epoch's query by UID reads a miner's waiting incentive from its cell
                // alone: it must agree with the pool-based figure wherever the hotkey sits.
                for netuid in 1..3u16 {
                    for uid in 0..3u16 {
                        assert_eq!(s.uid_stakes(netuid, uid, &[hotkey], block), vec![consensus], "{hotkey:?} at ({netuid}, {uid}) after {op:?}");
                    }
                }
                pools_value += pool_value;
                let stakes: Vec<u128> = (0..COLDKEYS).map(|c| s.stake_of(hotkey, acc(20 + c))).collect();
                let positions: u128 = stakes.iter().sum();
                assert!(positions <= pool_value, "positions {positions} exceed pool {pool_value}");
                // Values floor to the RAO; a matured tranche's shares are split among its
                // stakers by floored shares, so one share's price per position at most.
                let share_price = s.pool(hotkey).filter(|p| p.shares > 0).map_or(1, |p| p.value.div_ceil(p.shares).max(1));
                assert!(pool_value - positions <= (u128::from(COLDKEYS) + 1) * (share_price + 1),
                    "rounding lost more than a share per position: pool {pool_value}, positions {positions}");
                snapshot.extend([pool_value, consensus]);
                snapshot.extend(stakes);
            }
            assert_eq!(pools_value, s.total_stake());
            snapshots.push(snapshot);
        }
        Ok(())
    })
    .unwrap();
    snapshots
}
