//! PID-aware CPG membership tracker: turns each corosync configuration
//! change into exact events, knowing that one node may run several
//! processes of a group (the legitimate daemon and rivals).
//!
//! Pure safe Rust: no I/O, no libc. Anything contradictory in a change is
//! recorded as an [`Anomaly`] (the C boundary logs them) and changes nothing
//! beyond what `member_list` says.
//!
//! # How a change is decided
//!
//! `member_list` is the truth. The tracker keeps the set of (nodeid, pid)
//! it saw last, each with the sequence number of its arrival; a node's
//! *incumbent* is its process with the smallest sequence number (the
//! longest-standing one; arrivals of one change are numbered in
//! `member_list` order, the contract's tie-break: corosync does not promise
//! join order there, so between processes that arrive together this is a
//! deterministic choice rather than their true age). A change is compared with the new `member_list`:
//! departures are tracked processes now absent, arrivals are the reverse.
//! `left_list` and `joined_list` only name them (and give the reason); what
//! they do not name is inferred (a lost event, or the members that were
//! already there when we joined).
//!
//! # Cost
//!
//! O((m + l + j) log m) per change: one sort of the member list (as
//! 64-bit identity keys, which the standard library sorts branch-free),
//! linear merges, a binary search per `left_list` / `joined_list` entry and
//! per arrival, and a look at the few processes of each node the change
//! touches (not at every node). Every buffer is kept between calls and
//! sized for the largest membership seen, so a change allocates nothing in
//! steady state. At 128 members the sort is about half of the work
//! (`make bench`, docs/BENCHMARKS.md).

use std::cmp::Ordering;
use std::collections::TryReserveError;
use std::ffi::CStr;

use crate::cpg::{CPG_REASON_UNDEFINED, CpgAddress};

/// What an event says about a process and its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum EventKind {
    /// The node's first process arrived: mark the peer online.
    NodeJoined = 1,
    /// The node's last process, its incumbent, left: mark the peer offline.
    NodeLeft = 2,
    /// One more process on a node already present (a rival).
    RivalJoined = 3,
    /// A process left while others of its node remain, or a non-incumbent
    /// left together with the rest of its node.
    RivalLeft = 4,
    /// Our own (local nodeid, local pid) is not in `member_list`.
    Evicted = 5,
}

impl EventKind {
    /// Every kind, in numeric order.
    pub const ALL: [EventKind; 5] = [
        EventKind::NodeJoined,
        EventKind::NodeLeft,
        EventKind::RivalJoined,
        EventKind::RivalLeft,
        EventKind::Evicted,
    ];

    /// The kind with this numeric value.
    pub const fn from_u32(value: u32) -> Option<Self> {
        match value {
            1 => Some(EventKind::NodeJoined),
            2 => Some(EventKind::NodeLeft),
            3 => Some(EventKind::RivalJoined),
            4 => Some(EventKind::RivalLeft),
            5 => Some(EventKind::Evicted),
            _ => None,
        }
    }

    /// The upper-case name used in logs and by `rivalguard_event_kind_name`.
    pub const fn c_name(self) -> &'static CStr {
        match self {
            EventKind::NodeJoined => c"NODE_JOINED",
            EventKind::NodeLeft => c"NODE_LEFT",
            EventKind::RivalJoined => c"RIVAL_JOINED",
            EventKind::RivalLeft => c"RIVAL_LEFT",
            EventKind::Evicted => c"EVICTED",
        }
    }

    /// [`EventKind::c_name`] as a Rust string.
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or("UNKNOWN")
    }

    /// Whether the event reports a departure (NODE_LEFT or RIVAL_LEFT).
    pub const fn is_left(self) -> bool {
        matches!(self, EventKind::NodeLeft | EventKind::RivalLeft)
    }

    /// Whether the event reports an arrival (NODE_JOINED or RIVAL_JOINED).
    pub const fn is_joined(self) -> bool {
        matches!(self, EventKind::NodeJoined | EventKind::RivalJoined)
    }
}

/// One decision about one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The process's node.
    pub nodeid: u32,
    /// The process the event is about (our own pid for EVICTED).
    pub pid: u32,
    /// `CPG_REASON_*` of the `left_list`/`joined_list` entry that named it;
    /// `CPG_REASON_UNDEFINED` when inferred (and for EVICTED).
    pub reason: u32,
    /// RIVAL_* and EVICTED: the node's incumbent after the change, 0 when
    /// none remains. 0 for NODE_*.
    pub other_pid: u32,
    /// `nodeid` is the local node.
    pub local: bool,
    /// LEFT events: the process that left was its node's incumbent.
    pub incumbent: bool,
}

/// Something in a change that contradicts `member_list` or repeats itself.
/// It changes nothing beyond `member_list`; the C boundary logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anomaly {
    /// `member_list` names this process more than once.
    DuplicateMember(CpgAddress),
    /// `member_list` holds nodeid 0 or pid 0, which corosync never reports;
    /// tracked anyway, since `member_list` is the truth.
    ZeroMember(CpgAddress),
    /// `left_list` names a process that is still in `member_list`.
    LeftStillMember(CpgAddress),
    /// `left_list` names a process that was never tracked.
    LeftUnknown(CpgAddress),
    /// `left_list` names the same process twice.
    LeftDuplicate(CpgAddress),
    /// `joined_list` names a process absent from `member_list`.
    JoinedNotMember(CpgAddress),
    /// `joined_list` names a process that was already tracked.
    JoinedAlreadyTracked(CpgAddress),
    /// `joined_list` names the same process twice.
    JoinedDuplicate(CpgAddress),
}

impl Anomaly {
    /// A one-line explanation for the log.
    pub fn describe(&self) -> String {
        let (what, entry) = match self {
            Anomaly::DuplicateMember(e) => ("member_list names it more than once", e),
            Anomaly::ZeroMember(e) => {
                ("member_list holds a zero nodeid or pid (tracked anyway)", e)
            }
            Anomaly::LeftStillMember(e) => ("left_list names it but member_list still has it", e),
            Anomaly::LeftUnknown(e) => ("left_list names a process that was never tracked", e),
            Anomaly::LeftDuplicate(e) => ("left_list names it more than once", e),
            Anomaly::JoinedNotMember(e) => ("joined_list names it but member_list lacks it", e),
            Anomaly::JoinedAlreadyTracked(e) => ("joined_list names a process already tracked", e),
            Anomaly::JoinedDuplicate(e) => ("joined_list names it more than once", e),
        };
        format!(
            "ignoring CPG entry nodeid {} pid {} reason {}: {}",
            entry.nodeid,
            entry.pid,
            crate::cpg::reason_name(entry.reason),
            what
        )
    }
}

/// Why a tracker cannot be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewTrackerError {
    /// Corosync never uses nodeid 0 and no process has pid 0.
    ZeroLocalId,
}

/// A tracked process: its identity and the sequence number of its arrival.
#[derive(Clone, Copy, Debug)]
struct Process {
    nodeid: u32,
    pid: u32,
    arrival: u64,
}

impl Process {
    /// Its [`identity_key`].
    fn key(&self) -> u64 {
        identity_key(self.nodeid, self.pid)
    }
}

/// A process's identity as one integer, nodeid in the high half and pid in
/// the low half, so that integer order is (nodeid, pid) order. Sorting
/// plain integers lets the standard library use its branchless sorting
/// networks, several times faster than sorting structs by a tuple key.
fn identity_key(nodeid: u32, pid: u32) -> u64 {
    (u64::from(nodeid) << 32) | u64::from(pid)
}

/// The (nodeid, pid) of an [`identity_key`].
fn identity_of(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// A departure or arrival, and whether `left_list`/`joined_list` named it.
#[derive(Clone, Copy, Debug)]
struct Change {
    nodeid: u32,
    pid: u32,
    named: bool,
}

/// A node's processes before and after the change.
#[derive(Clone, Copy, Debug)]
struct NodeChange {
    nodeid: u32,
    incumbent_before: Option<u32>,
    incumbent_after: Option<u32>,
    count_after: usize,
}

fn by_identity(nodeid: u32, pid: u32) -> impl Fn(&Change) -> Ordering {
    move |change| (change.nodeid, change.pid).cmp(&(nodeid, pid))
}

/// The PID-aware tracker of one CPG group, as seen by one process.
#[derive(Debug)]
pub struct Tracker {
    local_nodeid: u32,
    local_pid: u32,
    /// Tracked processes, sorted by (nodeid, pid).
    processes: Vec<Process>,
    /// Arrival number of the next change's first `member_list` entry.
    next_arrival: u64,
    node_count: usize,
    events: Vec<Event>,
    next_event: usize,
    /// False while a change is being decided, so a change interrupted by an
    /// internal error never hands out half of its events.
    events_complete: bool,
    anomalies: Vec<Anomaly>,
    /// Largest list length the scratch buffers are sized for.
    sized_for: usize,
    /// The [`identity_key`]s of the change's `member_list`, sorted, each once.
    scratch_members: Vec<u64>,
    scratch_processes: Vec<Process>,
    scratch_departures: Vec<Change>,
    scratch_arrivals: Vec<Change>,
    scratch_nodes: Vec<NodeChange>,
}

impl Tracker {
    /// A tracker for our own process (`local_nodeid`, `local_pid`), which
    /// tracks nobody until its first change (the one after our `cpg_join`).
    pub fn new(local_nodeid: u32, local_pid: u32) -> Result<Self, NewTrackerError> {
        if local_nodeid == 0 || local_pid == 0 {
            return Err(NewTrackerError::ZeroLocalId);
        }
        Ok(Self {
            local_nodeid,
            local_pid,
            processes: Vec::new(),
            next_arrival: 0,
            node_count: 0,
            events: Vec::new(),
            next_event: 0,
            events_complete: true,
            anomalies: Vec::new(),
            sized_for: 0,
            scratch_members: Vec::new(),
            scratch_processes: Vec::new(),
            scratch_departures: Vec::new(),
            scratch_arrivals: Vec::new(),
            scratch_nodes: Vec::new(),
        })
    }

    /// Our own node id.
    pub fn local_nodeid(&self) -> u32 {
        self.local_nodeid
    }

    /// Our own pid.
    pub fn local_pid(&self) -> u32 {
        self.local_pid
    }

    /// Decides one configuration change, with the lists exactly as corosync
    /// passed them to the confchg callback. Replaces the event queue and
    /// the anomalies. Fails only when memory runs out, and then changes
    /// nothing.
    pub fn confchg(
        &mut self,
        member_list: &[CpgAddress],
        left_list: &[CpgAddress],
        joined_list: &[CpgAddress],
    ) -> Result<(), TryReserveError> {
        self.reserve_for(member_list.len())?;
        self.events_complete = false;
        self.events.clear();
        self.next_event = 0;
        self.anomalies.clear();

        self.sort_members(member_list);
        self.split_changes(member_list);
        self.summarise_nodes();
        self.name_departures(left_list);
        self.name_arrivals(joined_list);
        self.infer_unnamed();
        if self
            .find_member(self.local_nodeid, self.local_pid)
            .is_none()
        {
            let other_pid = node_group(&self.scratch_processes, self.local_nodeid)
                .map_or(0, |group| group.incumbent);
            self.events.push(Event {
                kind: EventKind::Evicted,
                nodeid: self.local_nodeid,
                pid: self.local_pid,
                reason: CPG_REASON_UNDEFINED,
                other_pid,
                local: true,
                incumbent: false,
            });
        }

        std::mem::swap(&mut self.processes, &mut self.scratch_processes);
        // Only the nodes a change touches can appear or disappear.
        for node in &self.scratch_nodes {
            match (node.incumbent_before.is_some(), node.count_after > 0) {
                (false, true) => self.node_count += 1,
                (true, false) => self.node_count -= 1,
                _ => {}
            }
        }
        self.events_complete = true;
        Ok(())
    }

    /// Grows every buffer, before anything changes, to hold a change with
    /// `member_count` members after the current membership.
    fn reserve_for(&mut self, member_count: usize) -> Result<(), TryReserveError> {
        let size = member_count.max(self.processes.len());
        if size <= self.sized_for {
            return Ok(());
        }
        // Departures are at most the current membership, arrivals at most
        // the new one; events and node changes at most both, plus EVICTED.
        let both = size.saturating_mul(2).saturating_add(1);
        self.scratch_members.try_reserve(size)?;
        self.scratch_processes.try_reserve(size)?;
        self.scratch_departures.try_reserve(size)?;
        self.scratch_arrivals.try_reserve(size)?;
        self.scratch_nodes.try_reserve(both)?;
        self.events.try_reserve(both)?;
        self.processes.try_reserve(size)?;
        self.sized_for = size;
        Ok(())
    }

    /// Sorts the identities of `member_list` into `scratch_members`, each
    /// process once (a repeated one is an anomaly).
    fn sort_members(&mut self, member_list: &[CpgAddress]) {
        let members = &mut self.scratch_members;
        members.clear();
        members.extend(
            member_list
                .iter()
                .map(|entry| identity_key(entry.nodeid, entry.pid)),
        );
        members.sort_unstable();
        // Corosync never repeats a process nor reports a zero id: check
        // that in one pass and skip the rewriting below.
        let repeated = members.windows(2).any(|pair| pair[0] == pair[1]);
        let zero = members.iter().any(|&key| key >> 32 == 0 || key as u32 == 0);
        if !repeated && !zero {
            return;
        }
        let mut kept = 0;
        for index in 0..members.len() {
            let key = members[index];
            let (nodeid, pid) = identity_of(key);
            if kept > 0 && members[kept - 1] == key {
                self.anomalies
                    .push(Anomaly::DuplicateMember(CpgAddress::new(nodeid, pid, 0)));
                continue;
            }
            if nodeid == 0 || pid == 0 {
                self.anomalies
                    .push(Anomaly::ZeroMember(CpgAddress::new(nodeid, pid, 0)));
            }
            members[kept] = key;
            kept += 1;
        }
        members.truncate(kept);
    }

    /// Merges the tracked processes with the sorted members into the next
    /// membership, the departures and the arrivals (all sorted), then
    /// numbers the arrivals by their first position in `member_list`.
    fn split_changes(&mut self, member_list: &[CpgAddress]) {
        let arrivals_base = self.next_arrival;
        self.next_arrival = self.next_arrival.saturating_add(member_list.len() as u64);
        let (before, after) = (&self.processes, &self.scratch_members);
        let next = &mut self.scratch_processes;
        let departures = &mut self.scratch_departures;
        let arrivals = &mut self.scratch_arrivals;
        next.clear();
        departures.clear();
        arrivals.clear();
        let (mut b, mut a) = (0, 0);
        while b < before.len() || a < after.len() {
            let order = match (before.get(b), after.get(a)) {
                (Some(old), Some(&new)) => old.key().cmp(&new),
                (Some(_), None) => Ordering::Less,
                (None, _) => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    let old = before[b];
                    departures.push(Change {
                        nodeid: old.nodeid,
                        pid: old.pid,
                        named: false,
                    });
                    b += 1;
                }
                Ordering::Greater => {
                    let (nodeid, pid) = identity_of(after[a]);
                    arrivals.push(Change {
                        nodeid,
                        pid,
                        named: false,
                    });
                    // Numbered below, once its position is known.
                    next.push(Process {
                        nodeid,
                        pid,
                        arrival: arrivals_base,
                    });
                    a += 1;
                }
                Ordering::Equal => {
                    // Most of the membership is unchanged: copy the whole
                    // run of processes that are still members at once.
                    let run = before[b..]
                        .iter()
                        .zip(&after[a..])
                        .take_while(|&(old, &new)| old.key() == new)
                        .count();
                    next.extend_from_slice(&before[b..b + run]);
                    b += run;
                    a += run;
                }
            }
        }
        if arrivals.is_empty() {
            return;
        }
        // An arrival's number is its first position in member_list: walk it
        // backwards so that the first occurrence is written last. Each
        // lookup is a binary search: O(m log m) when all members arrive.
        for (position, entry) in member_list.iter().enumerate().rev() {
            let key = identity_key(entry.nodeid, entry.pid);
            if arrivals
                .binary_search_by(|arrival| identity_key(arrival.nodeid, arrival.pid).cmp(&key))
                .is_err()
            {
                continue;
            }
            if let Ok(index) = next.binary_search_by(|process| process.key().cmp(&key)) {
                // Corosync lists at most CPG_MEMBERS_MAX; positions beyond
                // u32 only lose the tie-break between their own arrivals.
                let position = u32::try_from(position).unwrap_or(u32::MAX);
                next[index].arrival = arrivals_base.saturating_add(u64::from(position));
            }
        }
    }

    /// One [`NodeChange`] per node that has a departure or an arrival,
    /// sorted by nodeid: the only nodes whose events need one. Each is a
    /// binary search and a scan of that node's few processes, so a change
    /// costs O(log m) per node it touches, not O(m).
    fn summarise_nodes(&mut self) {
        let nodes = &mut self.scratch_nodes;
        nodes.clear();
        let (departures, arrivals) = (&self.scratch_departures, &self.scratch_arrivals);
        let (mut d, mut a) = (0, 0);
        loop {
            let nodeid = match (departures.get(d), arrivals.get(a)) {
                (Some(left), Some(joined)) => left.nodeid.min(joined.nodeid),
                (Some(left), None) => left.nodeid,
                (None, Some(joined)) => joined.nodeid,
                (None, None) => break,
            };
            while departures.get(d).is_some_and(|left| left.nodeid == nodeid) {
                d += 1;
            }
            while arrivals
                .get(a)
                .is_some_and(|joined| joined.nodeid == nodeid)
            {
                a += 1;
            }
            let before = node_group(&self.processes, nodeid);
            let after = node_group(&self.scratch_processes, nodeid);
            nodes.push(NodeChange {
                nodeid,
                incumbent_before: before.map(|group| group.incumbent),
                incumbent_after: after.map(|group| group.incumbent),
                count_after: after.map_or(0, |group| group.count),
            });
        }
    }

    fn node_change(&self, nodeid: u32) -> Option<&NodeChange> {
        self.scratch_nodes
            .binary_search_by_key(&nodeid, |node| node.nodeid)
            .ok()
            .map(|index| &self.scratch_nodes[index])
    }

    fn find_member(&self, nodeid: u32, pid: u32) -> Option<usize> {
        self.scratch_members
            .binary_search(&identity_key(nodeid, pid))
            .ok()
    }

    fn was_tracked(&self, nodeid: u32, pid: u32) -> bool {
        self.processes
            .binary_search_by(|process| (process.nodeid, process.pid).cmp(&(nodeid, pid)))
            .is_ok()
    }

    fn name_departures(&mut self, left_list: &[CpgAddress]) {
        for entry in left_list {
            match self
                .scratch_departures
                .binary_search_by(by_identity(entry.nodeid, entry.pid))
            {
                Ok(index) if self.scratch_departures[index].named => {
                    self.anomalies.push(Anomaly::LeftDuplicate(*entry));
                }
                Ok(index) => {
                    self.scratch_departures[index].named = true;
                    self.push_left(entry.nodeid, entry.pid, entry.reason);
                }
                Err(_) if self.find_member(entry.nodeid, entry.pid).is_some() => {
                    self.anomalies.push(Anomaly::LeftStillMember(*entry));
                }
                Err(_) => self.anomalies.push(Anomaly::LeftUnknown(*entry)),
            }
        }
    }

    fn name_arrivals(&mut self, joined_list: &[CpgAddress]) {
        for entry in joined_list {
            match self
                .scratch_arrivals
                .binary_search_by(by_identity(entry.nodeid, entry.pid))
            {
                Ok(index) if self.scratch_arrivals[index].named => {
                    self.anomalies.push(Anomaly::JoinedDuplicate(*entry));
                }
                Ok(index) => {
                    self.scratch_arrivals[index].named = true;
                    self.push_joined(entry.nodeid, entry.pid, entry.reason);
                }
                Err(_) if self.was_tracked(entry.nodeid, entry.pid) => {
                    self.anomalies.push(Anomaly::JoinedAlreadyTracked(*entry));
                }
                Err(_) => self.anomalies.push(Anomaly::JoinedNotMember(*entry)),
            }
        }
    }

    /// Departures and arrivals no list named, by nodeid, departures before
    /// arrivals, then by pid.
    fn infer_unnamed(&mut self) {
        let (mut d, mut a) = (0, 0);
        loop {
            let departure = self.scratch_departures.get(d).copied();
            let arrival = self.scratch_arrivals.get(a).copied();
            match (departure, arrival) {
                (Some(left), Some(joined)) if left.nodeid > joined.nodeid => {
                    a += 1;
                    if !joined.named {
                        self.push_joined(joined.nodeid, joined.pid, CPG_REASON_UNDEFINED);
                    }
                }
                (Some(left), _) => {
                    d += 1;
                    if !left.named {
                        self.push_left(left.nodeid, left.pid, CPG_REASON_UNDEFINED);
                    }
                }
                (None, Some(joined)) => {
                    a += 1;
                    if !joined.named {
                        self.push_joined(joined.nodeid, joined.pid, CPG_REASON_UNDEFINED);
                    }
                }
                (None, None) => break,
            }
        }
    }

    fn push_left(&mut self, nodeid: u32, pid: u32, reason: u32) {
        let node = *self
            .node_change(nodeid)
            .expect("a departure's node was present before the change");
        let was_incumbent = node.incumbent_before == Some(pid);
        let node_gone = node.count_after == 0;
        let (kind, other_pid) = if was_incumbent && node_gone {
            (EventKind::NodeLeft, 0)
        } else {
            (EventKind::RivalLeft, node.incumbent_after.unwrap_or(0))
        };
        self.events.push(Event {
            kind,
            nodeid,
            pid,
            reason,
            other_pid,
            local: nodeid == self.local_nodeid,
            incumbent: was_incumbent,
        });
    }

    fn push_joined(&mut self, nodeid: u32, pid: u32, reason: u32) {
        let node = *self
            .node_change(nodeid)
            .expect("an arrival's node is present after the change");
        let (kind, other_pid) =
            if node.incumbent_before.is_none() && node.incumbent_after == Some(pid) {
                (EventKind::NodeJoined, 0)
            } else {
                (EventKind::RivalJoined, node.incumbent_after.unwrap_or(0))
            };
        self.events.push(Event {
            kind,
            nodeid,
            pid,
            reason,
            other_pid,
            local: nodeid == self.local_nodeid,
            incumbent: false,
        });
    }

    /// The next event of the last change, in order; `None` when drained.
    pub fn next_event(&mut self) -> Option<Event> {
        if !self.events_complete {
            return None;
        }
        let event = self.events.get(self.next_event).copied()?;
        self.next_event += 1;
        Some(event)
    }

    /// All events of the last change, drained or not.
    pub fn events(&self) -> &[Event] {
        if self.events_complete {
            &self.events
        } else {
            &[]
        }
    }

    /// What the last change contained that contradicts `member_list`.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// Whether any process of `nodeid` is tracked (the peer is online).
    pub fn is_member(&self, nodeid: u32) -> bool {
        let start = self
            .processes
            .partition_point(|process| process.nodeid < nodeid);
        self.processes
            .get(start)
            .is_some_and(|process| process.nodeid == nodeid)
    }

    /// How many nodes have at least one tracked process.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// How many processes are tracked.
    pub fn process_count(&self) -> usize {
        self.processes.len()
    }

    /// The tracked processes as (nodeid, pid), sorted.
    pub fn members(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.processes
            .iter()
            .map(|process| (process.nodeid, process.pid))
    }

    /// The pids of `nodeid`, incumbent first, then in arrival order.
    pub fn node_pids(&self, nodeid: u32) -> Result<Vec<u32>, TryReserveError> {
        let start = self
            .processes
            .partition_point(|process| process.nodeid < nodeid);
        let end = self
            .processes
            .partition_point(|process| process.nodeid <= nodeid);
        let node = &self.processes[start..end];
        let mut by_arrival: Vec<(u64, u32)> = Vec::new();
        by_arrival.try_reserve_exact(node.len())?;
        by_arrival.extend(node.iter().map(|process| (process.arrival, process.pid)));
        by_arrival.sort_unstable();
        let mut pids = Vec::new();
        pids.try_reserve_exact(node.len())?;
        pids.extend(by_arrival.iter().map(|&(_, pid)| pid));
        Ok(pids)
    }
}

/// A node's group of processes in a sorted process list.
#[derive(Clone, Copy, Debug)]
struct NodeGroup {
    incumbent: u32,
    count: usize,
}

/// The group of `nodeid`'s processes in a process list sorted by
/// (nodeid, pid), or `None` when it has none: a binary search to its first
/// process, then a scan of its few processes for its incumbent.
fn node_group(processes: &[Process], nodeid: u32) -> Option<NodeGroup> {
    let start = processes.partition_point(|process| process.nodeid < nodeid);
    let rest = &processes[start..];
    let count = rest
        .iter()
        .position(|process| process.nodeid != nodeid)
        .unwrap_or(rest.len());
    let incumbent = rest[..count].iter().min_by_key(|process| process.arrival)?;
    Some(NodeGroup {
        incumbent: incumbent.pid,
        count,
    })
}
