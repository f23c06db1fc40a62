/*
 * tracker_bench: what a confchg costs, through the C ABI as Pacemaker
 * calls us, side by side with Pacemaker's own C rule, on identical inputs
 * in one run:
 *
 *   pcmk      Pacemaker's leave rule as its callback runs it (pcmk_rule.c:
 *             malloc, qsort by nodeid, bsearch per leave, free)
 *   classify  rivalguard_classify_leaves() (the same rule, stateless)
 *   tracker   rivalguard_tracker_confchg() + draining its events
 *
 * Inputs: a group of M processes (M = 2, 16, 32, 128 = CPG_MEMBERS_MAX),
 * 1 to 4 processes per node, members in join order, and a cycle of
 * changes as corosync sends them: alternately one random process leaves
 * (member_list M-1 entries, left_list 1) and a new process of the same node
 * joins (member_list M, joined_list 1; new pid, appended in join order).
 * Every process that leaves does so an even number of times in the cycle,
 * so the group is the same set again at its end and the cycle repeats with
 * the tracker's state consistent with the lists. Our own process never
 * leaves. Scaling: the same with synthetic groups of 1k, 8k and 64k.
 *
 * Timing: CLOCK_MONOTONIC around a batch (the cycle repeated to last a few
 * milliseconds), methods interleaved batch by batch after a warm-up; the
 * figure is ns per confchg, median/min/max over the batches. Allocations:
 * malloc interposition (alloc_count.c) over one steady-state pass.
 * Correctness: before timing, every change is checked (the three methods
 * agree, one event per change, no anomaly logged); in steady state the
 * tracker must allocate nothing. A failed check exits 1; time never does.
 *
 *   tracker_bench [--smoke] [--out FILE]      tables in Markdown (stdout by default)
 *   tracker_bench --callgrind METHOD SIZE REPS  run REPS cycles of one method inside
 *                                               cg_region() (for valgrind --toggle-collect)
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rivalguard.h"
#include "alloc_count.h"
#include "pcmk_rule.h"

enum method { METHOD_PCMK, METHOD_CLASSIFY, METHOD_TRACKER, METHOD_COUNT };

static const char *const method_keys[METHOD_COUNT] = {"pcmk", "classify", "tracker"};
static const char *const method_names[METHOD_COUNT] = {
    "Pacemaker's C rule (malloc + qsort + bsearch + free)",
    "`rivalguard_classify_leaves()`",
    "`rivalguard_tracker_confchg()` + draining events",
};

static const size_t realistic_sizes[] = {2, 16, 32, 128};
static const size_t scaling_sizes[] = {1024, 8192, 65536};
#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* Changes per cycle (a multiple of 4: pairs of changes, each process twice). */
#define REALISTIC_CYCLE 256
#define SCALING_CYCLE 8

static void die(const char *what)
{
    fprintf(stderr, "tracker_bench: %s\n", what);
    exit(1);
}

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count ? count : 1, size ? size : 1);

    if (block == NULL) {
        die("out of memory");
    }
    return block;
}

/* ---- deterministic pseudo-random numbers (xorshift64*) ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
}

static uint32_t rng_below(uint32_t bound)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) (((rng_state * 0x2545F4914F6CDD1DULL) >> 32) % bound);
}

static void shuffle(size_t *items, size_t count)
{
    size_t i;

    for (i = count; i > 1; i--) {
        size_t j = rng_below((uint32_t) i);
        size_t swap = items[i - 1];

        items[i - 1] = items[j];
        items[j] = swap;
    }
}

/* ---- inputs ---- */

/* One confchg: its member_list (an offset into cycle.members) and the
 * single left_list or joined_list entry. */
struct change {
    size_t members;
    size_t member_count;
    struct cpg_address entry;
    bool leave;
    /* What the change must give: the node keeps no process (leave), or
     * had none (join). */
    bool node_transition;
};

struct cycle {
    size_t size;
    size_t nodes;
    uint32_t local_nodeid;
    uint32_t local_pid;
    struct cpg_address *initial; /* the full group, in join order */
    struct change *changes;
    size_t change_count;
    size_t leave_count;
    struct cpg_address *members; /* every change's member_list, back to back */
};

static struct cycle build_cycle(size_t size, size_t change_count, uint64_t seed)
{
    struct cycle cycle;
    uint32_t *node = xcalloc(size, sizeof *node);
    uint32_t (*pid)[2] = xcalloc(size, sizeof *pid);
    size_t *first_of_node = xcalloc(size, sizeof *first_of_node);
    unsigned char *generation = xcalloc(size, 1);
    size_t *order = xcalloc(size, sizeof *order);
    size_t *picks = xcalloc(change_count / 2, sizeof *picks);
    size_t *per_node = NULL;
    size_t slot, i, order_count, used = 0;
    uint32_t nodeid = 1;

    if (size < 2 || change_count % 4 != 0) {
        die("a cycle needs 2 processes and a multiple of 4 changes");
    }
    memset(&cycle, 0, sizeof cycle);
    rng_seed(seed);

    /* Nodes 1, 2, ... with 1 to 4 processes each; pids distinct per node,
     * two per process slot (the running one and its replacement). */
    for (slot = 0; slot < size; nodeid++) {
        size_t first = slot, processes = 1 + rng_below(4);

        for (i = 0; i < processes && slot < size; i++, slot++) {
            size_t other;
            int g;

            node[slot] = nodeid;
            first_of_node[slot] = first;
            for (g = 0; g < 2; g++) {
                bool clash;

                do {
                    pid[slot][g] = 300 + rng_below(4000000);
                    clash = g == 1 && pid[slot][1] == pid[slot][0];
                    for (other = first; other < slot && !clash; other++) {
                        clash = pid[other][0] == pid[slot][g] || pid[other][1] == pid[slot][g];
                    }
                } while (clash);
            }
        }
    }
    cycle.size = size;
    cycle.nodes = nodeid - 1;
    /* Our own process: slot 0 (node 1); it never leaves. */
    cycle.local_nodeid = node[0];
    cycle.local_pid = pid[0][0];

    /* The group in join order: an arbitrary order. */
    for (i = 0; i < size; i++) {
        order[i] = i;
    }
    shuffle(order, size);
    order_count = size;
    cycle.initial = xcalloc(size, sizeof *cycle.initial);
    for (i = 0; i < size; i++) {
        cycle.initial[i].nodeid = node[order[i]];
        cycle.initial[i].pid = pid[order[i]][0];
        cycle.initial[i].reason = 0;
    }

    /* Which process leaves (and is replaced) at each pair of changes:
     * random picks, then the same picks shuffled, so each one toggles an
     * even number of times and the cycle ends where it began. */
    for (i = 0; i < change_count / 4; i++) {
        picks[i] = 1 + rng_below((uint32_t) (size - 1));
    }
    memcpy(picks + change_count / 4, picks, change_count / 4 * sizeof *picks);
    shuffle(picks + change_count / 4, change_count / 4);

    /* How many processes each node runs, by its first slot. */
    per_node = xcalloc(size, sizeof *per_node);
    for (i = 0; i < size; i++) {
        per_node[first_of_node[i]]++;
    }

    cycle.change_count = change_count;
    cycle.changes = xcalloc(change_count, sizeof *cycle.changes);
    cycle.members = xcalloc(change_count * size, sizeof *cycle.members);
    for (i = 0; i < change_count; i++) {
        struct change *change = &cycle.changes[i];
        size_t pick = picks[i / 2], k;

        change->leave = i % 2 == 0;
        if (change->leave) {
            for (k = 0; order[k] != pick; k++) {
            }
            memmove(order + k, order + k + 1, (order_count - k - 1) * sizeof *order);
            order_count--;
            per_node[first_of_node[pick]]--;
            change->entry.reason = CPG_REASON_PROCDOWN;
            change->node_transition = per_node[first_of_node[pick]] == 0;
            change->entry.pid = pid[pick][generation[pick]];
            cycle.leave_count++;
        } else {
            generation[pick] ^= 1;
            order[order_count++] = pick;
            change->node_transition = per_node[first_of_node[pick]] == 0;
            per_node[first_of_node[pick]]++;
            change->entry.reason = CPG_REASON_JOIN;
            change->entry.pid = pid[pick][generation[pick]];
        }
        change->entry.nodeid = node[pick];
        change->members = used;
        change->member_count = order_count;
        for (k = 0; k < order_count; k++) {
            struct cpg_address *member = &cycle.members[used++];

            member->nodeid = node[order[k]];
            member->pid = pid[order[k]][generation[order[k]]];
            member->reason = 0;
        }
    }
    for (i = 0; i < size; i++) {
        if (generation[i] != 0) {
            die("internal: the cycle does not end where it began");
        }
    }

    free(node);
    free(pid);
    free(first_of_node);
    free(generation);
    free(order);
    free(picks);
    free(per_node);
    return cycle;
}

static void free_cycle(struct cycle *cycle)
{
    free(cycle->initial);
    free(cycle->changes);
    free(cycle->members);
    memset(cycle, 0, sizeof *cycle);
}

/* ---- the three methods ---- */

static int anomalies;

static void count_log(int priority, const char *message, void *user_data)
{
    (void) user_data;
    if (priority <= 4) {
        anomalies++;
        fprintf(stderr, "tracker_bench: library warning: %s\n", message);
    }
}

static struct rivalguard_tracker *new_tracker(const struct cycle *cycle)
{
    struct rivalguard_tracker *tracker = NULL;
    struct rivalguard_event event;
    struct cpg_address self;

    if (rivalguard_tracker_new(cycle->local_nodeid, cycle->local_pid, &tracker) != 0) {
        die("rivalguard_tracker_new failed");
    }
    /* Our own join: the whole group is there, we are named as joining. */
    self.nodeid = cycle->local_nodeid;
    self.pid = cycle->local_pid;
    self.reason = CPG_REASON_JOIN;
    if (rivalguard_tracker_confchg(tracker, cycle->initial, cycle->size, NULL, 0, &self, 1) != 0) {
        die("rivalguard_tracker_confchg failed on the first change");
    }
    while (rivalguard_tracker_next_event(tracker, &event)) {
    }
    return tracker;
}

/* Keeps results alive so that nothing is optimised away. */
static volatile uint32_t sink;

/* Runs `reps` passes over the cycle with one method. `leaves_only`
 * skips the join changes (stateless methods only). */
static void run(enum method method, const struct cycle *cycle, struct rivalguard_tracker *tracker,
                unsigned reps, bool leaves_only)
{
    uint32_t verdicts[1], remaining[1], total = 0;
    struct rivalguard_event event;
    unsigned rep;
    size_t i;

    for (rep = 0; rep < reps; rep++) {
        for (i = 0; i < cycle->change_count; i++) {
            const struct change *change = &cycle->changes[i];
            const struct cpg_address *members = cycle->members + change->members;
            const struct cpg_address *left = change->leave ? &change->entry : NULL;
            const struct cpg_address *joined = change->leave ? NULL : &change->entry;
            size_t left_count = change->leave ? 1 : 0;
            int rc;

            if (leaves_only && !change->leave) {
                continue;
            }
            switch (method) {
            case METHOD_PCMK:
                rc = pcmk_rule_classify(cycle->local_nodeid, members, change->member_count, left,
                                        left_count, verdicts, remaining);
                total += verdicts[0];
                break;
            case METHOD_CLASSIFY:
                rc = rivalguard_classify_leaves(cycle->local_nodeid, members, change->member_count,
                                                left, left_count, verdicts, remaining);
                total += verdicts[0];
                break;
            default:
                rc = rivalguard_tracker_confchg(tracker, members, change->member_count, left,
                                                left_count, joined, 1 - left_count);
                while (rivalguard_tracker_next_event(tracker, &event)) {
                    total += event.kind;
                }
                break;
            }
            if (rc != 0) {
                die("a method returned an error");
            }
        }
    }
    sink = total;
}

/* Checks every change once: the stateless methods agree, the tracker
 * gives exactly one event of the right kind, nothing is logged. */
static void verify(const struct cycle *cycle, struct rivalguard_tracker *tracker)
{
    size_t i;

    for (i = 0; i < cycle->change_count; i++) {
        const struct change *change = &cycle->changes[i];
        const struct cpg_address *members = cycle->members + change->members;
        uint32_t expected_kind, pcmk_verdict = 0, rg_verdict = 0, pcmk_pid = 0, rg_pid = 0;
        struct rivalguard_event event;
        int events = 0;

        if (change->leave) {
            if (pcmk_rule_classify(cycle->local_nodeid, members, change->member_count,
                                   &change->entry, 1, &pcmk_verdict, &pcmk_pid) != 0
                || rivalguard_classify_leaves(cycle->local_nodeid, members, change->member_count,
                                              &change->entry, 1, &rg_verdict, &rg_pid) != 0) {
                die("verify: a classification failed");
            }
            if (pcmk_verdict != rg_verdict || (pcmk_verdict == 0) != change->node_transition) {
                die("verify: classify_leaves and the C rule disagree");
            }
            expected_kind = change->node_transition ? RIVALGUARD_EVENT_NODE_LEFT
                                                    : RIVALGUARD_EVENT_RIVAL_LEFT;
        } else {
            expected_kind = change->node_transition ? RIVALGUARD_EVENT_NODE_JOINED
                                                    : RIVALGUARD_EVENT_RIVAL_JOINED;
        }
        if (rivalguard_tracker_confchg(tracker, members, change->member_count,
                                       change->leave ? &change->entry : NULL, change->leave,
                                       change->leave ? NULL : &change->entry, !change->leave)
            != 0) {
            die("verify: rivalguard_tracker_confchg failed");
        }
        while (rivalguard_tracker_next_event(tracker, &event)) {
            events++;
            if (event.kind != expected_kind || event.nodeid != change->entry.nodeid
                || event.pid != change->entry.pid || event.reason != change->entry.reason) {
                fprintf(stderr, "change %zu: event %s node %u pid %u, expected %s node %u pid %u\n",
                        i, rivalguard_event_kind_name(event.kind), event.nodeid, event.pid,
                        rivalguard_event_kind_name(expected_kind), change->entry.nodeid,
                        change->entry.pid);
                die("verify: unexpected tracker event");
            }
        }
        if (events != 1) {
            die("verify: not exactly one tracker event");
        }
    }
    if (anomalies != 0) {
        die("verify: the library logged anomalies");
    }
}

/* ---- timing ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int compare_double(const void *left, const void *right)
{
    double a = *(const double *) left, b = *(const double *) right;

    return (a > b) - (a < b);
}

struct stats {
    double median, min, max;
};

static struct stats summarise(double *values, size_t count)
{
    struct stats stats;

    qsort(values, count, sizeof *values, compare_double);
    stats.min = values[0];
    stats.max = values[count - 1];
    stats.median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
    return stats;
}

struct measurement {
    size_t size;
    size_t nodes;
    unsigned reps;
    unsigned batches;
    struct stats ns[METHOD_COUNT];        /* per confchg, whole cycle */
    struct stats leave_ns[METHOD_COUNT];  /* per confchg, leave changes only (stateless) */
    double allocations[METHOD_COUNT];     /* per confchg, steady state */
    double leave_allocations[METHOD_COUNT];
    uint64_t tracker_first_allocations;   /* tracker_new + its first change */
};

struct settings {
    bool smoke;
    unsigned batches;          /* realistic sizes */
    unsigned scaling_batches;
    uint64_t batch_target_ns;
};

static unsigned calibrate(const struct cycle *cycle, struct rivalguard_tracker *tracker,
                          uint64_t target_ns)
{
    uint64_t slowest = 1;
    int method;

    for (method = 0; method < METHOD_COUNT; method++) {
        uint64_t start = now_ns(), spent;

        run((enum method) method, cycle, tracker, 1, false);
        spent = now_ns() - start;
        if (spent > slowest) {
            slowest = spent;
        }
    }
    return target_ns / slowest >= 1 ? (unsigned) (target_ns / slowest) : 1;
}

static void time_methods(const struct cycle *cycle, struct rivalguard_tracker *tracker,
                         unsigned reps, unsigned batches, bool leaves_only, struct stats *out)
{
    double *samples[METHOD_COUNT];
    size_t per_batch = reps * (leaves_only ? cycle->leave_count : cycle->change_count);
    unsigned batch;
    int method;

    for (method = 0; method < METHOD_COUNT; method++) {
        samples[method] = xcalloc(batches, sizeof(double));
    }
    for (batch = 0; batch < batches; batch++) {
        int turn;

        /* Interleaved, each batch starting with another method. */
        for (turn = 0; turn < METHOD_COUNT; turn++) {
            enum method m = (enum method) ((batch + (unsigned) turn) % METHOD_COUNT);
            uint64_t start;

            if (leaves_only && m == METHOD_TRACKER) {
                continue;
            }
            start = now_ns();
            run(m, cycle, tracker, reps, leaves_only);
            samples[m][batch] = (double) (now_ns() - start) / (double) per_batch;
        }
    }
    for (method = 0; method < METHOD_COUNT; method++) {
        if (!(leaves_only && method == METHOD_TRACKER)) {
            out[method] = summarise(samples[method], batches);
        }
        free(samples[method]);
    }
}

static void measure(size_t size, size_t change_count, unsigned batches,
                    const struct settings *settings, struct measurement *result)
{
    struct cycle cycle = build_cycle(size, change_count, 0x5EED0000u + size);
    struct rivalguard_tracker *tracker;
    uint64_t warm_until;
    int method;

    memset(result, 0, sizeof *result);
    result->size = size;
    result->nodes = cycle.nodes;
    result->batches = batches;

    alloc_count_start();
    tracker = new_tracker(&cycle);
    result->tracker_first_allocations = alloc_count_stop();

    verify(&cycle, tracker);

    /* Warm-up: caches, branch predictors, the allocator's free lists. */
    warm_until = now_ns() + (settings->smoke ? 0 : 100000000u);
    do {
        for (method = 0; method < METHOD_COUNT; method++) {
            run((enum method) method, &cycle, tracker, 1, false);
        }
    } while (now_ns() < warm_until);

    /* Allocations in steady state: one pass per method. */
    for (method = 0; method < METHOD_COUNT; method++) {
        alloc_count_start();
        run((enum method) method, &cycle, tracker, 1, false);
        result->allocations[method] = (double) alloc_count_stop() / (double) cycle.change_count;
        if (method != METHOD_TRACKER) {
            alloc_count_start();
            run((enum method) method, &cycle, tracker, 1, true);
            result->leave_allocations[method] =
                (double) alloc_count_stop() / (double) cycle.leave_count;
        }
    }
    if (result->allocations[METHOD_TRACKER] != 0) {
        fprintf(stderr, "tracker_bench: %zu members: %.3f allocations per confchg in steady state\n",
                size, result->allocations[METHOD_TRACKER]);
        die("the tracker allocates in steady state");
    }

    result->reps = settings->smoke ? 1 : calibrate(&cycle, tracker, settings->batch_target_ns);
    time_methods(&cycle, tracker, result->reps, batches, false, result->ns);
    time_methods(&cycle, tracker, result->reps, batches, true, result->leave_ns);

    rivalguard_tracker_free(tracker);
    free_cycle(&cycle);
}

/* ---- report ---- */

static void print_stats_row(FILE *out, const char *label, struct stats stats, double divisor)
{
    fprintf(out, "| %s | %.1f | %.1f | %.1f |", label, stats.median / divisor, stats.min / divisor,
            stats.max / divisor);
}

static void report(FILE *out, const struct measurement *realistic, size_t realistic_count,
                   const struct measurement *scaling, size_t scaling_count)
{
    const struct measurement *largest = &realistic[realistic_count - 1];
    double tracker_ratio, classify_ratio, classify_leave_ratio;
    size_t i;
    int method;

    tracker_ratio = largest->ns[METHOD_TRACKER].median / largest->ns[METHOD_PCMK].median;
    classify_ratio = largest->ns[METHOD_CLASSIFY].median / largest->ns[METHOD_PCMK].median;
    classify_leave_ratio = largest->leave_ns[METHOD_CLASSIFY].median
                           / largest->leave_ns[METHOD_PCMK].median;
    fprintf(out, "### Goals (at %zu members)\n\n", largest->size);
    fprintf(out, "- tracker confchg ≤ 0.5× the C rule: **%.2f×** (%s)\n", tracker_ratio,
            tracker_ratio <= 0.5 ? "met" : "missed");
    {
        bool all_met = true;

        for (i = 0; i < realistic_count; i++) {
            all_met = all_met
                      && realistic[i].leave_ns[METHOD_CLASSIFY].median
                             <= realistic[i].leave_ns[METHOD_PCMK].median
                      && realistic[i].ns[METHOD_CLASSIFY].median <= realistic[i].ns[METHOD_PCMK].median;
        }
        fprintf(out, "- classify_leaves ≤ the C rule: **%.2f×** on leave changes, %.2f× on all "
                     "changes (%s at every size: %s)\n",
                classify_leave_ratio, classify_ratio,
                classify_leave_ratio <= 1.0 && classify_ratio <= 1.0 ? "met" : "missed",
                all_met ? "yes" : "no");
    }
    {
        bool zero = true;

        for (i = 0; i < realistic_count + scaling_count; i++) {
            const struct measurement *m = i < realistic_count ? &realistic[i] : &scaling[i - realistic_count];

            zero = zero && m->allocations[METHOD_TRACKER] == 0;
        }
        fprintf(out, "- 0 allocations per tracker confchg in steady state: **%s** (C rule: %.2f at "
                     "%zu members)\n",
                zero ? "met" : "missed", largest->allocations[METHOD_PCMK], largest->size);
    }
    fprintf(out, "\n");

    fprintf(out, "### Time per confchg (ns), realistic groups\n\n");
    fprintf(out, "Each change is one leave or one join (alternately), %d changes per cycle.\n\n",
            REALISTIC_CYCLE);
    for (i = 0; i < realistic_count; i++) {
        const struct measurement *m = &realistic[i];

        fprintf(out, "**%zu members** (%zu node%s; %u batches of %u cycle%s):\n\n", m->size, m->nodes,
                m->nodes == 1 ? "" : "s", m->batches, m->reps, m->reps == 1 ? "" : "s");
        fprintf(out, "| method | median | min | max | × C rule (median) |\n|---|---:|---:|---:|---:|\n");
        for (method = 0; method < METHOD_COUNT; method++) {
            print_stats_row(out, method_names[method], m->ns[method], 1.0);
            fprintf(out, " %.2f× |\n", m->ns[method].median / m->ns[METHOD_PCMK].median);
        }
        fprintf(out, "\n");
    }

    fprintf(out, "### Leave changes only (ns per confchg), stateless methods\n\n");
    fprintf(out, "The tracker needs both kinds of change to stay consistent, so it is not in this table.\n\n");
    fprintf(out, "| members | C rule median | min | max | classify_leaves median | min | max | ratio |\n");
    fprintf(out, "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < realistic_count; i++) {
        const struct measurement *m = &realistic[i];

        fprintf(out, "| %zu | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f× |\n", m->size,
                m->leave_ns[METHOD_PCMK].median, m->leave_ns[METHOD_PCMK].min,
                m->leave_ns[METHOD_PCMK].max, m->leave_ns[METHOD_CLASSIFY].median,
                m->leave_ns[METHOD_CLASSIFY].min, m->leave_ns[METHOD_CLASSIFY].max,
                m->leave_ns[METHOD_CLASSIFY].median / m->leave_ns[METHOD_PCMK].median);
    }
    fprintf(out, "\n");

    fprintf(out, "### Ratios of medians (method ÷ Pacemaker's C rule)\n\n");
    fprintf(out, "| members | tracker ÷ C rule | classify_leaves ÷ C rule (all changes) | classify_leaves ÷ C rule (leaves) |\n");
    fprintf(out, "|---:|---:|---:|---:|\n");
    for (i = 0; i < realistic_count; i++) {
        const struct measurement *m = &realistic[i];

        fprintf(out, "| %zu | %.2f× | %.2f× | %.2f× |\n", m->size,
                m->ns[METHOD_TRACKER].median / m->ns[METHOD_PCMK].median,
                m->ns[METHOD_CLASSIFY].median / m->ns[METHOD_PCMK].median,
                m->leave_ns[METHOD_CLASSIFY].median / m->leave_ns[METHOD_PCMK].median);
    }
    fprintf(out, "\n");

    fprintf(out, "### Scaling (synthetic groups beyond CPG_MEMBERS_MAX)\n\n");
    fprintf(out, "ns per member_list entry = ns per confchg ÷ group size; %d changes per cycle, "
                 "half of them joins (where classify_leaves has nothing to do and returns at "
                 "once; on a leave it scans member_list up to the first process of that node).\n\n",
            SCALING_CYCLE);
    fprintf(out, "| entries | method | ns per confchg (median) | ns per entry: median | min | max |\n");
    fprintf(out, "|---:|---|---:|---:|---:|---:|\n");
    for (i = 0; i < scaling_count; i++) {
        const struct measurement *m = &scaling[i];

        for (method = 0; method < METHOD_COUNT; method++) {
            char label[160];

            snprintf(label, sizeof label, "%zu | %s | %.0f", m->size, method_names[method],
                     m->ns[method].median);
            print_stats_row(out, label, m->ns[method], (double) m->size);
            fprintf(out, "\n");
        }
    }
    if (scaling_count >= 2) {
        const struct measurement *small = &scaling[0], *big = &scaling[scaling_count - 1];
        double log_growth = 0, size_ratio = (double) big->size / (double) small->size;
        double a = (double) small->size, b = (double) big->size;

        /* log2 without libm: count halvings. */
        {
            double la = 0, lb = 0;

            while (a > 1) {
                a /= 2;
                la++;
            }
            while (b > 1) {
                b /= 2;
                lb++;
            }
            log_growth = lb / la;
        }
        fprintf(out, "\nGrowth of the time per entry from %zu to %zu entries (%.0f× more): ",
                small->size, big->size, size_ratio);
        for (method = 0; method < METHOD_COUNT; method++) {
            fprintf(out, "%s%s %.2f×", method ? ", " : "", method_keys[method],
                    (big->ns[method].median / (double) big->size)
                        / (small->ns[method].median / (double) small->size));
        }
        fprintf(out, ". O(m) would keep it at 1×, O(m log m) at %.2f× (the log m ratio). Time "
                     "also pays for the caches: at %zu entries a change reads %zu KiB of "
                     "member_list and the tracker's own arrays are several times that, beyond "
                     "this CPU's per-core L2, so time grows faster than the work; the "
                     "instruction counts below (callgrind) show the work alone.\n\n",
                log_growth, big->size, big->size * sizeof(struct cpg_address) / 1024);
    }

    fprintf(out, "### Heap allocations per confchg (steady state, malloc interposition)\n\n");
    fprintf(out, "| members | C rule | classify_leaves | tracker | tracker: first change (sizing) |\n");
    fprintf(out, "|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < realistic_count + scaling_count; i++) {
        const struct measurement *m = i < realistic_count ? &realistic[i] : &scaling[i - realistic_count];

        fprintf(out, "| %zu | %.2f | %.2f | %.2f | %" PRIu64 " |\n", m->size,
                m->allocations[METHOD_PCMK], m->allocations[METHOD_CLASSIFY],
                m->allocations[METHOD_TRACKER], m->tracker_first_allocations);
    }
    fprintf(out, "\nThe C rule allocates its pointer array on every confchg; glibc's `qsort` adds a "
                 "buffer of its own when the array reaches 1 KiB (128 pointers: the join changes at "
                 "128 members), hence the fractions. classify_leaves allocates only for more than 8 "
                 "leaves. The tracker sizes its buffers in its first change (and when a group grows "
                 "past its largest size), then allocates nothing.\n\n");

}

/* ---- callgrind mode ---- */

static const struct cycle *cg_cycle;
static struct rivalguard_tracker *cg_tracker;
static enum method cg_method;
static unsigned cg_reps;

/* The region callgrind counts (--toggle-collect=cg_region). */
void cg_region(void);
void cg_region(void)
{
    run(cg_method, cg_cycle, cg_tracker, cg_reps, false);
}

/* Called through a volatile pointer so that it is never inlined. */
static void (*volatile cg_region_pointer)(void) = cg_region;

static int callgrind_mode(const char *method_key, const char *size_text, const char *reps_text)
{
    struct cycle cycle;
    size_t size = (size_t) strtoul(size_text, NULL, 10);
    int method;

    cg_reps = (unsigned) strtoul(reps_text, NULL, 10);
    for (method = 0; method < METHOD_COUNT && strcmp(method_keys[method], method_key) != 0; method++) {
    }
    if (method == METHOD_COUNT || size < 2 || cg_reps == 0) {
        die("usage: tracker_bench --callgrind pcmk|classify|tracker SIZE REPS");
    }
    cycle = build_cycle(size, size >= scaling_sizes[0] ? SCALING_CYCLE : REALISTIC_CYCLE, 0x5EED0000u + size);
    cg_cycle = &cycle;
    cg_method = (enum method) method;
    cg_tracker = new_tracker(&cycle);
    run(cg_method, &cycle, cg_tracker, 1, false); /* warm (the tracker sized itself at its first change) */
    cg_region_pointer();
    printf("confchgs %zu\n", (size_t) cg_reps * cycle.change_count);
    rivalguard_tracker_free(cg_tracker);
    free_cycle(&cycle);
    return 0;
}

int main(int argc, char **argv)
{
    struct measurement realistic[COUNT_OF(realistic_sizes)];
    struct measurement scaling[COUNT_OF(scaling_sizes)];
    struct settings settings;
    const char *out_path = NULL;
    FILE *out = stdout;
    size_t i;
    int arg;

    memset(&settings, 0, sizeof settings);
    if (argc == 5 && strcmp(argv[1], "--callgrind") == 0) {
        return callgrind_mode(argv[2], argv[3], argv[4]);
    }
    for (arg = 1; arg < argc; arg++) {
        if (strcmp(argv[arg], "--smoke") == 0) {
            settings.smoke = true;
        } else if (strcmp(argv[arg], "--out") == 0 && arg + 1 < argc) {
            out_path = argv[++arg];
        } else {
            die("usage: tracker_bench [--smoke] [--out FILE] | --callgrind METHOD SIZE REPS");
        }
    }
    settings.batches = settings.smoke ? 3 : 301;
    settings.scaling_batches = settings.smoke ? 1 : 31;
    settings.batch_target_ns = 2000000;

    rivalguard_set_log_handler(count_log, NULL);
    if (strcmp(rivalguard_version(), RIVALGUARD_VERSION_STRING) != 0) {
        die("header and library versions differ");
    }

    for (i = 0; i < COUNT_OF(realistic_sizes); i++) {
        measure(realistic_sizes[i], REALISTIC_CYCLE, settings.batches, &settings, &realistic[i]);
        fprintf(stderr, "tracker_bench: %zu members: pcmk %.1f ns, classify %.1f ns, tracker %.1f ns per confchg\n",
                realistic_sizes[i], realistic[i].ns[METHOD_PCMK].median,
                realistic[i].ns[METHOD_CLASSIFY].median, realistic[i].ns[METHOD_TRACKER].median);
    }
    for (i = 0; i < COUNT_OF(scaling_sizes); i++) {
        measure(scaling_sizes[i], SCALING_CYCLE, settings.scaling_batches, &settings, &scaling[i]);
        fprintf(stderr, "tracker_bench: %zu entries: pcmk %.2f, classify %.2f, tracker %.2f ns per entry\n",
                scaling_sizes[i], scaling[i].ns[METHOD_PCMK].median / (double) scaling_sizes[i],
                scaling[i].ns[METHOD_CLASSIFY].median / (double) scaling_sizes[i],
                scaling[i].ns[METHOD_TRACKER].median / (double) scaling_sizes[i]);
    }

    if (out_path != NULL) {
        out = fopen(out_path, "w");
        if (out == NULL) {
            die("cannot open the output file");
        }
    }
    report(out, realistic, COUNT_OF(realistic), scaling, COUNT_OF(scaling));
    if (out != stdout && fclose(out) != 0) {
        die("cannot write the output file");
    }
    return 0;
}
