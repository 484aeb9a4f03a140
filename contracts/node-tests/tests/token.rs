//! The TAO token on a real substrate-contracts-node: deploy, wire, transfer, pull emission,
//! and typed refusals. Each test starts its own fresh dev node.
#![cfg(feature = "e2e-tests")]
use bt_interfaces::{EmissionInfo, PSP22Error, TaoEmission, TaoProtocol, TokenError, PSP22};
use ink::scale::Decode;
use ink_e2e::ContractsBackend;
use node_tests::{id, E2EResult, NodeClient, TAO};
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

    let wired = client
        .call(&alice, &call.configure(id(&bob), vec![id(&charlie)]))
        .submit()
        .await
        .expect("configure");
    assert_eq!(wired.return_value(), Ok(()));

    let transfer = client
        .call(&alice, &call.transfer(id(&charlie), 250 * TAO, vec![]))
        .submit()
        .await
        .expect("transfer");
    println!(
        "gas (node dry run): PSP22::transfer ref_time {}",
        transfer.dry_run.exec_result.gas_consumed.ref_time()
    );
    assert_eq!(transfer.return_value(), Ok(()));
    let balance = client
        .call(&alice, &call.balance_of(id(&charlie)))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(balance, 250 * TAO);

    // A few more blocks (each extrinsic seals one), then the minter pulls.
    for _ in 0..3 {
        client
            .call(&alice, &call.transfer(id(&bob), 1, vec![]))
            .submit()
            .await
            .expect("filler transfer");
    }
    let before: EmissionInfo = client
        .call(&bob, &call.emission_info())
        .dry_run()
        .await?
        .return_value();
    let pull = client
        .call(&bob, &call.mint_emission())
        .submit()
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
    let minter_balance = client
        .call(&bob, &call.balance_of(id(&bob)))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(minter_balance, ev.amount + 3);
    let supply = client
        .call(&bob, &call.total_supply())
        .dry_run()
        .await?
        .return_value();
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

    let early = client.call(&bob, &call.mint_emission()).dry_run().await?;
    assert_eq!(early.return_value(), Err(TokenError::NotConfigured));
    let stranger_wires = client
        .call(&eve, &call.configure(id(&eve), vec![]))
        .dry_run()
        .await?;
    assert_eq!(stranger_wires.return_value(), Err(TokenError::NotAdmin));
    client
        .call(&alice, &call.configure(id(&bob), vec![]))
        .submit()
        .await
        .expect("configure");

    let not_minter = client.call(&eve, &call.mint_emission()).dry_run().await?;
    assert_eq!(not_minter.return_value(), Err(TokenError::NotMinter));
    let not_protocol = client
        .call(&eve, &call.pull(id(&alice), TAO))
        .dry_run()
        .await?;
    assert_eq!(not_protocol.return_value(), Err(TokenError::NotProtocol));
    let rewire = client
        .call(&alice, &call.configure(id(&eve), vec![]))
        .dry_run()
        .await?;
    assert_eq!(rewire.return_value(), Err(TokenError::AlreadyConfigured));
    let overdraw = client
        .call(&eve, &call.transfer(id(&alice), 1, vec![]))
        .dry_run()
        .await?;
    assert_eq!(
        overdraw.return_value(),
        Err(PSP22Error::InsufficientBalance)
    );
    // A refused call submitted as an extrinsic fails and changes nothing.
    assert!(client
        .call(&eve, &call.mint_emission())
        .submit()
        .await
        .is_err());
    let supply = client
        .call(&eve, &call.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, 10 * TAO);
    Ok(())
}
