/*
 * The C reference: Pacemaker's leave rule as its confchg callback runs it
 * (see pcmk_rule.h). Our own code. SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include "pcmk_rule.h"

#include <errno.h>
#include <stdlib.h>

/* qsort/bsearch comparator over pointers to entries: by nodeid only. */
static int by_nodeid(const void *left, const void *right)
{
    const struct cpg_address *a = *(const struct cpg_address *const *) left;
    const struct cpg_address *b = *(const struct cpg_address *const *) right;

    return (a->nodeid > b->nodeid) - (a->nodeid < b->nodeid);
}

int pcmk_rule_classify(uint32_t local_nodeid,
                       const struct cpg_address *member_list, size_t member_list_entries,
                       const struct cpg_address *left_list, size_t left_list_entries,
                       uint32_t *verdicts, uint32_t *remaining_pids)
{
    /* Like the callback: one allocation per confchg, whatever it holds. */
    const struct cpg_address **sorted = malloc(member_list_entries * sizeof *sorted);
    size_t i;

    if (sorted == NULL && member_list_entries > 0) {
        return ENOMEM;
    }
    for (i = 0; i < member_list_entries; i++) {
        sorted[i] = &member_list[i];
    }
    qsort(sorted, member_list_entries, sizeof *sorted, by_nodeid);

    for (i = 0; i < left_list_entries; i++) {
        const struct cpg_address *key = &left_list[i];
        const struct cpg_address *const *rival = NULL;

        if (member_list_entries > 0) {
            rival = bsearch(&key, sorted, member_list_entries, sizeof *sorted, by_nodeid);
        }
        if (rival == NULL) {
            verdicts[i] = 0;
            remaining_pids[i] = 0;
        } else {
            verdicts[i] = key->nodeid == local_nodeid ? 1 : 2;
            remaining_pids[i] = (*rival)->pid;
        }
    }
    free(sorted);
    return 0;
}
