//! The epoch's working set against contract memory: a contract has 1 MiB (16 wasm pages) for
//! its stack (64 KiB), ink's buffer (16 KiB), its data and its heap, and a 1,024-UID epoch
//! with 64 full weight rows runs close to it (the gas bench once trapped there). This binary
//! counts the heap the epoch allocates on top of what it started with, on the host: pointers
//! and vector headers are twice their wasm32 size here, so the figure is an upper bound.
use bt_interfaces::{AccountId, Hyperparams, NeuronSlot, SubnetView};
use consensus_ledger::state::{LedgerParams, LedgerState};
mod common;

#[path = "../../yuma/tests/common/counting.rs"]
mod counting;

/// The heap the contract may use: 1 MiB less the stack, ink's buffer and room for data.
const HEAP_BUDGET: usize = 1024 * 1024 - 64 * 1024 - 16 * 1024 - 64 * 1024;

fn hotkey(i: u32) -> AccountId {
    let mut bytes = [7u8; 32];
    bytes[..4].copy_from_slice(&i.to_le_bytes());
    AccountId::from(bytes)
}

#[test]
fn a_1024_uid_epoch_with_64_full_rows_fits_contract_memory() {
    ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
        let n: u16 = 1_024;
        let validators: u16 = 64;
        let h = Hyperparams { max_allowed_validators: validators, max_allowed_uids: n, ..common::hyperparams() };
        let view = SubnetView {
            netuid: 1,
            owner: AccountId::from([1; 32]),
            owner_hotkey: hotkey(0),
            created_at: 1,
            n,
            locked: 0,
            hyperparams: h,
        };
        let slots: Vec<NeuronSlot> =
            (0..u32::from(n)).map(|i| NeuronSlot { hotkey: hotkey(i), registered_at: 1 }).collect();
        let stakes: Vec<u128> =
            (0..n).map(|i| if i < validators { 1_000_000_000_000 + u128::from(i) } else { 0 }).collect();
        let mut l = LedgerState::new(LedgerParams::default());
        l.subnet_created(1, 1);
        let epoch = |l: &mut LedgerState, now: u32| {
            l.add_emission(1_000_000_000_000);
            let r = l.run_epoch(&view, &slots, &stakes, now).unwrap();
            let paid: u128 = r.payouts.iter().map(|p| p.incentive + p.dividends).sum();
            l.finish_epoch(1, now, &r, paid).unwrap();
            r
        };
        epoch(&mut l, 11); // permits
        let uids: Vec<u16> = (0..n).collect();
        for v in 0..validators {
            let values: Vec<u16> =
                uids.iter().map(|u| 1 + ((u32::from(*u) * 7_919 + u32::from(v) * 104_729) % 60_000) as u16).collect();
            l.set_weights(&view, v, &slots[usize::from(v)], stakes[usize::from(v)], 12, &uids, &values, 0).unwrap();
        }
        epoch(&mut l, 21); // full bond rows from here on
        let (r, used) = counting::peak_during(|| epoch(&mut l, 31));
        println!("1,024-UID epoch: {used} bytes of heap at its peak (host sizes), budget {HEAP_BUDGET}");
        assert_eq!(r.payouts.len(), usize::from(n), "everyone is paid");
        assert!(used < HEAP_BUDGET, "the epoch needs {used} bytes of heap; a contract has about {HEAP_BUDGET}");
        Ok(())
    })
    .unwrap();
}
