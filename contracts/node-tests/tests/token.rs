//! The TAO token on a real substrate-contracts-node: deploy, wire, transfer, pull emission,
//! and typed refusals. Each test starts its own fresh dev node.
#![cfg(feature = "e2e-tests")]
use bt_interfaces::{EmissionInfo, PSP22Error, TaoEmission, TaoProtocol, TokenError, PSP22};
use ink::scale::Decode;
use ink_e2e::ContractsBackend;
use node_tests::{id, query, submit, E2EResult, NodeClient, TAO};
use tao_token::events::EmissionMinted;
use tao_token::tao_token::{TaoToken, TaoTokenRef};

#[test]
fn deploy_wire_transfer_and_pull_emission() {
    node_tests::run(deploy_wire_transfer_and_pull_emission_on);
}

async fn deploy_wire_transfer_and_pull_emission_on(mut client: NodeClient) -> E2EResult<()> {
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    // Dev genesis for alice; bob plays the minter (the ledger), charlie a protocol contract.
    let mut ctor = TaoTokenRef::new_with_genesis(vec![(id(&alice), 1_000 * TAO)]);
    let token = client
        .instantiate("tao-token", &alice, &mut ctor)
        .submit()
        .await
        .expect("instantiate");
    let mut call = token.call_builder::<TaoToken>();

    let wired = submit(
        &mut client,
        &alice,
        &call.configure(id(&bob), vec![id(&charlie)]),
    )
    .await
    .expect("configure");
    assert_eq!(wired.return_value(), Ok(()));

    let transfer = submit(
        &mut client,
        &alice,
        &call.transfer(id(&charlie), 250 * TAO, vec![]),
    )
    .await
    .expect("transfer");
    println!(
        "gas (node dry run): PSP22::transfer ref_time {}",
        transfer.dry_run.exec_result.gas_consumed.ref_time()
    );
    assert_eq!(transfer.return_value(), Ok(()));
    let balance = query(&mut client, &alice, &call.balance_of(id(&charlie))).await?;
    assert_eq!(balance, 250 * TAO);

    // A few more blocks (each extrinsic seals one), then the minter pulls.
    for _ in 0..3 {
        submit(&mut client, &alice, &call.transfer(id(&bob), 1, vec![]))
            .await
            .expect("filler transfer");
    }
    let before: EmissionInfo = query(&mut client, &bob, &call.emission_info()).await?;
    let pull = submit(&mut client, &bob, &call.mint_emission())
        .await
        .expect("mint_emission");
    println!(
        "gas (node dry run): TaoEmission::mint_emission ref_time {}",
        pull.dry_run.exec_result.gas_consumed.ref_time()
    );
    let minted: Vec<EmissionMinted> = pull
        .contract_emitted_events()?
        .into_iter()
        .filter(|e| {
            e.topics.first().map(|t| t.0) == <EmissionMinted as ink::env::Event>::SIGNATURE_TOPIC
        })
        .filter_map(|e| EmissionMinted::decode(&mut &e.event.data[..]).ok())
        .collect();
    assert_eq!(minted.len(), 1, "one EmissionMinted event");
    let ev = &minted[0];
    assert_eq!(ev.from_block, before.last_emission_block);
    let blocks = u128::from(ev.to_block - ev.from_block);
    assert!(
        blocks >= 4,
        "wiring, a transfer and three fillers happened since"
    );
    assert_eq!(
        ev.amount,
        blocks * TAO,
        "exactly 1 TAO per block before the first halving"
    );
    let minter_balance = query(&mut client, &bob, &call.balance_of(id(&bob))).await?;
    assert_eq!(minter_balance, ev.amount + 3);
    let supply = query(&mut client, &bob, &call.total_supply()).await?;
    assert_eq!(supply, 1_000 * TAO + ev.amount);
    Ok(())
}

#[test]
fn unauthorised_callers_get_typed_errors() {
    node_tests::run(unauthorised_callers_get_typed_errors_on);
}

async fn unauthorised_callers_get_typed_errors_on(mut client: NodeClient) -> E2EResult<()> {
    let (alice, bob, eve) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::eve());
    let mut ctor = TaoTokenRef::new_with_genesis(vec![(id(&alice), 10 * TAO)]);
    let token = client
        .instantiate("tao-token", &alice, &mut ctor)
        .submit()
        .await
        .expect("instantiate");
    let mut call = token.call_builder::<TaoToken>();

    let early = query(&mut client, &bob, &call.mint_emission()).await?;
    assert_eq!(early, Err(TokenError::NotConfigured));
    let stranger_wires = query(&mut client, &eve, &call.configure(id(&eve), vec![])).await?;
    assert_eq!(stranger_wires, Err(TokenError::NotAdmin));
    submit(&mut client, &alice, &call.configure(id(&bob), vec![]))
        .await
        .expect("configure");

    let not_minter = query(&mut client, &eve, &call.mint_emission()).await?;
    assert_eq!(not_minter, Err(TokenError::NotMinter));
    let not_protocol = query(&mut client, &eve, &call.pull(id(&alice), TAO)).await?;
    assert_eq!(not_protocol, Err(TokenError::NotProtocol));
    let rewire = query(&mut client, &alice, &call.configure(id(&eve), vec![])).await?;
    assert_eq!(rewire, Err(TokenError::AlreadyConfigured));
    let overdraw = query(&mut client, &eve, &call.transfer(id(&alice), 1, vec![])).await?;
    assert_eq!(overdraw, Err(PSP22Error::InsufficientBalance));
    // A refused call submitted as an extrinsic fails and changes nothing.
    assert!(submit(&mut client, &eve, &call.mint_emission())
        .await
        .is_err());
    let supply = query(&mut client, &eve, &call.total_supply()).await?;
    assert_eq!(supply, 10 * TAO);
    Ok(())
}
