//! Upstream epoch oracles (economics spec §8.2), reproduced through an emulation of the
//! upstream test harness (`tests/common`): registration block, permit epoch, `set_weights`
//! (row max-upscale, `LastUpdate`), block advance, bond mask `block − tempo`.

mod common;
use common::*;
use yuma::{run_epoch, EpochInput, EpochParams, NeuronInput};

fn classic_params(max_validators: u16) -> EpochParams {
    EpochParams {
        max_allowed_validators: max_validators,
        ..EpochParams::default()
    }
}

#[test]
fn test_1_graph() {
    // register at block 1, stake 1 TAO, self-weight, epoch at block 1.
    let mut sim = Sim::new(
        1,
        u64::from(u16::MAX - 1),
        classic_params(64),
        &[1_000_000_000],
    );
    sim.set_weights(0, &[0], &[u16::MAX]);
    let out = sim.epoch();
    let x = &out.neurons[0];
    assert_eq!((x.consensus, x.incentive, x.dividends), (0, 0, 0));
    // No valid weights and no active stake (no permit yet): everything to stake.
    assert_eq!(x.validator_emission, 1_000_000_000);
    assert_eq!(x.server_emission, 0);
}

#[test]
fn test_10_graph() {
    // append_neuron(.., 0): registered at 0; run_to_block(1); self-weights; epoch at 1.
    let mut sim = Sim::new(0, u64::from(u16::MAX - 1), classic_params(64), &[1; 10]);
    sim.block = 1;
    for i in 0..10 {
        sim.set_weights(i, &[i as u16], &[u16::MAX]);
    }
    let out = sim.epoch();
    for x in &out.neurons {
        assert_eq!((x.consensus, x.incentive, x.dividends), (0, 0, 0));
        assert_eq!(x.emission, 99_999_999);
        assert_eq!(x.validator_emission, 99_999_999);
        assert_eq!(x.server_emission, 0);
        assert_eq!(x.stake_weight, 6553); // floor(0.0999999999767 * 65535)
    }
}

/// `distribute_nodes`: 0 = blockwise, 1 = regular interleaving, 2 = a fixed permutation
/// (upstream shuffles with thread_rng; any permutation must give the same numbers).
fn distribute(validators_n: usize, n: usize, interleave: usize) -> (Vec<u16>, Vec<u16>) {
    match interleave {
        0 => (
            (0..validators_n as u16).collect(),
            (validators_n as u16..n as u16).collect(),
        ),
        1 => (0..n as u16).partition(|&i| i as usize % (n / validators_n) == 0),
        _ => {
            // deterministic "shuffle": multiply by a unit mod n
            let perm: Vec<u16> = (0..n).map(|i| ((i * 389 + 17) % n) as u16).collect();
            (perm[..validators_n].to_vec(), perm[validators_n..].to_vec())
        }
    }
}

#[test]
fn test_512_graph() {
    let n = 512;
    let validators_n = 64;
    let max_stake_per_validator: u64 = 328_125_000_000_000;
    for interleave in 0..3 {
        for server_self in [false, true] {
            let (validators, servers) = distribute(validators_n, n, interleave);
            let stakes: Vec<u64> = (0..n as u16)
                .map(|i| {
                    if validators.contains(&i) {
                        max_stake_per_validator
                    } else {
                        0
                    }
                })
                .collect();
            // append_neuron at block 0, tests run at block 1; tempo u16::MAX − 1.
            let mut sim = Sim::new(
                0,
                u64::from(u16::MAX - 1),
                classic_params(validators_n as u16),
                &stakes,
            );
            sim.block = 1;
            sim.epoch(); // permits
            let w = vec![u16::MAX / n as u16; servers.len()];
            for &v in &validators {
                sim.set_weights(v as usize, &servers, &w);
            }
            if server_self {
                for &s in &servers {
                    sim.set_weights(s as usize, &[s], &[u16::MAX]);
                }
            }
            let mut out = sim.epoch();
            for _ in 1..3 {
                out = sim.epoch();
            }
            let (server, validator) = (servers[0], validators[0]);
            for &v in &validators {
                let x = &out.neurons[v as usize];
                assert_eq!((x.consensus, x.incentive, x.dividends), (0, 0, 1023));
                assert_eq!(x.emission, 7_812_500);
                assert_eq!(sim.bond(v as usize, validator), 0);
                assert_eq!(sim.bond(v as usize, server), 65535);
            }
            for &s in &servers {
                let x = &out.neurons[s as usize];
                assert_eq!((x.consensus, x.incentive, x.dividends), (146, 146, 0));
                assert_eq!(x.emission, 1_116_071);
                assert_eq!(sim.bond(s as usize, validator), 0);
                assert_eq!(sim.bond(s as usize, server), 0);
            }
        }
    }
}

#[test]
fn test_bonds() {
    let mut params = classic_params(8);
    params.bonds_penalty = u16::MAX;
    // new_test_ext(1): registration at block 1; tempo 1.
    let mut sim = Sim::new(1, 1, params, &[1, 2, 3, 4, 0, 0, 0, 0]);
    sim.epoch(); // permits at block 1
    sim.next_block(); // block 2
    for uid in 0..4 {
        sim.set_weights(
            uid,
            &[4, 5, 6, 7],
            &[u16::MAX / 4, u16::MAX / 2, (u16::MAX / 4) * 3, u16::MAX],
        );
    }
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 4)).collect::<Vec<_>>(),
        [16383, 32767, 49151, 65535]
    );
    assert_eq!(
        emissions(&out),
        [49999998, 99999999, 150000000, 200000001, 49998779, 100000610, 149996337, 200004272]
    );

    // === UID0 self-weight only.
    sim.set_weights(0, &[0], &[u16::MAX]);
    sim.next_block(); // 3
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 4)).collect::<Vec<_>>(),
        [14582, 32767, 49151, 65535]
    );
    assert_eq!(dividends(&out), [5897, 13252, 19879, 26505, 0, 0, 0, 0]);
    assert_eq!(
        emissions(&out),
        [44998351, 101110561, 151667215, 202223870, 49998779, 100000610, 149996337, 200004272]
    );

    // === UID1 self-weight only.
    sim.set_weights(1, &[1], &[u16::MAX]);
    sim.next_block(); // 4
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 4)).collect::<Vec<_>>(),
        [12603, 28321, 49151, 65535]
    );
    assert_eq!(
        emissions(&out),
        [40496805, 90999783, 157929636, 210573773, 49998779, 100000610, 149996337, 200004272]
    );

    // === UID2 self-weight only: only UID3 (0.4 < κ) weights servers → C = 0, fallback.
    sim.set_weights(2, &[2], &[u16::MAX]);
    sim.next_block(); // 5
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 7)).collect::<Vec<_>>(),
        [12602, 28320, 49150, 65535]
    );
    assert_eq!(
        emissions(&out),
        [99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0]
    );
    assert!(out
        .neurons
        .iter()
        .all(|x| x.consensus == 0 && x.incentive == 0 && x.dividends == 0));

    // === UID2 weights only UID7.
    sim.set_weights(2, &[7], &[u16::MAX]);
    sim.next_block(); // 6
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 7)).collect::<Vec<_>>(),
        [10951, 24609, 49150, 65535]
    );
    assert_eq!(
        emissions(&out),
        [36443733, 81898628, 163565493, 218092144, 0, 0, 0, 500000000]
    );

    sim.next_block(); // 7
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 7)).collect::<Vec<_>>(),
        [9559, 21482, 49150, 65535]
    );
    assert_eq!(
        emissions(&out),
        [32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000]
    );

    sim.next_block(); // 8
    let out = sim.epoch();
    assert_eq!(
        (0..4).map(|i| sim.bond(i, 7)).collect::<Vec<_>>(),
        [8376, 18824, 49150, 65535]
    );
    assert_eq!(
        emissions(&out),
        [29518068, 66336137, 173203134, 230942659, 0, 0, 0, 500000000]
    );

    sim.next_block(); // 9
    let out = sim.epoch();
    assert_eq!(
        emissions(&out),
        [26565175, 59701871, 177311856, 236421095, 0, 0, 0, 500000000]
    );
}

#[test]
fn test_active_stake() {
    let mut params = classic_params(4);
    params.bonds_penalty = u16::MAX;
    // System::set_block_number(0): registration at block 0; tempo 1.
    let mut sim = Sim::new(0, 1, params, &[1, 1, 1, 1]);
    sim.epoch(); // permits at block 0
    sim.next_block(); // 1
    for uid in 0..2 {
        sim.set_weights(uid, &[2, 3], &[u16::MAX / 2; 2]);
    }
    let out = sim.epoch();
    for uid in 0..4 {
        if uid < 2 {
            assert_eq!(out.neurons[uid].dividends, 32767);
        }
        assert_eq!(out.neurons[uid].emission, 250_000_000);
    }
    for i in 0..2 {
        assert_eq!((sim.bond(i, 0), sim.bond(i, 1)), (0, 0));
        assert_eq!((sim.bond(i, 2), sim.bond(i, 3)), (65535, 65535));
    }

    // run to block activity_cutoff + 2 = 5002: UID1 (last update 1) becomes inactive.
    sim.block = 5002;
    sim.set_weights(0, &[2, 3], &[u16::MAX / 2; 2]);
    let out = sim.epoch();
    assert!(out.neurons[0].active && !out.neurons[1].active);
    assert_eq!(out.neurons[0].dividends, 36044);
    assert_eq!(out.neurons[0].emission, 274_999_999);
    assert_eq!((sim.bond(0, 2), sim.bond(0, 3)), (65535, 65535));
    assert_eq!(out.neurons[1].dividends, 29490);
    assert_eq!(out.neurons[1].emission, 224_999_999);
    assert_eq!((sim.bond(1, 2), sim.bond(1, 3)), (53619, 53619));
    assert_eq!(
        (out.neurons[2].emission, out.neurons[3].emission),
        (250_000_000, 250_000_000)
    );

    // UID1 re-sets weights, epoch at 5003.
    sim.set_weights(1, &[2, 3], &[u16::MAX / 2; 2]);
    sim.block = 5003;
    let out = sim.epoch();
    assert_eq!(out.neurons[0].dividends, 35716);
    assert_eq!(out.neurons[0].emission, 272_501_132);
    assert_eq!((sim.bond(0, 2), sim.bond(0, 3)), (65535, 65535));
    assert_eq!(out.neurons[1].dividends, 29818);
    assert_eq!(out.neurons[1].emission, 227_498_866);
    assert_eq!((sim.bond(1, 2), sim.bond(1, 3)), (54712, 54712));
}

/// Upstream `test_outdated_weights` (not listed in §8.2; its asserted numbers).
#[test]
fn test_outdated_weights() {
    let mut params = classic_params(4);
    params.bonds_penalty = u16::MAX;
    let mut sim = Sim::new(1, 0, params, &[1, 1, 1, 1]);
    sim.epoch(); // permits at block 1
    sim.next_block(); // 2
    for uid in 0..2 {
        sim.set_weights(uid, &[2, 3], &[2 * (u16::MAX / 3), u16::MAX / 3]);
    }
    for uid in 2..4 {
        sim.set_weights(uid, &[uid as u16], &[u16::MAX]);
    }
    let out = sim.epoch();
    assert_eq!(
        emissions(&out),
        [250000000, 250000000, 333331637, 166668361]
    );
    // UID3 (lowest emission) is replaced by a new key at block 2.
    sim.neurons[3] = Neuron {
        stake: 0,
        last_update: 2,
        registered_at: 2,
        ..Default::default()
    };
    sim.next_block(); // 3
    sim.set_weights(0, &[2, 3], &[2 * (u16::MAX / 3), u16::MAX / 3]);
    let out = sim.epoch();
    assert_eq!(out.neurons[0].dividends, 32767);
    assert_eq!(out.neurons[0].emission, 250_000_000);
    assert_eq!(sim.bond(0, 2), 65535);
    assert_eq!(sim.bond(0, 3), 65535);
}

/// §8.2 "Derived example": sim Case 11 epoch 0 under classic Yuma.
#[test]
fn derived_case_11_classic() {
    let rows: [&[(u16, u16)]; 3] = [
        &[(3, 28086), (4, 65535)],
        &[(3, 65535), (4, 43690)],
        &[(3, 65535), (4, 41899)],
    ];
    let stakes = [49_u64, 49, 2, 0, 0];
    let neurons: Vec<NeuronInput<'_>> = (0..5)
        .map(|i| NeuronInput {
            stake: stakes[i],
            last_update: if i < 3 { 10 } else { 1 },
            registered_at: 1,
            validator_permit: i < 3,
            weights: if i < 3 { rows[i] } else { &[] },
            bonds: &[],
        })
        .collect();
    let out = run_epoch(&EpochInput {
        block: 10,
        emission: 1_000_000_000,
        bonds_reset_block: 10,
        params: EpochParams::default(),
        neurons: &neurons,
    });
    let c: Vec<u16> = out.neurons[3..].iter().map(|x| x.consensus).collect();
    assert_eq!(c, [39320, 26213]);
    let inc: Vec<u16> = out.neurons[3..].iter().map(|x| x.incentive).collect();
    assert_eq!(inc, [34811, 30723]);
    let vt: Vec<u16> = out.neurons[..3].iter().map(|x| x.validator_trust).collect();
    assert_eq!(vt, [45874, 65534, 64879]);
    assert_eq!(&dividends(&out)[..3], [26358, 37655, 1521]);
    let se: Vec<u64> = out.neurons[3..].iter().map(|x| x.server_emission).collect();
    assert_eq!(se, [265_595_268, 234_404_731]);
    let ve: Vec<u64> = out.neurons[..3]
        .iter()
        .map(|x| x.validator_emission)
        .collect();
    assert_eq!(ve, [201_101_712, 287_289_476, 11_608_810]);
}
