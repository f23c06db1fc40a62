//! One test per rule of the tracker's contract (DESIGN.md, "PID-aware
//! tracker"), on hand-built changes shaped like corosync's.

use rivalguard::cpg::{
    CPG_REASON_JOIN, CPG_REASON_LEAVE, CPG_REASON_NODEDOWN, CPG_REASON_NODEUP, CPG_REASON_PROCDOWN,
    CPG_REASON_UNDEFINED, CpgAddress,
};
use rivalguard::tracker::{Anomaly, Event, EventKind, NewTrackerError, Tracker};

const LOCAL: u32 = 1;
const ME: u32 = 100;

fn member(nodeid: u32, pid: u32) -> CpgAddress {
    CpgAddress::new(nodeid, pid, 0)
}

fn entry(nodeid: u32, pid: u32, reason: u32) -> CpgAddress {
    CpgAddress::new(nodeid, pid, reason)
}

fn event(
    kind: EventKind,
    nodeid: u32,
    pid: u32,
    reason: u32,
    other_pid: u32,
    incumbent: bool,
) -> Event {
    Event {
        kind,
        nodeid,
        pid,
        reason,
        other_pid,
        local: nodeid == LOCAL,
        incumbent,
    }
}

fn drain(tracker: &mut Tracker) -> Vec<Event> {
    std::iter::from_fn(|| tracker.next_event()).collect()
}

fn change(
    tracker: &mut Tracker,
    members: &[CpgAddress],
    left: &[CpgAddress],
    joined: &[CpgAddress],
) -> Vec<Event> {
    tracker.confchg(members, left, joined).expect("memory");
    let events = drain(tracker);
    let mut tracked: Vec<(u32, u32)> = tracker.members().collect();
    let mut expected: Vec<(u32, u32)> = members.iter().map(|m| (m.nodeid, m.pid)).collect();
    tracked.sort_unstable();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(tracked, expected, "member_list is the truth");
    events
}

/// A tracker that has seen our own join, alone in the group.
fn joined_alone() -> Tracker {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[],
        &[entry(LOCAL, ME, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [event(
            EventKind::NodeJoined,
            LOCAL,
            ME,
            CPG_REASON_JOIN,
            0,
            false
        )]
    );
    tracker
}

#[test]
fn zero_local_ids_are_refused() {
    assert_eq!(
        Tracker::new(0, ME).unwrap_err(),
        NewTrackerError::ZeroLocalId
    );
    assert_eq!(
        Tracker::new(LOCAL, 0).unwrap_err(),
        NewTrackerError::ZeroLocalId
    );
    assert!(Tracker::new(LOCAL, ME).is_ok());
}

#[test]
fn a_new_tracker_tracks_nobody_and_has_no_events() {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    assert_eq!(tracker.node_count(), 0);
    assert!(!tracker.is_member(LOCAL));
    assert_eq!(tracker.next_event(), None);
}

#[test]
fn first_change_after_our_join_infers_the_members_already_there() {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    // Node 2 has two processes (300 first), node 3 one; we join on node 1
    // beside nobody. Only our own join is named.
    let members = [
        member(2, 300),
        member(3, 50),
        member(2, 200),
        member(LOCAL, ME),
    ];
    let events = change(
        &mut tracker,
        &members,
        &[],
        &[entry(LOCAL, ME, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [
            event(EventKind::NodeJoined, LOCAL, ME, CPG_REASON_JOIN, 0, false),
            // Inferred: by nodeid, then pid; node 2's incumbent is the one
            // earlier in member_list (300), so 200 is its rival.
            event(
                EventKind::RivalJoined,
                2,
                200,
                CPG_REASON_UNDEFINED,
                300,
                false
            ),
            event(
                EventKind::NodeJoined,
                2,
                300,
                CPG_REASON_UNDEFINED,
                0,
                false
            ),
            event(EventKind::NodeJoined, 3, 50, CPG_REASON_UNDEFINED, 0, false),
        ]
    );
    assert_eq!(tracker.node_count(), 3);
    assert_eq!(tracker.node_pids(2).unwrap(), [300, 200]);
}

#[test]
fn our_own_join_beside_a_running_instance_is_a_local_rival() {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    let members = [member(LOCAL, 42), member(LOCAL, ME)];
    let events = change(
        &mut tracker,
        &members,
        &[],
        &[entry(LOCAL, ME, CPG_REASON_JOIN)],
    );
    // We are named (and are the newcomer); the instance already running is
    // inferred, and as the earlier member_list entry it is the incumbent.
    assert_eq!(
        events,
        [
            event(
                EventKind::RivalJoined,
                LOCAL,
                ME,
                CPG_REASON_JOIN,
                42,
                false
            ),
            event(
                EventKind::NodeJoined,
                LOCAL,
                42,
                CPG_REASON_UNDEFINED,
                0,
                false
            ),
        ]
    );
    assert!(events[0].local);
    assert_eq!(tracker.node_pids(LOCAL).unwrap(), [42, ME]);
}

#[test]
fn node_joined_and_node_left() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [event(
            EventKind::NodeJoined,
            2,
            7,
            CPG_REASON_JOIN,
            0,
            false
        )]
    );
    assert!(tracker.is_member(2));
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[entry(2, 7, CPG_REASON_NODEDOWN)],
        &[],
    );
    assert_eq!(
        events,
        [event(
            EventKind::NodeLeft,
            2,
            7,
            CPG_REASON_NODEDOWN,
            0,
            true
        )]
    );
    assert!(!tracker.is_member(2));
    assert_eq!(tracker.node_count(), 1);
}

#[test]
fn rival_joined_and_rival_left_keep_the_node() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7), member(2, 8)],
        &[],
        &[entry(2, 8, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [event(
            EventKind::RivalJoined,
            2,
            8,
            CPG_REASON_JOIN,
            7,
            false
        )]
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[entry(2, 8, CPG_REASON_PROCDOWN)],
        &[],
    );
    assert_eq!(
        events,
        [event(
            EventKind::RivalLeft,
            2,
            8,
            CPG_REASON_PROCDOWN,
            7,
            false
        )]
    );
    assert!(tracker.is_member(2));
}

#[test]
fn a_local_rival_joins_and_leaves() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(LOCAL, 555)],
        &[],
        &[entry(LOCAL, 555, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [event(
            EventKind::RivalJoined,
            LOCAL,
            555,
            CPG_REASON_JOIN,
            ME,
            false
        )]
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[entry(LOCAL, 555, CPG_REASON_LEAVE)],
        &[],
    );
    assert_eq!(
        events,
        [event(
            EventKind::RivalLeft,
            LOCAL,
            555,
            CPG_REASON_LEAVE,
            ME,
            false
        )]
    );
}

#[test]
fn the_incumbent_leaving_while_a_rival_stays_hands_the_node_over() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN)],
    );
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7), member(2, 8)],
        &[],
        &[entry(2, 8, CPG_REASON_JOIN)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 8)],
        &[entry(2, 7, CPG_REASON_PROCDOWN)],
        &[],
    );
    assert_eq!(
        events,
        [event(
            EventKind::RivalLeft,
            2,
            7,
            CPG_REASON_PROCDOWN,
            8,
            true
        )]
    );
    assert!(tracker.is_member(2));
    assert_eq!(tracker.node_pids(2).unwrap(), [8]);
    // The rival is now the incumbent: its departure takes the node away.
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[entry(2, 8, CPG_REASON_PROCDOWN)],
        &[],
    );
    assert_eq!(
        events,
        [event(
            EventKind::NodeLeft,
            2,
            8,
            CPG_REASON_PROCDOWN,
            0,
            true
        )]
    );
}

#[test]
fn a_whole_node_going_down_is_one_node_left_and_rival_lefts() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(3, 30)],
        &[],
        &[entry(3, 30, CPG_REASON_JOIN)],
    );
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(3, 30), member(3, 31)],
        &[],
        &[entry(3, 31, CPG_REASON_JOIN)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[
            entry(3, 31, CPG_REASON_NODEDOWN),
            entry(3, 30, CPG_REASON_NODEDOWN),
        ],
        &[],
    );
    assert_eq!(
        events,
        [
            event(EventKind::RivalLeft, 3, 31, CPG_REASON_NODEDOWN, 0, false),
            event(EventKind::NodeLeft, 3, 30, CPG_REASON_NODEDOWN, 0, true),
        ]
    );
}

#[test]
fn several_processes_of_one_node_joining_at_once() {
    let mut tracker = joined_alone();
    let members = [member(LOCAL, ME), member(4, 41), member(4, 40)];
    let joined = [
        entry(4, 41, CPG_REASON_NODEUP),
        entry(4, 40, CPG_REASON_NODEUP),
    ];
    let events = change(&mut tracker, &members, &[], &joined);
    assert_eq!(
        events,
        [
            event(EventKind::NodeJoined, 4, 41, 4, 0, false),
            event(EventKind::RivalJoined, 4, 40, 4, 41, false),
        ]
    );
}

#[test]
fn a_lost_leave_is_inferred() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN)],
    );
    let events = change(&mut tracker, &[member(LOCAL, ME)], &[], &[]);
    assert_eq!(
        events,
        [event(
            EventKind::NodeLeft,
            2,
            7,
            CPG_REASON_UNDEFINED,
            0,
            true
        )]
    );
    assert!(tracker.anomalies().is_empty());
}

#[test]
fn a_lost_join_is_inferred() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7), member(2, 9)],
        &[],
        &[entry(2, 9, CPG_REASON_JOIN)],
    );
    // 9 is named; 7 (earlier in member_list, so the incumbent) is inferred.
    assert_eq!(
        events,
        [
            event(EventKind::RivalJoined, 2, 9, CPG_REASON_JOIN, 7, false),
            event(EventKind::NodeJoined, 2, 7, CPG_REASON_UNDEFINED, 0, false),
        ]
    );
}

#[test]
fn a_restart_within_one_change_keeps_the_node_present() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 8)],
        &[entry(2, 7, CPG_REASON_PROCDOWN)],
        &[entry(2, 8, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [
            event(EventKind::RivalLeft, 2, 7, CPG_REASON_PROCDOWN, 8, true),
            // The node never went away, so 8 is a rival arrival; being the
            // incumbent after the change, it is its own other_pid.
            event(EventKind::RivalJoined, 2, 8, CPG_REASON_JOIN, 8, false),
        ]
    );
    assert!(tracker.is_member(2));
}

#[test]
fn inferred_events_come_by_nodeid_departures_first_then_by_pid() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(3, 5), member(2, 9), member(2, 8)],
        &[],
        &[entry(3, 5, 1), entry(2, 9, 1), entry(2, 8, 1)],
    );
    // Nothing named: 2/8 and 2/9 go, 2/4 and 3/6 come, 3/5 goes.
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(3, 6), member(2, 4)],
        &[],
        &[],
    );
    let order: Vec<(EventKind, u32, u32)> =
        events.iter().map(|e| (e.kind, e.nodeid, e.pid)).collect();
    assert_eq!(
        order,
        [
            (EventKind::RivalLeft, 2, 8),
            (EventKind::RivalLeft, 2, 9),
            (EventKind::RivalJoined, 2, 4),
            (EventKind::RivalLeft, 3, 5),
            (EventKind::RivalJoined, 3, 6),
        ]
    );
    // Node 2's incumbent (9, first in member_list) left, but node 2 still
    // has a process afterwards, so no NODE_LEFT.
    assert!(events[1].incumbent);
    assert_eq!(events[0].other_pid, 4);
}

#[test]
fn named_events_follow_list_order_before_inferred_ones() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[
            member(LOCAL, ME),
            member(2, 20),
            member(3, 30),
            member(4, 40),
        ],
        &[],
        &[entry(2, 20, 1), entry(3, 30, 1), entry(4, 40, 1)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(5, 50), member(6, 60)],
        &[
            entry(4, 40, CPG_REASON_LEAVE),
            entry(2, 20, CPG_REASON_LEAVE),
        ],
        &[entry(6, 60, CPG_REASON_JOIN)],
    );
    let order: Vec<(EventKind, u32, u32)> =
        events.iter().map(|e| (e.kind, e.nodeid, e.pid)).collect();
    assert_eq!(
        order,
        [
            (EventKind::NodeLeft, 4, 40),
            (EventKind::NodeLeft, 2, 20),
            (EventKind::NodeJoined, 6, 60),
            (EventKind::NodeLeft, 3, 30),
            (EventKind::NodeJoined, 5, 50),
        ]
    );
}

#[test]
fn eviction_comes_last() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(LOCAL, 555)],
        &[],
        &[entry(LOCAL, 555, 1)],
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, 555)],
        &[entry(LOCAL, ME, CPG_REASON_LEAVE)],
        &[],
    );
    assert_eq!(
        events,
        [
            event(EventKind::RivalLeft, LOCAL, ME, CPG_REASON_LEAVE, 555, true),
            event(
                EventKind::Evicted,
                LOCAL,
                ME,
                CPG_REASON_UNDEFINED,
                555,
                false
            ),
        ]
    );
}

#[test]
fn eviction_is_reported_whenever_we_are_missing() {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    let events = change(&mut tracker, &[member(2, 7)], &[], &[]);
    assert_eq!(events.last().unwrap().kind, EventKind::Evicted);
    let events = change(&mut tracker, &[member(2, 7)], &[], &[]);
    assert_eq!(
        events,
        [event(
            EventKind::Evicted,
            LOCAL,
            ME,
            CPG_REASON_UNDEFINED,
            0,
            false
        )]
    );
}

#[test]
fn empty_lists() {
    let mut tracker = Tracker::new(LOCAL, ME).unwrap();
    let events = change(&mut tracker, &[], &[], &[]);
    assert_eq!(
        events,
        [event(
            EventKind::Evicted,
            LOCAL,
            ME,
            CPG_REASON_UNDEFINED,
            0,
            false
        )]
    );
    let mut tracker = joined_alone();
    let events = change(&mut tracker, &[member(LOCAL, ME)], &[], &[]);
    assert!(events.is_empty());
    assert!(tracker.anomalies().is_empty());
}

#[test]
fn contradictory_left_entries_change_nothing_beyond_member_list() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[],
        &[entry(2, 7, 1)],
    );
    // 2/7 named as left but still a member; 9/9 never tracked.
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7)],
        &[entry(2, 7, CPG_REASON_LEAVE), entry(9, 9, CPG_REASON_LEAVE)],
        &[],
    );
    assert!(events.is_empty());
    assert_eq!(
        tracker.anomalies(),
        [
            Anomaly::LeftStillMember(entry(2, 7, CPG_REASON_LEAVE)),
            Anomaly::LeftUnknown(entry(9, 9, CPG_REASON_LEAVE)),
        ]
    );
    assert!(tracker.is_member(2));
}

#[test]
fn contradictory_joined_entries_change_nothing_beyond_member_list() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[],
        &[
            entry(2, 7, CPG_REASON_JOIN),
            entry(LOCAL, ME, CPG_REASON_JOIN),
        ],
    );
    assert!(events.is_empty());
    assert_eq!(
        tracker.anomalies(),
        [
            Anomaly::JoinedNotMember(entry(2, 7, CPG_REASON_JOIN)),
            Anomaly::JoinedAlreadyTracked(entry(LOCAL, ME, CPG_REASON_JOIN)),
        ]
    );
    assert!(!tracker.is_member(2));
}

#[test]
fn duplicates_yield_one_event_each() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 7), member(2, 7)],
        &[],
        &[entry(2, 7, CPG_REASON_JOIN), entry(2, 7, CPG_REASON_JOIN)],
    );
    assert_eq!(
        events,
        [event(
            EventKind::NodeJoined,
            2,
            7,
            CPG_REASON_JOIN,
            0,
            false
        )]
    );
    assert_eq!(
        tracker.anomalies(),
        [
            Anomaly::DuplicateMember(member(2, 7)),
            Anomaly::JoinedDuplicate(entry(2, 7, CPG_REASON_JOIN))
        ]
    );
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME)],
        &[entry(2, 7, CPG_REASON_LEAVE), entry(2, 7, CPG_REASON_LEAVE)],
        &[],
    );
    assert_eq!(
        events,
        [event(EventKind::NodeLeft, 2, 7, CPG_REASON_LEAVE, 0, true)]
    );
    assert_eq!(
        tracker.anomalies(),
        [Anomaly::LeftDuplicate(entry(2, 7, CPG_REASON_LEAVE))]
    );
}

#[test]
fn zero_nodeid_and_pid_entries_are_tracked_and_reported() {
    let mut tracker = joined_alone();
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(0, 5), member(2, 0)],
        &[],
        &[entry(0, 5, 1), entry(2, 0, 1)],
    );
    assert_eq!(
        events,
        [
            event(EventKind::NodeJoined, 0, 5, 1, 0, false),
            event(EventKind::NodeJoined, 2, 0, 1, 0, false),
        ]
    );
    assert_eq!(
        tracker.anomalies(),
        [
            Anomaly::ZeroMember(member(0, 5)),
            Anomaly::ZeroMember(member(2, 0))
        ]
    );
    assert!(tracker.is_member(0));
    assert_eq!(tracker.node_pids(2).unwrap(), [0]);
    // pid 0 as the incumbent is still told apart from "no incumbent".
    let events = change(
        &mut tracker,
        &[member(LOCAL, ME), member(0, 5), member(2, 0), member(2, 3)],
        &[],
        &[entry(2, 3, 1)],
    );
    assert_eq!(events, [event(EventKind::RivalJoined, 2, 3, 1, 0, false)]);
}

#[test]
fn the_event_queue_is_replaced_by_the_next_change() {
    let mut tracker = joined_alone();
    tracker
        .confchg(&[member(LOCAL, ME), member(2, 7)], &[], &[entry(2, 7, 1)])
        .unwrap();
    tracker
        .confchg(
            &[member(LOCAL, ME), member(2, 7), member(3, 1)],
            &[],
            &[entry(3, 1, 1)],
        )
        .unwrap();
    assert_eq!(
        drain(&mut tracker),
        [event(EventKind::NodeJoined, 3, 1, 1, 0, false)]
    );
    assert_eq!(tracker.next_event(), None);
    assert_eq!(tracker.events().len(), 1, "events() keeps the whole change");
}

#[test]
fn node_pids_lists_the_incumbent_first_then_arrival_order() {
    let mut tracker = joined_alone();
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 90)],
        &[],
        &[entry(2, 90, 1)],
    );
    change(
        &mut tracker,
        &[member(LOCAL, ME), member(2, 90), member(2, 10)],
        &[],
        &[entry(2, 10, 1)],
    );
    change(
        &mut tracker,
        &[
            member(LOCAL, ME),
            member(2, 90),
            member(2, 10),
            member(2, 50),
        ],
        &[],
        &[entry(2, 50, 1)],
    );
    assert_eq!(tracker.node_pids(2).unwrap(), [90, 10, 50]);
    assert_eq!(tracker.node_pids(7).unwrap(), Vec::<u32>::new());
}

#[test]
fn anomaly_descriptions_name_the_entry() {
    let text = Anomaly::LeftStillMember(entry(2, 7, CPG_REASON_LEAVE)).describe();
    assert!(text.contains("nodeid 2 pid 7 reason leave"), "{text}");
    assert!(text.contains("still"), "{text}");
}

#[test]
fn event_kind_values_and_names() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::from_u32(kind as u32), Some(kind));
        assert!(!kind.name().is_empty());
    }
    assert_eq!(EventKind::from_u32(0), None);
    assert_eq!(EventKind::from_u32(6), None);
    assert_eq!(EventKind::RivalLeft.name(), "RIVAL_LEFT");
}
