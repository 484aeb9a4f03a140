//! The `neuron` commands and the chain client against a real substrate-contracts-node with the
//! suite deployed by `scripts/deploy.sh` from the release bundles (build them first:
//! `scripts/build-contracts.sh`; `scripts/test.sh` does). Every command runs as the real
//! binary; refusals are checked for their words.

mod support;

use std::process::Stdio;
use std::time::Duration;

use bt_interfaces::RegistryView;
use support::Procs;
use support::node::{ALICE, Env, Node, TAO, address_after, advance, deploy, rao};

#[test]
fn commands_drive_the_economy_on_a_real_node() {
    let dir = tempfile::tempdir().unwrap();
    let (node, env) = Env::on_new_node(dir.path());

    // Wallet: create, list, wrong password refused, fund.
    env.ok(&["wallet", "new", "w1"]);
    let list = env.json(&["wallet", "list"]);
    let cold = list[0]["coldkey"].as_str().unwrap().to_string();
    assert_eq!(list[0]["hotkeys"][0]["name"], "default");
    let hot = list[0]["hotkeys"][0]["address"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = env
        .cmd(&[
            "wallet", "transfer", "--wallet", "w1", "--to", ALICE, "--amount", "1",
        ])
        .env("BT_WALLET_PASSWORD", "not the password")
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("wrong password"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    env.ok(&[
        "wallet", "transfer", "--wallet", "//Alice", "--to", &cold, "--amount", "1000", "--native",
    ]);
    env.ok(&[
        "wallet", "transfer", "--wallet", "//Alice", "--to", &cold, "--amount", "500",
    ]);
    let bal = env.json(&["wallet", "balance", "--wallet", "w1"]);
    assert_eq!(rao(&bal["free_rao"]), 500 * TAO);
    let err = env.refused(&[
        "wallet", "transfer", "--wallet", "w1", "--to", ALICE, "--amount", "600",
    ]);
    assert!(
        err.contains("the transfer refused: the sender's TAO balance is below the amount"),
        "{err}"
    );

    // Subnets: the genesis subnet, tuned by its owner (the deployer); others are refused.
    let subnets = env.json(&["subnet", "list"]);
    assert_eq!(subnets[0]["netuid"], 1);
    let err = env.refused(&["subnet", "set", "1", "tempo", "10", "--wallet", "w1"]);
    assert!(
        err.contains("refused: only the subnet's owner may do this"),
        "{err}"
    );
    let err = env.refused(&["subnet", "set", "1", "tempo", "0", "--wallet", "//Alice"]);
    assert!(err.contains("tempo is outside its bounds"), "{err}");
    for (p, v) in [
        ("tempo", "10"),
        ("weights_rate_limit", "0"),
        ("max_regs_per_block", "4"),
        ("min_difficulty", "1000"),
        ("max_difficulty", "20000"),
    ] {
        env.ok(&["subnet", "set", "1", p, v, "--wallet", "//Alice"]);
    }
    let h = env.json(&["subnet", "hyperparams", "1"]);
    assert_eq!(h["tempo"], "10");
    assert_eq!(h["max_difficulty"], "20000");

    // Registration by burn (the hotkey consents first, funded by the coldkey) and by work.
    let reg = env.json(&[
        "subnet", "register", "--netuid", "1", "--burn", "--wallet", "w1", "--hotkey", "default",
    ]);
    assert_eq!(reg["uid"], 1);
    let err = env.refused(&[
        "subnet", "register", "--netuid", "7", "--burn", "--wallet", "w1",
    ]);
    assert!(err.contains("no subnet has netuid 7"), "{err}");
    env.ok(&["wallet", "new-hotkey", "w1", "--hotkey", "h2"]);
    let reg2 = env.json(&[
        "subnet",
        "register",
        "--netuid",
        "1",
        "--pow",
        "--threads",
        "2",
        "--wallet",
        "w1",
        "--hotkey",
        "h2",
    ]);
    assert_eq!(reg2["uid"], 2);

    // Axon, stake, weights.
    env.ok(&[
        "axon",
        "serve",
        "127.0.0.1:9999",
        "--netuid",
        "1",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ]);
    env.ok(&[
        "stake", "add", "--wallet", "w1", "--hotkey", "default", "--amount", "100",
    ]);
    let positions = env.json(&["stake", "list", "--wallet", "w1"]);
    let pos = positions
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["hotkey"] == hot.as_str())
        .expect("position on the hotkey");
    assert_eq!(
        rao(&pos["stake_rao"]),
        100 * TAO,
        "the whole position, maturing included"
    );
    assert_eq!(
        rao(&pos["maturing_rao"]),
        100 * TAO,
        "just added: none of it matured"
    );
    let err = env.refused(&[
        "stake", "remove", "--wallet", "w1", "--hotkey", "default", "--amount", "1000",
    ]);
    assert!(err.contains("unstaking refused"), "{err}");
    let weigh_uid2 = [
        "weights",
        "set",
        "--netuid",
        "1",
        "--uids",
        "2",
        "--weights",
        "1",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ];
    let err = env.refused(&weigh_uid2);
    assert!(err.contains("weights refused: only validators"), "{err}");

    // Epochs: due, run, then the simulation of the next epoch matches what the ledger pays.
    let due = env.json(&["epoch", "due"]);
    assert_eq!(due[0]["netuid"], 1);
    // Stake matures from the second stake interval (10 blocks here) after it was added.
    advance(&node, 25);
    let first = env.json(&["epoch", "run", "--netuid", "1", "--wallet", "//Alice"]);
    assert_eq!(first["value"]["netuid"], 1);
    // Permits exist now: the validator weights UID 2.
    let set = env.json(&weigh_uid2);
    assert_eq!(set["value"][0][0], 2);
    let row = env.json(&["weights", "show", "--netuid", "1", "--uid", "1"]);
    assert_eq!(row["weights"][0][0], 2);
    advance(&node, 12);
    let sim = env.json(&["epoch", "simulate", "1"]);
    let run = env.json(&["epoch", "run", "--netuid", "1", "--wallet", "//Alice"]);
    let meta = env.json(&["metagraph", "1"]);
    for (s, m) in sim["neurons"]
        .as_array()
        .unwrap()
        .iter()
        .zip(meta.as_array().unwrap())
    {
        let share = s["incentive"].as_u64().unwrap() as f64 / 65535.0;
        assert!(
            (share - m["incentive"].as_f64().unwrap()).abs() < 1e-12,
            "uid {}: simulated incentive {share}, chain {}",
            s["uid"],
            m["incentive"]
        );
        let share = s["dividends"].as_u64().unwrap() as f64 / 65535.0;
        assert!(
            (share - m["dividends"].as_f64().unwrap()).abs() < 1e-12,
            "uid {}: dividends",
            s["uid"]
        );
    }
    assert!(rao(&run["value"]["paid_rao"]) > 0);
    let miner = meta
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["uid"] == 2)
        .unwrap();
    assert!(
        miner["incentive"].as_f64().unwrap() > 0.99,
        "the only weighted miner takes the incentive: {miner}"
    );
    let served = meta
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["uid"] == 1)
        .unwrap();
    assert_eq!(served["axon"], "127.0.0.1:9999");

    // Root and delegates read back.
    let delegates = env.json(&["stake", "delegates"]);
    assert!(
        delegates
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["hotkey"] == hot.as_str())
    );
    let err = env.refused(&[
        "root",
        "weights",
        "--netuids",
        "1",
        "--weights",
        "1",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ]);
    assert!(
        err.contains("root weights refused: only root network members"),
        "{err}"
    );

    // Export and import: the coldkey file opens as a polkadot.js keystore elsewhere.
    let exported = dir.path().join("cold.json");
    env.ok(&[
        "wallet",
        "export",
        "w1",
        "--out",
        exported.to_str().unwrap(),
    ]);
    env.ok(&[
        "wallet",
        "import",
        "w2",
        "--file",
        exported.to_str().unwrap(),
    ]);
    let bal2 = env.json(&["wallet", "balance", "--wallet", "w2"]);
    assert_eq!(bal2["address"], cold.as_str());
}

#[test]
fn the_client_survives_a_node_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::start(dir.path());
    let deployment = deploy(&node, dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use offchain_neuron::chain::{Chain, Deployment};
        let d = Deployment::load(&deployment).unwrap();
        let chain = Chain::connect(d, Some(&node.url()), Duration::from_secs(30))
            .await
            .unwrap();
        let before = chain.block().await.unwrap();
        node.stop();
        // The node comes back on the same base path a few seconds later.
        let restart = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_secs(3));
            node.spawn();
            node
        });
        let after = chain
            .block()
            .await
            .expect("the read retried until the node was back");
        assert!(
            after >= before,
            "the chain kept its blocks: {before} -> {after}"
        );
        let netuids = chain.read(&chain.registry().netuids_open()).await.unwrap();
        assert_eq!(
            netuids,
            vec![(1, true)],
            "the deployment survived the restart"
        );
        drop(restart.await.unwrap());
    });
}

#[test]
fn a_miner_and_a_validator_meet_on_the_chain() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let (node, env) = Env::on_new_node(dir.path());
    for (p, v) in [
        ("tempo", "10"),
        ("weights_rate_limit", "0"),
        ("max_regs_per_block", "4"),
    ] {
        env.ok(&["subnet", "set", "1", p, v, "--wallet", "//Alice"]);
    }
    let model = dir.path().join("small.bpk");
    env.ok(&[
        "train",
        "--out",
        model.to_str().unwrap(),
        "--size",
        "small",
        "--steps",
        "30",
        "--batch",
        "32",
        "--eval-images",
        "64",
    ]);

    // The validator: the genesis owner hotkey (//Alice, UID 0) with stake, and a permit from
    // the first epoch after its stake matured.
    env.ok(&[
        "stake", "add", "--wallet", "//Alice", "--hotkey", "//Alice", "--amount", "1000",
    ]);
    advance(&node, 25);
    env.ok(&["epoch", "run", "--netuid", "1", "--wallet", "//Alice"]);

    // The miner registers itself by burn, serves, and publishes its axon.
    let mut procs = Procs(Vec::new());
    let mut miner = env
        .cmd(&[
            "miner",
            "--model",
            model.to_str().unwrap(),
            "--netuid",
            "1",
            "--wallet",
            "//Alice",
            "--hotkey",
            "//Bob",
            "--register",
            "burn",
            "--port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = miner.stdout.take().unwrap();
    procs.0.push(miner);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .strip_prefix("axon listening on http://")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected miner output: {line:?}"))
        .to_string();
    let meta = env.json(&["metagraph", "1"]);
    let bob = meta
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["uid"] == 1)
        .expect("the miner holds UID 1");
    assert_eq!(
        bob["axon"],
        addr.as_str(),
        "the published axon is the one listening"
    );

    // The validator scores it and sets weights on the ledger.
    let out = env.ok(&[
        "validator",
        "--netuid",
        "1",
        "--wallet",
        "//Alice",
        "--hotkey",
        "//Alice",
        "--rounds",
        "2",
        "--interval-secs",
        "1",
        "--images",
        "16",
        "--timeout-ms",
        "10000",
        "--state",
        dir.path().join("v.json").to_str().unwrap(),
    ]);
    assert!(out.contains("chain: weights set in block"), "{out}");
    let row = env.json(&["weights", "show", "--netuid", "1", "--uid", "0"]);
    assert_eq!(
        row["weights"][0][0], 1,
        "the validator's weights on the ledger name the miner: {row}"
    );
    for l in out.lines().filter(|l| l.contains("chain: weights")) {
        println!("{l}");
    }
}

#[test]
fn owners_delegates_root_and_commit_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let (node, env) = Env::on_new_node(dir.path());
    env.ok(&["wallet", "new", "w1"]);
    let cold = env.json(&["wallet", "list"])[0]["coldkey"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&[
        "wallet", "transfer", "--wallet", "//Alice", "--to", &cold, "--amount", "1000", "--native",
    ]);
    env.ok(&[
        "wallet", "transfer", "--wallet", "//Alice", "--to", &cold, "--amount", "5000",
    ]);

    // A hotkey regenerated from its mnemonic is the same key.
    let made = env.ok(&["wallet", "new-hotkey", "w1", "--hotkey", "h3"]);
    let h3 = address_after(&made, "hotkey `h3` of wallet `w1`: ");
    let phrase = made
        .lines()
        .find_map(|l| l.trim().strip_prefix("mnemonic: "))
        .unwrap()
        .to_string();
    let mut regen = env
        .cmd(&["wallet", "regen", "w1", "--hotkey", "h4"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    regen
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{phrase}\n").as_bytes())
        .unwrap();
    assert!(regen.wait_with_output().unwrap().status.success());
    let hotkeys = env.json(&["wallet", "list"])[0]["hotkeys"].clone();
    let h4 = hotkeys
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "h4")
        .unwrap();
    assert_eq!(h4["address"], h3.as_str());

    // A subnet of one's own: a lock above --max-lock is refused, then created and tuned.
    let cost = rao(&env.json(&["subnet", "lock-cost"])["lock_cost_rao"]);
    assert!(cost > 0 && cost < 5000 * TAO, "lock cost {cost}");
    let err = env.refused(&[
        "subnet",
        "create",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
        "--max-lock",
        "0.000000001",
    ]);
    assert!(
        err.contains("creating the subnet refused: the lock cost is"),
        "{err}"
    );
    let created = env.json(&["subnet", "create", "--wallet", "w1", "--hotkey", "default"]);
    let netuid = created["value"].as_u64().unwrap().to_string();
    let show = env.json(&["subnet", "show", &netuid]);
    assert_eq!(show["owner"], cold.as_str());
    assert_eq!(rao(&show["locked_rao"]), cost);
    let err = env.refused(&["subnet", "set", &netuid, "tempo", "10", "--wallet", "w1"]);
    assert!(
        err.contains("tempo is outside its bounds. allowed: the owner may set 360..=50400"),
        "{err}"
    );
    env.ok(&[
        "subnet",
        "set",
        &netuid,
        "commit_reveal_enabled",
        "true",
        "--wallet",
        "w1",
    ]);
    // The admin may go below the owner's bounds (and then only the admin may write the record).
    for (p, v) in [("tempo", "10"), ("weights_rate_limit", "0")] {
        env.ok(&["subnet", "set", &netuid, p, v, "--wallet", "//Alice"]);
    }
    let err = env.refused(&[
        "axon",
        "serve",
        "127.0.0.1:0",
        "--netuid",
        &netuid,
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ]);
    assert!(
        err.contains("serving the axon refused: port 0 is not a port"),
        "{err}"
    );

    // Take: a decrease is always allowed, an increase right after is rate-limited.
    env.ok(&[
        "stake", "take", "--wallet", "w1", "--hotkey", "default", "--take", "5",
    ]);
    let err = env.refused(&[
        "stake", "take", "--wallet", "w1", "--hotkey", "default", "--take", "9",
    ]);
    assert!(
        err.contains("changing the take refused: take increases are rate-limited"),
        "{err}"
    );
    let params = env.json(&["stake", "params"]);
    assert_eq!(params["stake_interval_blocks"], 10);

    // Consent and claim: the hotkey must be able to pay its own extrinsic.
    let err = env.refused(&["stake", "offer", "--wallet", "w1", "--hotkey", "h3"]);
    assert!(
        err.contains(&format!("{h3} cannot pay the storage deposit"))
            && err.contains("fund it with the chain's native token"),
        "{err}"
    );
    env.ok(&[
        "wallet", "transfer", "--wallet", "//Alice", "--to", &h3, "--amount", "10", "--native",
    ]);
    env.ok(&["stake", "offer", "--wallet", "w1", "--hotkey", "h3"]);
    env.ok(&["stake", "claim", "--wallet", "w1", "--hotkey", "h3"]);
    let err = env.refused(&["stake", "claim", "--wallet", "//Bob", "--hotkey", &h3]);
    assert!(
        err.contains("claiming the hotkey refused: the hotkey already belongs to another coldkey"),
        "{err}"
    );

    // Root: refused below the minimum stake, accepted once 2,000 TAO matured.
    env.ok(&[
        "stake", "add", "--wallet", "w1", "--hotkey", "default", "--amount", "2000",
    ]);
    let err = env.refused(&["root", "register", "--wallet", "w1", "--hotkey", "default"]);
    assert!(
        err.contains("root registration refused: joining the root network needs 1000 TAO of stake"),
        "{err}"
    );
    advance(&node, 25);
    env.ok(&["root", "register", "--wallet", "w1", "--hotkey", "default"]);
    env.ok(&[
        "root",
        "weights",
        "--netuids",
        &format!("1,{netuid}"),
        "--weights",
        "1,3",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ]);
    let root = env.json(&["root", "show"]);
    assert_eq!(rao(&root["members"][0]["stake_rao"]), 2000 * TAO);

    // Commit-reveal: the commit is kept on disk, revealed after the next epoch, and counts.
    let err = env.refused(&[
        "weights",
        "set",
        "--netuid",
        &netuid,
        "--uids",
        "0",
        "--weights",
        "1",
        "--wallet",
        "w1",
        "--hotkey",
        "default",
    ]);
    assert!(err.contains("commit-reveal is on"), "{err}");
    env.ok(&["epoch", "run", "--netuid", &netuid, "--wallet", "//Alice"]);
    // w1's one-weight commit and its reveal, as the CLI does them.
    let commit = || {
        env.json(&[
            "weights",
            "commit",
            "--netuid",
            &netuid,
            "--uids",
            "0",
            "--weights",
            "1",
            "--wallet",
            "w1",
            "--hotkey",
            "default",
        ])
    };
    let reveal = || {
        env.json(&[
            "weights", "reveal", "--netuid", &netuid, "--wallet", "w1", "--hotkey", "default",
        ])
    };
    let committed = commit();
    assert_eq!(committed["salt"].as_array().unwrap().len(), 8);
    let early = reveal();
    assert!(
        early["revealed"].as_array().unwrap().is_empty()
            && early["dropped"].as_array().unwrap().is_empty(),
        "nothing is revealable before the next epoch, and the commit is kept: {early}"
    );
    advance(&node, 12);
    env.ok(&["epoch", "run", "--netuid", &netuid, "--wallet", "//Alice"]);
    let revealed = reveal();
    assert_eq!(revealed["revealed"][0]["hash"], committed["hash"]);
    let row = env.json(&["weights", "show", "--netuid", &netuid, "--uid", "0"]);
    assert_eq!(row["weights"][0], serde_json::json!([0, 65535]));

    // A commit left unrevealed past its reveal epoch expires: the reveal is refused, the
    // client drops it, and the row revealed before stays the one that counts.
    let stale = commit();
    for _ in 0..2 {
        advance(&node, 12);
        env.ok(&["epoch", "run", "--netuid", &netuid, "--wallet", "//Alice"]);
    }
    let late = reveal();
    assert!(
        late["revealed"].as_array().unwrap().is_empty(),
        "an expired commit was revealed: {late}"
    );
    assert_eq!(late["dropped"][0]["hash"], stale["hash"], "{late}");
    assert_eq!(late["dropped"][0]["code"], "CommitExpired", "{late}");
    let kept = env.json(&["weights", "show", "--netuid", &netuid, "--uid", "0"]);
    assert_eq!(
        kept["set_at"], row["set_at"],
        "the expired commit replaced the revealed row"
    );
    let again = reveal();
    assert!(
        again["dropped"].as_array().unwrap().is_empty(),
        "the expired commit was kept in the store: {again}"
    );

    // Dissolution: only the owner; the lock comes back (no immunity on a local network).
    let err = env.refused(&["subnet", "dissolve", &netuid, "--wallet", "//Bob"]);
    assert!(
        err.contains("dissolving the subnet refused: only the subnet's owner"),
        "{err}"
    );
    let before = rao(&env.json(&["wallet", "balance", "--wallet", "w1"])["free_rao"]);
    env.ok(&["subnet", "dissolve", &netuid, "--wallet", "w1"]);
    let after = rao(&env.json(&["wallet", "balance", "--wallet", "w1"])["free_rao"]);
    assert_eq!(after - before, cost, "the lock returned");
    let inspect = env.json(&["wallet", "inspect", "--wallet", "w1"]);
    assert_eq!(inspect["coldkey"], cold.as_str());
}
