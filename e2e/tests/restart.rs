//! Stopping the whole network and starting it again on the same node database: the chain, the
//! deployment and the UIDs survive; the neurons come back (the miners on new ports, published
//! again), the validators reach them, and epochs resume.

fn earned_total(s: &serde_json::Value) -> u128 {
    s["neurons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| e2e::rao(&n["earned_rao"]))
        .sum()
}

#[test]
fn a_stopped_network_resumes_where_it_was() {
    let dir = e2e::RunDir::new("restart");
    let port = e2e::free_port();
    let args = ["--tempos", "3", "--tempo", "10", "--block-ms", "500"];
    let mut first_args = vec!["--fresh"];
    first_args.extend_from_slice(&args);
    let first = e2e::localnet_on(&dir, port, &first_args).unwrap();
    let deployment = std::fs::read_to_string(dir.path.join("net/deployment.json")).unwrap();
    assert!(
        earned_total(&first) > 0,
        "nothing was earned in the first run: {first}"
    );

    let second = e2e::localnet_on(&dir, port, &args).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path.join("net/deployment.json")).unwrap(),
        deployment,
        "the suite was deployed again instead of reused"
    );
    let (end1, start2) = (
        first["last_block"].as_u64().unwrap(),
        second["first_block"].as_u64().unwrap(),
    );
    assert!(
        start2 > end1,
        "the chain restarted from scratch: first run ended at block {end1}, second began at {start2}"
    );
    assert_eq!(second["epochs"], 3, "epochs did not resume: {second}");
    // The restarted miners published their new axons and the validators reached them again.
    let inc = |name: &str| e2e::incentive(&second, name);
    assert!(
        inc("strong") > inc("weak"),
        "after the restart the validators no longer tell the miners apart: {second}"
    );
    // Every neuron kept its UID across the restart.
    for (a, b) in first["neurons"]
        .as_array()
        .unwrap()
        .iter()
        .zip(second["neurons"].as_array().unwrap())
    {
        assert_eq!(a["uid"], b["uid"], "{} changed UID", a["name"]);
    }
    dir.passed();
}
