//! The suite's contract events, decoded with the contracts' own event types (matched by their
//! signature topic) and described in words.

use anyhow::{Result, anyhow};
use ink::env::Event;
use ink::scale::Decode;
use subxt::ext::scale_value::At;

use super::contract::{bytes, wire_account};
use crate::units::format_tao;

/// One event a contract emitted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContractEvent {
    pub name: &'static str,
    pub text: String,
}

type Describe = fn(&mut &[u8]) -> Option<String>;

fn acct(a: &ink::primitives::AccountId) -> String {
    wire_account(a).to_ss58()
}

fn opt_acct(a: &Option<ink::primitives::AccountId>) -> String {
    a.as_ref().map_or_else(|| "nobody".into(), acct)
}

macro_rules! describe {
    ($ty:ty, |$e:ident| $body:expr) => {
        (
            stringify!($ty),
            <$ty as Event>::SIGNATURE_TOPIC,
            (|data: &mut &[u8]| {
                let $e = <$ty>::decode(data).ok()?;
                Some($body)
            }) as Describe,
        )
    };
}

fn catalogue() -> Vec<(&'static str, Option<[u8; 32]>, Describe)> {
    use consensus_ledger::events as l;
    use staking::events as s;
    use subnet_registry::events as g;
    use tao_token::events as t;
    vec![
        describe!(t::Transfer, |e| match (&e.from, &e.to) {
            (Some(f), Some(to)) => format!(
                "{} moved from {} to {}",
                format_tao(e.value),
                acct(f),
                acct(to)
            ),
            (Some(f), None) => format!("{} burnt from {}", format_tao(e.value), acct(f)),
            (None, to) => format!("{} minted to {}", format_tao(e.value), opt_acct(to)),
        }),
        describe!(t::Approval, |e| format!(
            "{} may spend {} of {}",
            acct(&e.spender),
            format_tao(e.amount),
            acct(&e.owner)
        )),
        describe!(t::Configured, |e| format!(
            "token wired, minter {}",
            acct(&e.minter)
        )),
        describe!(t::EmissionMinted, |e| format!(
            "{} of emission minted for blocks {}..{}",
            format_tao(e.amount),
            e.from_block,
            e.to_block
        )),
        describe!(t::ProtocolCodeAccepted, |e| format!(
            "{} accepted the new code of {}",
            acct(&e.holder),
            acct(&e.protocol)
        )),
        describe!(s::HotkeyOffered, |e| format!(
            "hotkey {} consents to coldkey {}",
            acct(&e.hotkey),
            acct(&e.coldkey)
        )),
        describe!(s::HotkeyBound, |e| format!(
            "hotkey {} now belongs to coldkey {}",
            acct(&e.hotkey),
            acct(&e.coldkey)
        )),
        describe!(s::StakeAdded, |e| format!(
            "{} staked on {} by {} (counts from block {})",
            format_tao(e.amount),
            acct(&e.hotkey),
            acct(&e.coldkey),
            e.mature_at
        )),
        describe!(s::StakeRemoved, |e| format!(
            "{} unstaked from {} to {}",
            format_tao(e.amount),
            acct(&e.hotkey),
            acct(&e.coldkey)
        )),
        describe!(s::TakeChanged, |e| format!(
            "take of {} is now {:.2}%",
            acct(&e.hotkey),
            f64::from(e.take) / 655.35
        )),
        describe!(s::Distributed, |e| format!(
            "{} paid to {} hotkeys",
            format_tao(e.total),
            e.payouts
        )),
        describe!(g::SubnetCreated, |e| format!(
            "subnet {} created by {} (locked {})",
            e.netuid,
            acct(&e.owner),
            format_tao(e.lock)
        )),
        describe!(g::SubnetDissolved, |e| format!(
            "subnet {} dissolved ({} returned to {})",
            e.netuid,
            format_tao(e.refund),
            acct(&e.owner)
        )),
        describe!(g::NeuronRegistered, |e| format!(
            "{} registered as UID {} on subnet {} for {}{}",
            acct(&e.hotkey),
            e.uid,
            e.netuid,
            format_tao(e.price),
            e.replaced
                .map(|r| format!(", replacing {}", acct(&r)))
                .unwrap_or_default()
        )),
        describe!(g::AxonServed, |e| format!(
            "{} serves an axon on subnet {}",
            acct(&e.hotkey),
            e.netuid
        )),
        describe!(g::HyperparamsSet, |e| format!(
            "hyperparameters of subnet {} changed",
            e.netuid
        )),
        describe!(l::WeightsSet, |e| format!(
            "UID {} set weights on subnet {}",
            e.uid, e.netuid
        )),
        describe!(l::WeightsCommitted, |e| format!(
            "{} committed weights on subnet {}",
            acct(&e.hotkey),
            e.netuid
        )),
        describe!(l::EpochRun, |e| format!(
            "epoch of subnet {} at block {}: {} emitted, {} to the owner, {} paid",
            e.netuid,
            e.block,
            format_tao(e.emission),
            format_tao(e.owner_cut),
            format_tao(e.paid)
        )),
        describe!(l::RootEpochRun, |e| format!(
            "root epoch at block {}{}",
            e.block,
            if e.voted {
                ""
            } else {
                " (no votes: equal shares)"
            }
        )),
        describe!(l::RootMemberAdded, |e| format!(
            "{} joined the root network{}",
            acct(&e.hotkey),
            e.replaced
                .map(|r| format!(", replacing {}", acct(&r)))
                .unwrap_or_default()
        )),
        describe!(bt_interfaces::UpgradeAnnounced, |e| match e.code_hash {
            Some(h) => format!(
                "code upgrade to 0x{} announced, effective at block {}",
                hex::encode(h),
                e.effective_at
            ),
            None => "code upgrade cancelled".into(),
        }),
    ]
}

/// Decodes the suite's events among an extrinsic's events; other contracts' events are named
/// by topic only.
pub fn decode_contract_events(
    events: &subxt::blocks::ExtrinsicEvents<subxt::PolkadotConfig>,
) -> Result<Vec<ContractEvent>> {
    let known = catalogue();
    let mut out = Vec::new();
    for ev in events.iter() {
        let ev = ev?;
        if ev.pallet_name() != "Contracts" || ev.variant_name() != "ContractEmitted" {
            continue;
        }
        let fields = ev.field_values()?;
        let data = fields
            .at("data")
            .ok_or_else(|| anyhow!("ContractEmitted without data"))?;
        let Ok(data) = bytes(data) else {
            continue;
        };
        let topic = ev.topics().first().map(|h| h.0);
        let found = known
            .iter()
            .find(|(_, sig, _)| sig.is_some() && *sig == topic);
        out.push(match found {
            Some((name, _, describe)) => ContractEvent {
                name: short(name),
                text: describe(&mut &data[..]).unwrap_or_else(|| "(undecodable payload)".into()),
            },
            None => ContractEvent {
                name: "Unknown",
                text: format!("an event of another contract ({} bytes)", data.len()),
            },
        });
    }
    Ok(out)
}

fn short(path: &'static str) -> &'static str {
    path.rsplit("::").next().unwrap_or(path).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_event_has_its_own_signature_topic() {
        let known = catalogue();
        let mut topics: Vec<_> = known
            .iter()
            .map(|(_, t, _)| t.expect("anonymous event"))
            .collect();
        topics.sort();
        topics.dedup();
        assert_eq!(topics.len(), known.len());
        let (_, _, describe) = known
            .iter()
            .find(|(n, _, _)| short(n) == "StakeAdded")
            .unwrap();
        let e = staking::events::StakeAdded {
            coldkey: [1u8; 32].into(),
            hotkey: [2u8; 32].into(),
            amount: 2_500_000_000,
            mature_at: 42,
        };
        let bytes = ink::scale::Encode::encode(&e);
        let text = describe(&mut &bytes[..]).unwrap();
        assert!(text.starts_with("2.5 TAO staked on 5"), "{text}");
        assert!(text.ends_with("(counts from block 42)"), "{text}");
    }
}
