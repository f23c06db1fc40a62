//! Property tests of the tracker and of Pacemaker's stateless rule.
//!
//! 1. Random walks of a corosync-like cluster (joins, leaves, kills, node
//!    downs and ups, several processes of one node at once), each change
//!    built the way corosync builds it, checked against an independent model
//!    after every step.
//! 2. Arbitrary, non-corosync-like lists: nothing panics and member_list
//!    stays the truth.
//! 3. rivalguard_classify_leaves() against a deliberately naive
//!    re-statement of Pacemaker's rule, through the C ABI.
//!
//! `PROPTEST_CASES` sets the number of cases (Miri runs few).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rivalguard::cpg::{
    CPG_REASON_JOIN, CPG_REASON_LEAVE, CPG_REASON_NODEDOWN, CPG_REASON_NODEUP, CPG_REASON_PROCDOWN,
    CPG_REASON_UNDEFINED, CpgAddress,
};
use rivalguard::tracker::{Event, EventKind, Tracker};

const LOCAL: u32 = 1;
const ME: u32 = 1000;
const NODES: u32 = 4;

/// One step of the random walk, in abstract terms the model resolves.
#[derive(Clone, Debug)]
enum Step {
    /// `count` new processes of a node join in one change.
    Join { node: u32, count: usize },
    /// Processes of a node leave in one change (`cpg_leave` or killed);
    /// `picks` select which (modulo the node's processes).
    Leave {
        node: u32,
        picks: Vec<usize>,
        killed: bool,
    },
    /// A node goes down: all its processes leave with NODEDOWN.
    NodeDown { node: u32 },
    /// A node comes back with `count` processes joining with NODEUP.
    NodeUp { node: u32, count: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1..=NODES, 1usize..=3).prop_map(|(node, count)| Step::Join { node, count }),
        3 => (1..=NODES, prop::collection::vec(0usize..8, 1..=3), any::<bool>())
            .prop_map(|(node, picks, killed)| Step::Leave { node, picks, killed }),
        1 => (2..=NODES).prop_map(|node| Step::NodeDown { node }),
        1 => (2..=NODES, 1usize..=3).prop_map(|(node, count)| Step::NodeUp { node, count }),
    ]
}

/// The cluster as corosync sees it: processes in join order.
#[derive(Clone, Debug, Default)]
struct Cluster {
    members: Vec<(u32, u32)>,
    next_pid: u32,
}

impl Cluster {
    fn member_list(&self) -> Vec<CpgAddress> {
        self.members
            .iter()
            .map(|&(n, p)| CpgAddress::new(n, p, 0))
            .collect()
    }

    fn pids_of(&self, node: u32) -> Vec<u32> {
        self.members
            .iter()
            .filter(|m| m.0 == node)
            .map(|m| m.1)
            .collect()
    }

    fn spawn(&mut self, node: u32, count: usize, reason: u32) -> Vec<CpgAddress> {
        (0..count)
            .map(|_| {
                self.next_pid += 1;
                self.members.push((node, self.next_pid));
                CpgAddress::new(node, self.next_pid, reason)
            })
            .collect()
    }

    fn remove(&mut self, node: u32, pids: &[u32], reason: u32) -> Vec<CpgAddress> {
        self.members
            .retain(|m| !(m.0 == node && pids.contains(&m.1)));
        pids.iter()
            .map(|&p| CpgAddress::new(node, p, reason))
            .collect()
    }

    /// Applies a step; returns (left_list, joined_list).
    fn apply(&mut self, step: &Step) -> (Vec<CpgAddress>, Vec<CpgAddress>) {
        match *step {
            Step::Join { node, count } => (vec![], self.spawn(node, count, CPG_REASON_JOIN)),
            Step::Leave {
                node,
                ref picks,
                killed,
            } => {
                // Our own process never leaves in this walk.
                let candidates: Vec<u32> = self
                    .pids_of(node)
                    .into_iter()
                    .filter(|&p| p != ME)
                    .collect();
                if candidates.is_empty() {
                    return (vec![], vec![]);
                }
                let mut chosen: Vec<u32> = picks
                    .iter()
                    .map(|i| candidates[i % candidates.len()])
                    .collect();
                chosen.dedup();
                let chosen: Vec<u32> = chosen
                    .into_iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let reason = if killed {
                    CPG_REASON_PROCDOWN
                } else {
                    CPG_REASON_LEAVE
                };
                (self.remove(node, &chosen, reason), vec![])
            }
            Step::NodeDown { node } => {
                let pids = self.pids_of(node);
                (self.remove(node, &pids, CPG_REASON_NODEDOWN), vec![])
            }
            Step::NodeUp { node, count } => {
                if !self.pids_of(node).is_empty() {
                    return (vec![], vec![]);
                }
                (vec![], self.spawn(node, count, CPG_REASON_NODEUP))
            }
        }
    }
}

/// Incumbent per node: the first of the node's processes in join order.
fn incumbents(members: &[(u32, u32)]) -> BTreeMap<u32, u32> {
    let mut map = BTreeMap::new();
    for &(node, pid) in members {
        map.entry(node).or_insert(pid);
    }
    map
}

/// Checks one change's events against the model before and after it.
fn check_change(
    tracker: &Tracker,
    events: &[Event],
    before: &[(u32, u32)],
    after: &[(u32, u32)],
    left: &[CpgAddress],
    joined: &[CpgAddress],
) -> Result<(), TestCaseError> {
    let mut tracked: Vec<(u32, u32)> = tracker.members().collect();
    let mut truth = after.to_vec();
    tracked.sort_unstable();
    truth.sort_unstable();
    prop_assert_eq!(&tracked, &truth, "tracked membership equals member_list");

    let before_set: BTreeSet<_> = before.iter().copied().collect();
    let after_set: BTreeSet<_> = after.iter().copied().collect();
    let departures: BTreeSet<_> = before_set.difference(&after_set).copied().collect();
    let arrivals: BTreeSet<_> = after_set.difference(&before_set).copied().collect();
    let lefts: Vec<_> = events
        .iter()
        .filter(|e| e.kind.is_left())
        .map(|e| (e.nodeid, e.pid))
        .collect();
    let joins: Vec<_> = events
        .iter()
        .filter(|e| e.kind.is_joined())
        .map(|e| (e.nodeid, e.pid))
        .collect();
    prop_assert_eq!(lefts.len(), departures.len(), "one LEFT per departure");
    prop_assert_eq!(lefts.iter().copied().collect::<BTreeSet<_>>(), departures);
    prop_assert_eq!(joins.len(), arrivals.len(), "one JOINED per arrival");
    prop_assert_eq!(joins.iter().copied().collect::<BTreeSet<_>>(), arrivals);

    let (old, new) = (incumbents(before), incumbents(after));
    for node in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
        let count = |kind| {
            events
                .iter()
                .filter(|e| e.kind == kind && e.nodeid == *node)
                .count()
        };
        let went = old.contains_key(node) && !new.contains_key(node);
        let came = !old.contains_key(node) && new.contains_key(node);
        prop_assert_eq!(
            count(EventKind::NodeLeft),
            usize::from(went),
            "NODE_LEFT once per node transition"
        );
        prop_assert_eq!(
            count(EventKind::NodeJoined),
            usize::from(came),
            "NODE_JOINED once per node transition"
        );
        prop_assert_eq!(tracker.is_member(*node), new.contains_key(node));
        let model_order: Vec<u32> = after.iter().filter(|m| m.0 == *node).map(|m| m.1).collect();
        prop_assert_eq!(
            tracker.node_pids(*node).unwrap(),
            model_order,
            "incumbent first, then arrival order"
        );
    }
    prop_assert_eq!(tracker.node_count(), new.len());

    for e in events {
        prop_assert_eq!(e.local, e.nodeid == LOCAL);
        match e.kind {
            EventKind::NodeLeft => prop_assert_eq!(Some(&e.pid), old.get(&e.nodeid)),
            EventKind::NodeJoined => prop_assert_eq!(Some(&e.pid), new.get(&e.nodeid)),
            EventKind::RivalLeft | EventKind::RivalJoined => {
                prop_assert_eq!(
                    e.other_pid,
                    new.get(&e.nodeid).copied().unwrap_or(0),
                    "other_pid"
                );
            }
            EventKind::Evicted => prop_assert!(false, "our process never leaves in this walk"),
        }
        let was_incumbent = e.kind.is_left() && old.get(&e.nodeid) == Some(&e.pid);
        prop_assert_eq!(e.incumbent, was_incumbent, "incumbent flag");
    }

    // Everything is named in a corosync-like change: left_list order, then
    // joined_list order, with each entry's reason.
    let expected: Vec<_> = left
        .iter()
        .chain(joined)
        .map(|a| (a.nodeid, a.pid, a.reason))
        .collect();
    let got: Vec<_> = events.iter().map(|e| (e.nodeid, e.pid, e.reason)).collect();
    prop_assert_eq!(got, expected, "event order");
    prop_assert!(tracker.anomalies().is_empty(), "{:?}", tracker.anomalies());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)))]

    #[test]
    fn corosync_like_walks_match_the_model(
        initial in prop::collection::vec((1..=NODES, 1usize..=3), 0..4),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mut cluster = Cluster::default();
        for (node, count) in initial {
            cluster.spawn(node, count, CPG_REASON_JOIN);
        }
        // Our own join: the members already there are inferred.
        let before = cluster.members.clone();
        cluster.members.push((LOCAL, ME));
        let mut tracker = Tracker::new(LOCAL, ME).unwrap();
        tracker.confchg(&cluster.member_list(), &[], &[CpgAddress::new(LOCAL, ME, CPG_REASON_JOIN)]).unwrap();
        let events: Vec<Event> = std::iter::from_fn(|| tracker.next_event()).collect();
        prop_assert_eq!(events.len(), cluster.members.len());
        prop_assert_eq!((events[0].nodeid, events[0].pid), (LOCAL, ME));
        let local_first = before.iter().all(|m| m.0 != LOCAL);
        let expected_kind = if local_first { EventKind::NodeJoined } else { EventKind::RivalJoined };
        prop_assert_eq!(events[0].kind, expected_kind, "our own join beside an instance is a rival");
        // The inferred ones: by nodeid, then pid, reason UNDEFINED.
        let inferred: Vec<_> = events[1..].iter().map(|e| (e.nodeid, e.pid, e.reason)).collect();
        let mut expected: Vec<_> = before.iter().map(|&(n, p)| (n, p, CPG_REASON_UNDEFINED)).collect();
        expected.sort_unstable();
        prop_assert_eq!(inferred, expected);

        for step in &steps {
            let before = cluster.members.clone();
            let (left, joined) = cluster.apply(step);
            tracker.confchg(&cluster.member_list(), &left, &joined).unwrap();
            let events: Vec<Event> = std::iter::from_fn(|| tracker.next_event()).collect();
            check_change(&tracker, &events, &before, &cluster.members, &left, &joined)?;
        }
    }

    #[test]
    fn arbitrary_lists_keep_member_list_the_truth(
        changes in prop::collection::vec((
            prop::collection::vec((0u32..4, 0u32..5, 0u32..7), 0..8),
            prop::collection::vec((0u32..4, 0u32..5, 0u32..7), 0..4),
            prop::collection::vec((0u32..4, 0u32..5, 0u32..7), 0..4),
        ), 1..12),
    ) {
        let to_list = |v: &Vec<(u32, u32, u32)>| v.iter().map(|&(n, p, r)| CpgAddress::new(n, p, r)).collect::<Vec<_>>();
        let mut tracker = Tracker::new(LOCAL, 1).unwrap();
        let mut before: BTreeSet<(u32, u32)> = BTreeSet::new();
        for (members, left, joined) in &changes {
            let members = to_list(members);
            tracker.confchg(&members, &to_list(left), &to_list(joined)).unwrap();
            let events: Vec<Event> = std::iter::from_fn(|| tracker.next_event()).collect();
            let after: BTreeSet<(u32, u32)> = members.iter().map(|m| (m.nodeid, m.pid)).collect();
            prop_assert_eq!(tracker.members().collect::<BTreeSet<_>>(), after.clone());
            let lefts: Vec<_> = events.iter().filter(|e| e.kind.is_left()).map(|e| (e.nodeid, e.pid)).collect();
            let joins: Vec<_> = events.iter().filter(|e| e.kind.is_joined()).map(|e| (e.nodeid, e.pid)).collect();
            prop_assert_eq!(lefts.len(), before.difference(&after).count());
            prop_assert_eq!(lefts.into_iter().collect::<BTreeSet<_>>(), before.difference(&after).copied().collect());
            prop_assert_eq!(joins.len(), after.difference(&before).count());
            let evicted = !after.contains(&(LOCAL, 1));
            prop_assert_eq!(events.last().map(|e| e.kind == EventKind::Evicted), if evicted { Some(true) } else { events.last().map(|_| false) });
            prop_assert_eq!(events.iter().filter(|e| e.kind == EventKind::Evicted).count(), usize::from(evicted));
            before = after;
        }
    }

    #[test]
    fn classify_leaves_is_pacemakers_rule(
        local in 1u32..4,
        members in prop::collection::vec((1u32..6, 1u32..50), 0..30),
        left in prop::collection::vec((1u32..6, 1u32..50, 0u32..6), 0..20),
        with_pids in any::<bool>(),
    ) {
        let members: Vec<_> = members.iter().map(|&(n, p)| CpgAddress::new(n, p, 0)).collect();
        let left: Vec<_> = left.iter().map(|&(n, p, r)| CpgAddress::new(n, p, r)).collect();
        let mut verdicts = vec![u32::MAX; left.len()];
        let mut pids = vec![u32::MAX; left.len()];
        // SAFETY: every pointer is valid for its stated length.
        let rc = unsafe {
            rivalguard::ffi::classify::rivalguard_classify_leaves(
                local, members.as_ptr(), members.len(), left.as_ptr(), left.len(),
                verdicts.as_mut_ptr(), if with_pids { pids.as_mut_ptr() } else { std::ptr::null_mut() })
        };
        prop_assert_eq!(rc, 0);
        // Naive: for each leave, walk member_list for any entry of its node.
        for (i, gone) in left.iter().enumerate() {
            let mut remaining = 0;
            let mut found = false;
            for m in &members {
                if m.nodeid == gone.nodeid {
                    remaining = m.pid;
                    found = true;
                    break;
                }
            }
            let verdict = if !found { 0 } else if gone.nodeid == local { 1 } else { 2 };
            prop_assert_eq!(verdicts[i], verdict);
            prop_assert_eq!(pids[i], if with_pids { remaining } else { u32::MAX });
        }
    }
}
