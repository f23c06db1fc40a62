//! Pacemaker's stateless leave rule (2.0.2+, the CVE-2018-16877/16878
//! fix), offered as a drop-in: a leave is a rival's when `member_list`
//! still holds any entry with the same nodeid; the pid is not compared.

use std::collections::TryReserveError;

use crate::cpg::CpgAddress;

/// What one `left_list` entry means under Pacemaker's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Leave {
    /// No process of that node remains: the node left.
    Node = 0,
    /// A process of the local node remains: a local rival left.
    LocalRival = 1,
    /// A process of that remote node remains: a rival of it left.
    RemoteRival = 2,
}

/// The verdict for one `left_list` entry, and the pid of the first
/// `member_list` entry of its node (in `member_list` order), if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Classified {
    /// The verdict.
    pub leave: Leave,
    /// The remaining process of that node that decided it, 0 when none.
    pub remaining_pid: u32,
}

/// Up to this many leaves, a linear scan of `member_list` per leave beats
/// sorting it (and allocates nothing); corosync usually reports one.
const LINEAR_SCAN_MAX_LEAVES: usize = 8;

/// Classifies each `left_list` entry, handing `record(index, verdict)` one
/// verdict per entry in order. O((m + l) log m); allocates only for more
/// than a few leaves, and fails only when that allocation does, before
/// anything is recorded.
pub fn classify_leaves(
    local_nodeid: u32,
    member_list: &[CpgAddress],
    left_list: &[CpgAddress],
    mut record: impl FnMut(usize, Classified),
) -> Result<(), TryReserveError> {
    let verdict = |nodeid: u32, remaining: Option<u32>| match remaining {
        None => Classified {
            leave: Leave::Node,
            remaining_pid: 0,
        },
        Some(pid) if nodeid == local_nodeid => Classified {
            leave: Leave::LocalRival,
            remaining_pid: pid,
        },
        Some(pid) => Classified {
            leave: Leave::RemoteRival,
            remaining_pid: pid,
        },
    };
    if left_list.len() <= LINEAR_SCAN_MAX_LEAVES {
        for (index, left) in left_list.iter().enumerate() {
            let remaining = member_list
                .iter()
                .find(|member| member.nodeid == left.nodeid);
            record(
                index,
                verdict(left.nodeid, remaining.map(|member| member.pid)),
            );
        }
        return Ok(());
    }
    // First member of each node in member_list order: sort (nodeid,
    // position) pairs and take the first of each nodeid by binary search.
    let mut firsts: Vec<(u32, usize)> = Vec::new();
    firsts.try_reserve_exact(member_list.len())?;
    firsts.extend(
        member_list
            .iter()
            .enumerate()
            .map(|(position, member)| (member.nodeid, position)),
    );
    firsts.sort_unstable();
    for (index, left) in left_list.iter().enumerate() {
        let start = firsts.partition_point(|&(nodeid, _)| nodeid < left.nodeid);
        let remaining = firsts
            .get(start)
            .filter(|&&(nodeid, _)| nodeid == left.nodeid)
            .map(|&(_, position)| member_list[position].pid);
        record(index, verdict(left.nodeid, remaining));
    }
    Ok(())
}
