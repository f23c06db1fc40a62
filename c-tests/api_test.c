/* Calls every tracker, classification, log and version function of
 * include/rivalguard.h with good and bad input, as a C caller would.
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror, run plain, under
 * ASan+UBSan and under valgrind. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "rivalguard.h"
#include "check.h"

static struct cpg_address addr(uint32_t nodeid, uint32_t pid, uint32_t reason)
{
    struct cpg_address a;
    a.nodeid = nodeid;
    a.pid = pid;
    a.reason = reason;
    return a;
}

static size_t drain(struct rivalguard_tracker *t, struct rivalguard_event *events, size_t max)
{
    size_t n = 0;
    struct rivalguard_event ev;
    while (rivalguard_tracker_next_event(t, &ev)) {
        if (n < max) {
            events[n] = ev;
        }
        n++;
    }
    return n;
}

static void test_version(void)
{
    CHECK(strcmp(rivalguard_version(), RIVALGUARD_VERSION_STRING) == 0);
    CHECK(RIVALGUARD_VERSION_MAJOR == 0 && RIVALGUARD_VERSION_MINOR >= 1);
}

static void test_names(void)
{
    CHECK(strcmp(rivalguard_event_kind_name(RIVALGUARD_EVENT_NODE_JOINED), "NODE_JOINED") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(RIVALGUARD_EVENT_NODE_LEFT), "NODE_LEFT") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(RIVALGUARD_EVENT_RIVAL_JOINED), "RIVAL_JOINED") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(RIVALGUARD_EVENT_RIVAL_LEFT), "RIVAL_LEFT") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(RIVALGUARD_EVENT_EVICTED), "EVICTED") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(0), "UNKNOWN") == 0);
    CHECK(strcmp(rivalguard_event_kind_name(UINT32_MAX), "UNKNOWN") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_JOIN), "join") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_LEAVE), "leave") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_NODEDOWN), "nodedown") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_NODEUP), "nodeup") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_PROCDOWN), "procdown") == 0);
    CHECK(strcmp(rivalguard_reason_name(CPG_REASON_UNDEFINED), "undefined") == 0);
    CHECK(strcmp(rivalguard_reason_name(6), "unknown") == 0);
    CHECK(strcmp(rivalguard_reason_name(UINT32_MAX), "unknown") == 0);
}

static void test_tracker_new_and_free(void)
{
    struct rivalguard_tracker *t = (struct rivalguard_tracker *) 0x10;

    CHECK(rivalguard_tracker_new(1, 100, NULL) == EINVAL);
    CHECK(rivalguard_tracker_new(0, 100, &t) == EINVAL);
    CHECK(rivalguard_tracker_new(1, 0, &t) == EINVAL);
    CHECK(t == (struct rivalguard_tracker *) 0x10);
    CHECK(rivalguard_tracker_new(1, 100, &t) == 0);
    CHECK(t != NULL && t != (struct rivalguard_tracker *) 0x10);
    rivalguard_tracker_free(t);
    rivalguard_tracker_free(NULL);
}

/* The scenario of a Pacemaker daemon: we join, a rival joins on our node,
 * a peer node joins with two processes, its incumbent is killed, then the
 * rest of it goes down. */
static void test_tracker_scenario(void)
{
    struct rivalguard_tracker *t = NULL;
    struct rivalguard_event ev[8];
    struct cpg_address members[4], left[2], joined[2];
    uint32_t pids[4];
    size_t count = 0;

    CHECK(rivalguard_tracker_new(1, 100, &t) == 0);

    members[0] = addr(1, 100, 0);
    joined[0] = addr(1, 100, CPG_REASON_JOIN);
    CHECK(rivalguard_tracker_confchg(t, members, 1, NULL, 0, joined, 1) == 0);
    CHECK(drain(t, ev, 8) == 1);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_NODE_JOINED && ev[0].local && ev[0].pid == 100);
    CHECK(rivalguard_tracker_is_member(t, 1));

    members[1] = addr(1, 555, 0);
    joined[0] = addr(1, 555, CPG_REASON_JOIN);
    CHECK(rivalguard_tracker_confchg(t, members, 2, NULL, 0, joined, 1) == 0);
    CHECK(drain(t, ev, 8) == 1);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_RIVAL_JOINED && ev[0].local && ev[0].pid == 555
          && ev[0].other_pid == 100 && ev[0].reason == CPG_REASON_JOIN);

    members[2] = addr(2, 20, 0);
    members[3] = addr(2, 21, 0);
    joined[0] = addr(2, 20, CPG_REASON_JOIN);
    joined[1] = addr(2, 21, CPG_REASON_JOIN);
    CHECK(rivalguard_tracker_confchg(t, members, 4, NULL, 0, joined, 2) == 0);
    CHECK(drain(t, ev, 8) == 2);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_NODE_JOINED && ev[0].nodeid == 2 && ev[0].pid == 20 && !ev[0].local);
    CHECK(ev[1].kind == RIVALGUARD_EVENT_RIVAL_JOINED && ev[1].pid == 21 && ev[1].other_pid == 20);
    CHECK(rivalguard_tracker_node_count(t) == 2);
    CHECK(rivalguard_tracker_node_pids(t, 2, pids, 4, &count) == 0);
    CHECK(count == 2 && pids[0] == 20 && pids[1] == 21);

    /* Kill node 2's incumbent: the node stays. */
    members[2] = addr(2, 21, 0);
    left[0] = addr(2, 20, CPG_REASON_PROCDOWN);
    CHECK(rivalguard_tracker_confchg(t, members, 3, left, 1, NULL, 0) == 0);
    CHECK(drain(t, ev, 8) == 1);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_RIVAL_LEFT && ev[0].incumbent && ev[0].other_pid == 21
          && ev[0].reason == CPG_REASON_PROCDOWN);
    CHECK(rivalguard_tracker_is_member(t, 2));

    /* Node 2 goes down. */
    left[0] = addr(2, 21, CPG_REASON_NODEDOWN);
    CHECK(rivalguard_tracker_confchg(t, members, 2, left, 1, NULL, 0) == 0);
    CHECK(drain(t, ev, 8) == 1);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_NODE_LEFT && ev[0].nodeid == 2 && ev[0].incumbent);
    CHECK(!rivalguard_tracker_is_member(t, 2));

    /* Our own process removed: its LEFT, then EVICTED last. */
    members[0] = addr(1, 555, 0);
    left[0] = addr(1, 100, CPG_REASON_LEAVE);
    CHECK(rivalguard_tracker_confchg(t, members, 1, left, 1, NULL, 0) == 0);
    CHECK(drain(t, ev, 8) == 2);
    CHECK(ev[0].kind == RIVALGUARD_EVENT_RIVAL_LEFT && ev[0].pid == 100 && ev[0].incumbent);
    CHECK(ev[1].kind == RIVALGUARD_EVENT_EVICTED && ev[1].pid == 100 && ev[1].local);

    rivalguard_tracker_free(t);
}

static void test_tracker_bad_input(void)
{
    struct rivalguard_tracker *t = NULL;
    struct rivalguard_event ev;
    struct cpg_address members[2];
    uint32_t pids[2] = { 7, 7 };
    size_t count = 42;

    CHECK(rivalguard_tracker_new(1, 100, &t) == 0);
    members[0] = addr(1, 100, 0);
    members[1] = addr(2, 5, 0);
    CHECK(rivalguard_tracker_confchg(NULL, members, 1, NULL, 0, NULL, 0) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, NULL, 1, NULL, 0, NULL, 0) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, members, 2, NULL, 1, NULL, 0) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, members, 2, NULL, 0, NULL, 1) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, members, SIZE_MAX, NULL, 0, NULL, 0) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, members, 2, members, SIZE_MAX, NULL, 0) == EINVAL);
    CHECK(rivalguard_tracker_confchg(t, members, 2, NULL, 0, members, SIZE_MAX) == EINVAL);
    CHECK(rivalguard_tracker_node_count(t) == 0);     /* nothing changed */
    CHECK(!rivalguard_tracker_next_event(t, &ev));

    CHECK(rivalguard_tracker_confchg(t, members, 2, NULL, 0, NULL, 0) == 0);
    CHECK(!rivalguard_tracker_next_event(NULL, &ev));
    CHECK(!rivalguard_tracker_next_event(t, NULL));
    CHECK(!rivalguard_tracker_is_member(NULL, 1));
    CHECK(rivalguard_tracker_node_count(NULL) == 0);
    CHECK(rivalguard_tracker_node_count(t) == 2);

    CHECK(rivalguard_tracker_node_pids(NULL, 1, pids, 2, &count) == EINVAL);
    CHECK(rivalguard_tracker_node_pids(t, 1, pids, 2, NULL) == EINVAL);
    CHECK(rivalguard_tracker_node_pids(t, 1, NULL, 2, &count) == EINVAL);
    CHECK(rivalguard_tracker_node_pids(t, 1, pids, SIZE_MAX, &count) == EINVAL);
    CHECK(count == 42 && pids[0] == 7);
    CHECK(rivalguard_tracker_node_pids(t, 1, NULL, 0, &count) == ENOBUFS);
    CHECK(count == 1);
    CHECK(rivalguard_tracker_node_pids(t, 9, NULL, 0, &count) == 0);
    CHECK(count == 0);
    rivalguard_tracker_free(t);
}

static void test_classify(void)
{
    struct cpg_address members[3], left[3];
    uint32_t verdicts[3] = { 9, 9, 9 }, remaining[3] = { 9, 9, 9 };

    members[0] = addr(1, 10, 0);
    members[1] = addr(2, 20, 0);
    members[2] = addr(1, 11, 0);
    left[0] = addr(1, 12, CPG_REASON_PROCDOWN);
    left[1] = addr(2, 21, CPG_REASON_LEAVE);
    left[2] = addr(3, 30, CPG_REASON_NODEDOWN);

    CHECK(rivalguard_classify_leaves(1, NULL, 3, left, 3, verdicts, remaining) == EINVAL);
    CHECK(rivalguard_classify_leaves(1, members, 3, NULL, 3, verdicts, remaining) == EINVAL);
    CHECK(rivalguard_classify_leaves(1, members, 3, left, 3, NULL, remaining) == EINVAL);
    CHECK(rivalguard_classify_leaves(1, members, SIZE_MAX, left, 3, verdicts, remaining) == EINVAL);
    CHECK(rivalguard_classify_leaves(1, members, 3, left, SIZE_MAX, verdicts, remaining) == EINVAL);
    CHECK(verdicts[0] == 9 && remaining[0] == 9);

    CHECK(rivalguard_classify_leaves(1, members, 3, left, 3, verdicts, NULL) == 0);
    CHECK(verdicts[0] == RIVALGUARD_LEAVE_LOCAL_RIVAL);
    CHECK(verdicts[1] == RIVALGUARD_LEAVE_REMOTE_RIVAL);
    CHECK(verdicts[2] == RIVALGUARD_LEAVE_NODE);
    CHECK(remaining[0] == 9);
    CHECK(rivalguard_classify_leaves(1, members, 3, left, 3, verdicts, remaining) == 0);
    CHECK(remaining[0] == 10 && remaining[1] == 20 && remaining[2] == 0);
    CHECK(rivalguard_classify_leaves(1, NULL, 0, NULL, 0, NULL, NULL) == 0);
}

static unsigned logged;
static int last_priority;
static char last_message[512];

static void on_log(int priority, const char *message, void *user_data)
{
    logged += (user_data == (void *) &logged);
    last_priority = priority;
    strncpy(last_message, message, sizeof(last_message) - 1);
}

static void test_log_handler(void)
{
    struct rivalguard_tracker *t = NULL;
    struct cpg_address members[1], left[1];

    members[0] = addr(1, 100, 0);
    left[0] = addr(1, 100, CPG_REASON_LEAVE);   /* contradicts member_list */
    CHECK(rivalguard_tracker_new(1, 100, &t) == 0);

    rivalguard_set_log_handler(on_log, &logged);
    CHECK(rivalguard_tracker_confchg(t, members, 1, left, 1, NULL, 0) == 0);
    CHECK(logged == 1 && last_priority == LOG_WARNING);
    CHECK(strstr(last_message, "nodeid 1 pid 100") != NULL);

    rivalguard_set_log_handler(NULL, NULL);
    CHECK(rivalguard_tracker_confchg(t, members, 1, left, 1, NULL, 0) == 0);
    CHECK(logged == 1);
    CHECK(rivalguard_tracker_is_member(t, 1));
    rivalguard_tracker_free(t);
}

int main(void)
{
    test_version();
    test_names();
    test_tracker_new_and_free();
    test_tracker_scenario();
    test_tracker_bad_input();
    test_classify();
    test_log_handler();
    return check_summary("api_test");
}
