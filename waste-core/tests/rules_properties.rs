//! Properties of the core rules: compatibility is symmetric and order-independent; no action sequence reaches
//! `disposed` without `received`; every state/action/party is a listed transition or a typed refusal; any change
//! to a custody event is detected.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use waste_core::Standards;
use waste_core::compatibility::{consequences, reactions};
use waste_core::container::{self, Addition, Container, Material, Quantity, Unit};
use waste_core::custody::{self, NewEvent};
use waste_core::manifest::{
    Acceptance, Action, ManifestState, Party, TRANSITIONS, TransitionError, transition,
};
use waste_core::request::Form;
use waste_core::stream::Stream;
use waste_core::substance::SubstanceId;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/rules_properties.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

fn substance() -> impl Strategy<Value = SubstanceId> {
    let n = Standards::embedded().substances.len() as u16;
    (0..n).prop_map(SubstanceId)
}

fn addition_set() -> impl Strategy<Value = Vec<SubstanceId>> {
    proptest::collection::vec(substance(), 1..4)
}

/// Adds every set in order to one large container of a single stream; true when all were accepted.
fn all_accepted(sets: &[Vec<SubstanceId>]) -> bool {
    let std = Standards::embedded();
    let mut c = Container::new(Decimal::from(1000), Material::Ptfe);
    for s in sets {
        let a = Addition {
            stream: Some(Stream::ContaminatedSolid),
            form: Form::Solid,
            substances: s.clone(),
            quantity: Quantity::new(Decimal::ONE, Unit::L).expect("1 L"),
        };
        match container::check(&c, &a, &std.containers, &std.reactivity, &std.substances) {
            Ok(ok) => container::apply(&mut c, &a, &ok),
            Err(_) => return false,
        }
    }
    true
}

fn party() -> impl Strategy<Value = Option<Party>> {
    prop_oneof![
        Just(None),
        Just(Some(Party::Shipper)),
        Just(Some(Party::Carrier)),
        Just(Some(Party::Receiver))
    ]
}

fn action() -> impl Strategy<Value = Action> {
    proptest::sample::select(Action::ALL.to_vec())
}

proptest! {
    #![proptest_config(config())]

    /// Whether A may join B does not depend on which was first, and the consequences are the same.
    #[test]
    fn compatibility_is_symmetric(a in addition_set(), b in addition_set()) {
        let std = Standards::embedded();
        let ab = reactions(&std.reactivity, &std.substances, &a, &b);
        let ba = reactions(&std.reactivity, &std.substances, &b, &a);
        prop_assert_eq!(ab.is_empty(), ba.is_empty());
        prop_assert_eq!(consequences(&ab), consequences(&ba));
        prop_assert_eq!(ab.len(), ba.len());
    }

    /// A set of additions is accepted in full in one order exactly when it is in any other order.
    #[test]
    fn compatibility_does_not_depend_on_the_order_of_additions(
        sets in proptest::collection::vec(addition_set(), 1..6),
        seed in any::<u64>(),
    ) {
        let mut shuffled = sets.clone();
        // A deterministic permutation from the seed.
        let len = shuffled.len();
        let mut s = seed;
        for i in (1..len).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut reversed = sets.clone();
        reversed.reverse();
        let base = all_accepted(&sets);
        prop_assert_eq!(base, all_accepted(&shuffled));
        prop_assert_eq!(base, all_accepted(&reversed));
    }

    /// No sequence of actions, by anyone, reaches `disposed` without passing `received`; refusals leave the state.
    #[test]
    fn no_action_sequence_reaches_disposed_without_received(steps in proptest::collection::vec((action(), party(), any::<bool>()), 0..20)) {
        let mut state = ManifestState::Draft;
        let mut seen_received = false;
        for (a, p, accepted) in steps {
            let acceptance = if accepted { Some(Acceptance::Accepted) } else { Some(Acceptance::Rejected) };
            if let Ok(next) = transition(state, a, p, acceptance) {
                prop_assert!(!state.is_closed(), "no action leaves a closed manifest");
                state = next;
            }
            seen_received |= state == ManifestState::Received;
            if state == ManifestState::Disposed {
                prop_assert!(seen_received);
            }
        }
    }

    /// Changing any byte of any field of any event is detected, at that event or the next.
    #[test]
    fn tampering_is_always_detected(n in 1usize..12, which in any::<prop::sample::Index>(), field in 0usize..6, byte in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut chain: Vec<custody::Event> = Vec::new();
        for i in 0..n {
            let e = custody::chain(chain.last(), NewEvent {
                aggregate: "manifest:M1".into(),
                kind: format!("k{i}"),
                actor: "user:operator".into(),
                at: format!("2026-11-28T10:00:{:02}.000000Z", i),
                payload: json!({"weight_kg": format!("{i}.25"), "lines": [i, i + 1]}),
            });
            chain.push(e);
        }
        prop_assert_eq!(custody::verify(&chain), Ok(n));
        let i = which.index(n);
        let mut t = chain.clone();
        let e = &mut t[i];
        let target: &mut String = match field {
            0 => &mut e.aggregate,
            1 => &mut e.kind,
            2 => &mut e.actor,
            3 => &mut e.at,
            4 => &mut e.prev_hash,
            _ => &mut e.hash,
        };
        let mut bytes = target.clone().into_bytes();
        let k = byte.index(bytes.len());
        bytes[k] ^= flip;
        match String::from_utf8(bytes) {
            Ok(s) if s != *target => *target = s,
            _ => {
                // Not valid text after the flip: tamper with the payload instead.
                e.payload = json!({"weight_kg": "tampered"});
            }
        }
        let broken = custody::verify(&t).expect_err("tampering detected");
        prop_assert!(broken.index <= i + 1);
    }
}

/// Every (state, action, party) is either a listed transition or a typed refusal, and only listed ones succeed.
#[test]
fn every_state_action_party_is_listed_or_refused() {
    let parties = [
        None,
        Some(Party::Shipper),
        Some(Party::Carrier),
        Some(Party::Receiver),
    ];
    let mut ok = 0;
    for state in ManifestState::ALL {
        for a in Action::ALL {
            for p in parties {
                let listed = TRANSITIONS
                    .iter()
                    .find(|t| t.from == state && t.action == a && Some(t.party) == p);
                match transition(state, a, p, Some(Acceptance::Accepted)) {
                    Ok(next) => {
                        let t = listed.expect("only listed transitions succeed");
                        assert_eq!(next, t.to);
                        assert!(!t.citation.is_empty());
                        ok += 1;
                    }
                    Err(TransitionError::InvalidTransition { state: s, action }) => {
                        assert!(listed.is_none() && s == state && action == a);
                        assert!(!TRANSITIONS.iter().any(|t| t.from == state && t.action == a));
                    }
                    Err(TransitionError::WrongParty {
                        expected, actual, ..
                    }) => {
                        assert!(listed.is_none());
                        assert_eq!(actual, p);
                        assert!(
                            TRANSITIONS
                                .iter()
                                .any(|t| t.from == state && t.action == a && t.party == expected)
                        );
                    }
                    Err(TransitionError::NothingAccepted) => panic!("acceptance was Accepted"),
                }
            }
        }
    }
    assert_eq!(ok, TRANSITIONS.len());
}
