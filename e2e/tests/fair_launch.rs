//! A fair launch: no premine. Miners and validators register by proof of work, the only TAO
//! is emission, the subnet owner stakes the first TAO it earns on the validators, the miners
//! earn by accuracy, and the owner's nominations grow through dividends.

#[test]
fn a_fair_launch_pays_miners_and_grows_a_nomination() {
    let dir = e2e::RunDir::new("fair-launch");
    let s = e2e::localnet(
        &dir,
        &[
            "--fair-launch",
            "--tempos",
            "12",
            "--tempo",
            "10",
            "--block-ms",
            "500",
        ],
    )
    .unwrap();
    const TAO: u128 = 1_000_000_000;
    let issuance = e2e::rao(&s["total_issuance_rao"]);
    // Emission only: about one TAO per block for a few hundred blocks (a premine would be
    // a million).
    assert!(
        issuance < 1_000 * TAO,
        "more TAO exists than emission made: {s}"
    );
    let earned = |name: &str| e2e::earned_rao(&s, name);
    assert!(
        earned("strong") > earned("fair") && earned("fair") > earned("weak"),
        "miners do not earn by accuracy: {s}"
    );
    let (staked, worth) = (
        e2e::rao(&s["owner_staked_rao"]),
        e2e::rao(&s["owner_nominated_rao"]),
    );
    assert!(staked > 0, "the owner never nominated: {s}");
    assert!(
        worth > 2 * staked,
        "the nomination did not grow through dividends: staked {staked}, worth {worth}"
    );
    println!(
        "fair launch: {} TAO issued; the owner staked {:.3} TAO, now worth {:.3}; strong earned {:.3}, weak {:.3}",
        issuance / TAO,
        staked as f64 / TAO as f64,
        worth as f64 / TAO as f64,
        earned("strong") as f64 / TAO as f64,
        earned("weak") as f64 / TAO as f64
    );
    dir.passed();
}
