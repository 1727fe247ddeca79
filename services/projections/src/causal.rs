//! Causal order of an order's timeline, across every service that wrote about it.
//!
//! Event A *happens before* event B when one of these says so:
//! 1. **causation**: B's causation id is A's event id (B was written because of A);
//! 2. **order versions**: both are order events and A's `orderVersion` is lower (order-capture
//!    is the single writer of the order, so its versions are a total order);
//! 3. **log order**: both sit in the same topic partition and A's offset is lower (one writer
//!    per aggregate key, whose relay keeps commit order).
//!
//! The timeline is the linear extension of that partial order that, among the events whose
//! predecessors are all placed, always takes the one with the earliest `(occurredAt, event id)`
//! next. Event ids are UUID v7 (time-ordered at their writer), so the tie-break is stable and
//! the same on every rebuild. Clocks of different services may disagree: the rules above win
//! over timestamps, timestamps only order what the rules leave open. Should the recorded facts
//! contradict each other (a cycle), the events caught in it are placed by the tie-break alone.

use chrono::{DateTime, Utc};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use uuid::Uuid;

/// What the ordering needs to know about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub event_id: Uuid,
    pub causation_id: Option<String>,
    pub order_version: Option<i64>,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub occurred_at: DateTime<Utc>,
}

/// The indices of `stamps` in causal order (see the module docs).
pub fn order(stamps: &[Stamp]) -> Vec<usize> {
    let n = stamps.len();
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut predecessors = vec![0usize; n];
    let mut edge = |from: usize, to: usize| {
        if from != to {
            successors[from].push(to);
            predecessors[to] += 1;
        }
    };

    let by_id: HashMap<String, usize> = stamps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.event_id.to_string(), i))
        .collect();
    for (i, stamp) in stamps.iter().enumerate() {
        if let Some(cause) = stamp.causation_id.as_ref().and_then(|c| by_id.get(c)) {
            edge(*cause, i);
        }
    }
    // Chains: consecutive order versions, and consecutive offsets within a partition.
    let mut versions: Vec<(i64, usize)> = stamps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.order_version.map(|v| (v, i)))
        .collect();
    versions.sort_unstable();
    for pair in versions.windows(2) {
        edge(pair[0].1, pair[1].1);
    }
    let mut partitions: BTreeMap<(&str, i32), Vec<(i64, usize)>> = BTreeMap::new();
    for (i, s) in stamps.iter().enumerate() {
        partitions
            .entry((s.topic.as_str(), s.partition))
            .or_default()
            .push((s.offset, i));
    }
    for chain in partitions.values_mut() {
        chain.sort_unstable();
        for pair in chain.windows(2) {
            edge(pair[0].1, pair[1].1);
        }
    }

    let key = |i: usize| Reverse((stamps[i].occurred_at, stamps[i].event_id, i));
    let mut ready: BinaryHeap<_> = (0..n).filter(|&i| predecessors[i] == 0).map(key).collect();
    let mut placed = vec![false; n];
    let mut result = Vec::with_capacity(n);
    while result.len() < n {
        let next = match ready.pop() {
            Some(Reverse((_, _, i))) => i,
            // A cycle: take the earliest event not placed yet and carry on from there.
            None => match (0..n).filter(|&i| !placed[i]).min_by_key(|&i| key(i).0) {
                Some(i) => i,
                None => break,
            },
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        result.push(next);
        for &successor in &successors[next] {
            predecessors[successor] = predecessors[successor].saturating_sub(1);
            if predecessors[successor] == 0 && !placed[successor] {
                ready.push(key(successor));
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, second).unwrap()
    }

    fn stamp(topic: &str, offset: i64, second: u32) -> Stamp {
        Stamp {
            event_id: Uuid::now_v7(),
            causation_id: None,
            order_version: None,
            topic: topic.to_owned(),
            partition: 0,
            offset,
            occurred_at: at(second),
        }
    }

    fn caused_by(mut stamp: Stamp, cause: &Stamp) -> Stamp {
        stamp.causation_id = Some(cause.event_id.to_string());
        stamp
    }

    fn versioned(mut stamp: Stamp, version: i64) -> Stamp {
        stamp.order_version = Some(version);
        stamp
    }

    #[test]
    fn without_relations_events_follow_their_timestamps() {
        let stamps = vec![stamp("a", 0, 5), stamp("b", 0, 1), stamp("c", 0, 3)];
        assert_eq!(order(&stamps), [1, 2, 0]);
    }

    #[test]
    fn an_effect_follows_its_cause_even_when_its_clock_is_behind() {
        let released = versioned(stamp("order", 4, 10), 4);
        // decomposition's clock runs 5 s behind order-capture's
        let decomposed = caused_by(stamp("decomposition", 0, 5), &released);
        let recorded = caused_by(versioned(stamp("order", 5, 11), 5), &decomposed);
        let stamps = vec![recorded, decomposed, released];
        assert_eq!(order(&stamps), [2, 1, 0]);
    }

    #[test]
    fn order_versions_and_log_offsets_are_never_reordered_by_time() {
        let v2 = versioned(stamp("order", 1, 1), 2);
        let v1 = versioned(stamp("order", 0, 9), 1);
        let second_task_event = stamp("fulfillment", 8, 2);
        let first_task_event = stamp("fulfillment", 7, 3);
        let stamps = vec![v2, v1, second_task_event, first_task_event];
        let placed = order(&stamps);
        let position = |i: usize| placed.iter().position(|&p| p == i).unwrap();
        assert!(position(1) < position(0), "version 1 before version 2");
        assert!(position(3) < position(2), "offset 7 before offset 8");
    }

    #[test]
    fn contradictory_facts_still_place_every_event_once() {
        let mut a = stamp("x", 0, 1);
        let mut b = stamp("y", 0, 2);
        a.causation_id = Some(b.event_id.to_string());
        b.causation_id = Some(a.event_id.to_string());
        let c = stamp("z", 0, 3);
        let placed = order(&[a, b, c]);
        let mut sorted = placed.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2]);
    }
}
