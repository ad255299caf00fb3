//! Tests of the log as a whole: chains written, audited as stored, and compared with their heads.

use super::*;

fn log(n: u64) -> Vec<(Event, String)> {
    let mut out: Vec<(Event, String)> = Vec::new();
    for agg in ["a", "b"] {
        let mut last: Option<Event> = None;
        for i in 0..n {
            let e = chain(
                last.as_ref(),
                NewEvent {
                    aggregate: agg.into(),
                    kind: "k".into(),
                    actor: "u".into(),
                    at: "2026-11-30T00:00:00.000000Z".into(),
                    payload: serde_json::json!({ "i": i, "z": [1, "x"] }),
                },
            );
            let mut text = String::new();
            canonical_json(&e.payload, &mut text);
            out.push((e.clone(), text));
            last = Some(e);
        }
    }
    out
}

fn stored<'a>(e: &'a Event, payload: &'a str) -> StoredEvent<'a> {
    StoredEvent {
        aggregate: &e.aggregate,
        seq: e.seq,
        kind: &e.kind,
        actor: &e.actor,
        at: &e.at,
        payload,
        prev_hash: &e.prev_hash,
        hash: &e.hash,
    }
}

#[test]
fn the_streaming_verifier_agrees_with_the_whole_chain_check_and_reports_heads() {
    let events = log(3);
    let mut v = Verifier::default();
    let mut heads = Vec::new();
    for (e, text) in &events {
        if let Some(h) = v.push(stored(e, text)).expect("intact") {
            heads.push(h);
        }
    }
    heads.extend(v.finish());
    assert_eq!((v.events, v.chains), (6, 2));
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0], Head::after(&events[2].0));
    assert_eq!(heads[1], Head::after(&events[5].0));
    // An edited payload is a broken hash at its event.
    let mut v = Verifier::default();
    let r: Result<Vec<_>, _> = events
        .iter()
        .enumerate()
        .map(|(i, (e, text))| {
            let t = if i == 4 { "{\"i\":9}" } else { text.as_str() };
            v.push(stored(e, t))
        })
        .collect();
    let b = r.expect_err("edited");
    assert_eq!((b.aggregate.as_str(), b.seq, b.kind), ("b", 2, Break::Hash));
}

#[test]
fn a_head_detects_deleted_tails_and_an_anchor_detects_rewritten_heads() {
    let events = log(3);
    let key = b"a key outside the database";
    let head = Head::after(&events[2].0);
    let anchor = head.anchor(key);
    let found_all = head.clone();
    assert_eq!(
        check_head(&found_all, Some((&head, Some(&anchor))), Some(key)),
        Ok(())
    );
    let tail_deleted = Head::after(&events[1].0);
    assert_eq!(
        check_head(&tail_deleted, Some((&head, Some(&anchor))), Some(key)),
        Err(HeadBreak::Count)
    );
    // Head rewritten to match a shortened chain, without the key.
    assert_eq!(
        check_head(
            &tail_deleted,
            Some((&tail_deleted, Some(&anchor))),
            Some(key)
        ),
        Err(HeadBreak::Anchor)
    );
    // Without a key the rewritten head passes: that is what anchoring adds.
    assert_eq!(
        check_head(&tail_deleted, Some((&tail_deleted, Some(&anchor))), None),
        Ok(())
    );
    let none = Head {
        count: 0,
        last_hash: GENESIS.into(),
        ..head.clone()
    };
    assert_eq!(
        check_head(&none, Some((&head, Some(&anchor))), Some(key)),
        Err(HeadBreak::ChainMissing)
    );
    assert_eq!(
        check_head(&found_all, None, Some(key)),
        Err(HeadBreak::HeadMissing)
    );
    // The stored-text hash equals the value hash for what the service writes.
    let (e, text) = &events[0];
    assert_eq!(
        hash_of_stored(
            &e.aggregate,
            e.seq,
            &e.kind,
            &e.actor,
            &e.at,
            text,
            &e.prev_hash
        ),
        e.hash
    );
}
