/*
 * A C reference for the benchmark: what Pacemaker's CPG confchg callback
 * does for leaves today (2.0.2+, the CVE-2018-16877/16878 fix), written
 * from its description, not copied: on every confchg, allocate an array of
 * pointers into member_list, qsort it by nodeid, bsearch each left_list
 * entry in it, free it. A leave is a rival's when any member has the same
 * nodeid (the pid is not compared).
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#ifndef RIVALGUARD_BENCH_PCMK_RULE_H
#define RIVALGUARD_BENCH_PCMK_RULE_H

#include <stddef.h>
#include <stdint.h>
#include <corosync/cpg.h>

/*
 * Classifies each left_list entry into verdicts[i] (an enum
 * rivalguard_leave value: 0 node left, 1 local rival, 2 remote rival) and
 * remaining_pids[i] (the pid of *a* member of that node, whichever bsearch
 * lands on, as Pacemaker logs it; 0 when none). Returns 0 or ENOMEM.
 */
int pcmk_rule_classify(uint32_t local_nodeid,
                       const struct cpg_address *member_list, size_t member_list_entries,
                       const struct cpg_address *left_list, size_t left_list_entries,
                       uint32_t *verdicts, uint32_t *remaining_pids);

#endif
