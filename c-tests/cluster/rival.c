/*
 * rg-rival: a bare libcpg client that joins a CPG group, as a rival instance
 * of a daemon would, and stays until told otherwise:
 *   SIGUSR1  leave the group (cpg_leave: reason LEAVE), then exit 0
 *   SIGTERM  exit at once (cpg_finalize: reason PROCDOWN)
 *   SIGKILL  what the tests mostly use (PROCDOWN too)
 * Prints "rival joined group=G nodeid=N pid=P" once its own join is seen,
 * and "rival exit reason=R". Exits 3 when corosync goes away.
 *
 * Usage: rg-rival GROUP
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cpg.h>

static volatile sig_atomic_t got_usr1, got_term;
static uint32_t my_nodeid, my_pid;
static bool joined, left;
static const char *group_name;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        got_usr1 = 1;
    } else {
        got_term = 1;
    }
}

static void confchg(cpg_handle_t handle, const struct cpg_name *group,
                    const struct cpg_address *members, size_t n_members,
                    const struct cpg_address *left_list, size_t n_left,
                    const struct cpg_address *joined_list, size_t n_joined)
{
    size_t i;
    (void)handle;
    (void)group;
    (void)left_list;
    (void)n_left;
    (void)joined_list;
    (void)n_joined;
    for (i = 0; i < n_members; i++) {
        if (members[i].nodeid == my_nodeid && members[i].pid == my_pid) {
            if (!joined) {
                joined = true;
                printf("rival joined group=%s nodeid=%" PRIu32 " pid=%" PRIu32 "\n", group_name,
                       my_nodeid, my_pid);
                fflush(stdout);
            }
            return;
        }
    }
    if (joined) {
        left = true;
    }
}

int main(int argc, char **argv)
{
    static cpg_callbacks_t callbacks = { NULL, confchg };
    struct sigaction sa;
    struct cpg_name group;
    cpg_handle_t handle;
    cs_error_t rc;
    int fd, tries;
    bool leaving = false;

    if (argc != 2 || strlen(argv[1]) >= CPG_MAX_NAME_LENGTH) {
        fprintf(stderr, "usage: rg-rival GROUP\n");
        return 2;
    }
    group_name = argv[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (cpg_initialize(&handle, &callbacks) != CS_OK || cpg_local_get(handle, &my_nodeid) != CS_OK) {
        fprintf(stderr, "rg-rival: cannot reach corosync's CPG\n");
        return 3;
    }
    my_pid = (uint32_t)getpid();
    memset(&group, 0, sizeof(group));
    group.length = (uint32_t)strlen(group_name);
    memcpy(group.value, group_name, group.length);
    for (tries = 0; (rc = cpg_join(handle, &group)) == CS_ERR_TRY_AGAIN && tries < 50; tries++) {
        usleep(100000);
    }
    if (rc != CS_OK) {
        fprintf(stderr, "rg-rival: cpg_join: %d\n", (int)rc);
        return 3;
    }
    cpg_fd_get(handle, &fd);
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (got_term) {
            cpg_finalize(handle);
            printf("rival exit reason=term\n");
            return 0;
        }
        if (got_usr1 && !leaving) {
            leaving = true;
            cpg_leave(handle, &group);
        }
        if (left) {
            cpg_finalize(handle);
            printf("rival exit reason=leave\n");
            return 0;
        }
        if (poll(&p, 1, 200) < 0 && errno != EINTR) {
            return 3;
        }
        if (p.revents) {
            rc = cpg_dispatch(handle, CS_DISPATCH_ALL);
            if (rc != CS_OK) {
                printf("rival exit reason=dispatch-error rc=%d\n", (int)rc);
                return 3;
            }
        }
    }
}
