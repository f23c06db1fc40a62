/*
 * rg-peerd: a daemon shaped like a Pacemaker daemon (attrd, based, ...), for
 * the cluster tests and the demo. It does what such a daemon does at the
 * places rivalguard is meant for:
 *
 *  1. start-up: rivalguard_startup_check() on its IPC endpoint name, before
 *     joining CPG or serving IPC: exit 0 when an authentic instance already
 *     serves it (CRM_EX_OK), exit 73 naming the holder when a foreign process
 *     does (CRM_EX_CANTCREAT);
 *  2. serve a libqb IPC endpoint (qb_ipcs_*, on a qb_loop main loop);
 *  3. join a CPG group and, in the confchg callback, feed the PID-aware
 *     tracker and drain its events; a peer table whose online/offline state
 *     changes only on NODE_JOINED / NODE_LEFT; exit on EVICTED;
 *  4. exit cleanly when corosync goes away (cpg_dispatch fails).
 *
 * Everything it decides is printed to stdout as one line per fact,
 * "WORD key=value key=value ...", so tests can parse it:
 *
 *   start pid=P name=N group=G
 *   startup verdict=PROCEED|ALREADY_ACTIVE|BLOCKED|UNRESPONSIVE|SKIPPED|ERROR
 *           holder_pid=P holder_uid=U holder_gid=G rc=ERRNO
 *   ipc serving=N | ipc error=E, then (--no-startup-check only) ipc serving=none
 *   cpg joined group=G nodeid=N pid=P
 *   confchg seq=S members=N:P,... left=N:P:reason,... joined=N:P:reason,...
 *   event seq=S kind=K nodeid=N pid=P reason=R other_pid=O local=0|1 incumbent=0|1
 *   peer nodeid=N state=online|offline          (only when the state changes)
 *   lib prio=P msg=TEXT                         (rivalguard's log handler)
 *   dump file=F | ipc request=table pid=P
 *   exit code=C reason=WHY
 *
 * The peer table (IPC request 1, or SIGUSR1 -> the --dump file):
 *
 *   table group=G local_nodeid=N local_pid=P confchgs=C
 *   peer nodeid=N state=S node_joined=A node_left=B rival_joined=C rival_left=D pids=P1,P2
 *   cpg nodeid=N pids=P1,P2      (corosync's own view: cpg_membership_get)
 *   match=yes|no                 (the tracker's (nodeid,pid) set == corosync's)
 *   end
 *
 * Signals: SIGUSR1 dumps the table (to --dump FILE, else stdout); SIGUSR2
 * leaves the CPG group (a test hook: the next confchg evicts us); SIGTERM and
 * SIGINT leave and exit 0.
 *
 * Usage: rg-peerd [--name NAME] [--group GROUP] [--dump FILE]
 *                 [--no-startup-check] [--ref-uid U] [--ref-gid G]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <corosync/cpg.h>
#include <qb/qbipcs.h>
#include <qb/qbloop.h>

#include "rivalguard.h"

#define EXIT_OK 0            /* CRM_EX_OK */
#define EXIT_CANTCREAT 73    /* CRM_EX_CANTCREAT */
#define EXIT_DISCONNECT 105  /* CRM_EX_DISCONNECT: lost the cluster layer */
#define EXIT_FATAL 1

#define IPC_REQ_TABLE 1
#define MAX_PEERS 512
#define TABLE_MAX (64 * 1024) /* also the IPC client's buffer: see peerctl.c */

struct peer {
    uint32_t nodeid;
    bool online;
    unsigned node_joined, node_left, rival_joined, rival_left;
};

static const char *opt_name = "rg-peerd";
static const char *opt_group;
static const char *opt_dump;
static bool opt_check = true;
static uint32_t opt_ref_uid, opt_ref_gid;

static qb_loop_t *loop;
static qb_ipcs_service_t *ipcs;
static cpg_handle_t cpg;
static struct cpg_name group;
static struct rivalguard_tracker *tracker;
static uint32_t local_nodeid;
static uint32_t local_pid;
static unsigned confchg_seq;
static int exit_code = EXIT_OK;
static const char *exit_reason = "signal";

static struct peer peers[MAX_PEERS];
static size_t npeers;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void lib_log(int priority, const char *message, void *user_data)
{
    (void)user_data;
    say("lib prio=%d msg=%s", priority, message);
}

static void finish(int code, const char *reason)
{
    exit_code = code;
    exit_reason = reason;
    qb_loop_stop(loop);
}

/* ---- peer table --------------------------------------------------------- */

static struct peer *peer_get(uint32_t nodeid)
{
    size_t i;
    for (i = 0; i < npeers; i++) {
        if (peers[i].nodeid == nodeid) {
            return &peers[i];
        }
    }
    if (npeers == MAX_PEERS) {
        return NULL;
    }
    memset(&peers[npeers], 0, sizeof(peers[npeers]));
    peers[npeers].nodeid = nodeid;
    return &peers[npeers++];
}

static int cmp_addr(const void *a, const void *b)
{
    const struct cpg_address *x = a, *y = b;
    if (x->nodeid != y->nodeid) {
        return (x->nodeid > y->nodeid) - (x->nodeid < y->nodeid);
    }
    return (x->pid > y->pid) - (x->pid < y->pid);
}

struct buf {
    char *data;
    size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->len >= b->cap) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        b->len += (size_t)n;
        if (b->len > b->cap) {
            b->len = b->cap;
        }
    }
}

/* Renders the peer table, the tracker's and corosync's memberships. */
static void render_table(struct buf *b)
{
    struct cpg_address members[CPG_MEMBERS_MAX];
    struct cpg_address tracked[CPG_MEMBERS_MAX];
    int nmembers = CPG_MEMBERS_MAX;
    size_t ntracked = 0;
    size_t i, j;
    cs_error_t rc;
    bool match = true;

    bprintf(b, "table group=%s local_nodeid=%" PRIu32 " local_pid=%" PRIu32 " confchgs=%u\n",
            opt_group, local_nodeid, local_pid, confchg_seq);
    for (i = 0; i < npeers; i++) {
        uint32_t pids[CPG_MEMBERS_MAX];
        size_t count = 0;
        int prc = rivalguard_tracker_node_pids(tracker, peers[i].nodeid, pids, CPG_MEMBERS_MAX, &count);
        bprintf(b, "peer nodeid=%" PRIu32 " state=%s node_joined=%u node_left=%u"
                " rival_joined=%u rival_left=%u pids=",
                peers[i].nodeid, peers[i].online ? "online" : "offline", peers[i].node_joined,
                peers[i].node_left, peers[i].rival_joined, peers[i].rival_left);
        if (prc != 0) {
            bprintf(b, "error:%d", prc);
            match = false;
            count = 0;
        }
        for (j = 0; j < count; j++) {
            bprintf(b, "%s%" PRIu32, j ? "," : "", pids[j]);
            if (ntracked < CPG_MEMBERS_MAX) {
                tracked[ntracked].nodeid = peers[i].nodeid;
                tracked[ntracked].pid = pids[j];
                tracked[ntracked].reason = 0;
                ntracked++;
            }
        }
        bprintf(b, "\n");
        /* The peer table must agree with the tracker's own view. */
        if (peers[i].online != rivalguard_tracker_is_member(tracker, peers[i].nodeid)) {
            match = false;
        }
    }
    if (rivalguard_tracker_node_count(tracker) > npeers) {
        match = false; /* a node the peer table never heard of */
    }

    rc = cpg_membership_get(cpg, &group, members, &nmembers);
    if (rc != CS_OK) {
        bprintf(b, "cpg error=%d\n", (int)rc);
        match = false;
        nmembers = 0;
    }
    qsort(members, (size_t)nmembers, sizeof(members[0]), cmp_addr);
    for (i = 0; i < (size_t)nmembers;) {
        uint32_t node = members[i].nodeid;
        bprintf(b, "cpg nodeid=%" PRIu32 " pids=", node);
        for (j = i; j < (size_t)nmembers && members[j].nodeid == node; j++) {
            bprintf(b, "%s%" PRIu32, j > i ? "," : "", members[j].pid);
        }
        bprintf(b, "\n");
        i = j;
    }
    qsort(tracked, ntracked, sizeof(tracked[0]), cmp_addr);
    if (ntracked != (size_t)nmembers) {
        match = false;
    } else {
        for (i = 0; i < ntracked; i++) {
            if (tracked[i].nodeid != members[i].nodeid || tracked[i].pid != members[i].pid) {
                match = false;
            }
        }
    }
    bprintf(b, "match=%s\nend\n", match ? "yes" : "no");
}

static void dump_table(void)
{
    static char data[TABLE_MAX];
    struct buf b = { data, 0, sizeof(data) - 1 };
    char tmp[4096];
    FILE *f;

    render_table(&b);
    data[b.len] = '\0';
    if (opt_dump == NULL) {
        fputs(data, stdout);
        fflush(stdout);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", opt_dump);
    f = fopen(tmp, "w");
    if (f == NULL || fputs(data, f) == EOF || fclose(f) != 0 || rename(tmp, opt_dump) != 0) {
        say("dump error=%s", strerror(errno));
        return;
    }
    say("dump file=%s", opt_dump);
}

/* ---- CPG ---------------------------------------------------------------- */

static void list_str(char *out, size_t cap, const struct cpg_address *l, size_t n, bool reasons)
{
    size_t i, len = 0;
    out[0] = '\0';
    for (i = 0; i < n && len < cap; i++) {
        int w;
        if (reasons) {
            w = snprintf(out + len, cap - len, "%s%" PRIu32 ":%" PRIu32 ":%s", i ? "," : "",
                         l[i].nodeid, l[i].pid, rivalguard_reason_name(l[i].reason));
        } else {
            w = snprintf(out + len, cap - len, "%s%" PRIu32 ":%" PRIu32, i ? "," : "",
                         l[i].nodeid, l[i].pid);
        }
        if (w < 0) {
            break;
        }
        len += (size_t)w;
    }
}

static void confchg_cb(cpg_handle_t handle, const struct cpg_name *group_name,
                       const struct cpg_address *member_list, size_t member_list_entries,
                       const struct cpg_address *left_list, size_t left_list_entries,
                       const struct cpg_address *joined_list, size_t joined_list_entries)
{
    static char m[8192], l[8192], j[8192];
    struct rivalguard_event ev;
    int rc;

    (void)handle;
    (void)group_name;
    confchg_seq++;
    list_str(m, sizeof(m), member_list, member_list_entries, false);
    list_str(l, sizeof(l), left_list, left_list_entries, true);
    list_str(j, sizeof(j), joined_list, joined_list_entries, true);
    say("confchg seq=%u members=%s left=%s joined=%s", confchg_seq, m, l, j);

    rc = rivalguard_tracker_confchg(tracker, member_list, member_list_entries, left_list,
                                    left_list_entries, joined_list, joined_list_entries);
    if (rc != 0) {
        say("confchg seq=%u error=%d", confchg_seq, rc);
        return;
    }
    while (rivalguard_tracker_next_event(tracker, &ev)) {
        struct peer *p = peer_get(ev.nodeid);
        say("event seq=%u kind=%s nodeid=%" PRIu32 " pid=%" PRIu32 " reason=%s other_pid=%" PRIu32
            " local=%d incumbent=%d",
            confchg_seq, rivalguard_event_kind_name(ev.kind), ev.nodeid, ev.pid,
            rivalguard_reason_name(ev.reason), ev.other_pid, ev.local ? 1 : 0, ev.incumbent ? 1 : 0);
        if (p == NULL) {
            say("peer nodeid=%" PRIu32 " error=table-full", ev.nodeid);
            continue;
        }
        switch (ev.kind) {
        case RIVALGUARD_EVENT_NODE_JOINED:
            p->node_joined++;
            if (!p->online) {
                p->online = true;
                say("peer nodeid=%" PRIu32 " state=online", ev.nodeid);
            }
            break;
        case RIVALGUARD_EVENT_NODE_LEFT:
            p->node_left++;
            if (p->online) {
                p->online = false;
                say("peer nodeid=%" PRIu32 " state=offline", ev.nodeid);
            }
            break;
        case RIVALGUARD_EVENT_RIVAL_JOINED:
            p->rival_joined++; /* the node's presence is unchanged */
            break;
        case RIVALGUARD_EVENT_RIVAL_LEFT:
            p->rival_left++; /* the node's presence is unchanged */
            break;
        case RIVALGUARD_EVENT_EVICTED:
            finish(EXIT_DISCONNECT, "evicted");
            break;
        default:
            say("event seq=%u error=unknown-kind", confchg_seq);
            break;
        }
    }
}

static int32_t cpg_ready(int32_t fd, int32_t revents, void *data)
{
    cs_error_t rc;
    (void)fd;
    (void)data;
    if (revents & (POLLHUP | POLLERR)) {
        say("cpg dispatch error=hangup");
        finish(EXIT_DISCONNECT, "cpg-dispatch-error");
        return -1;
    }
    rc = cpg_dispatch(cpg, CS_DISPATCH_ALL);
    if (rc == CS_ERR_TRY_AGAIN) {
        return 0; /* corosync is busy: the fd stays readable */
    }
    if (rc != CS_OK) {
        say("cpg dispatch error=%d", (int)rc);
        finish(EXIT_DISCONNECT, "cpg-dispatch-error");
        return -1;
    }
    return 0;
}

static int cpg_start(void)
{
    static cpg_callbacks_t callbacks = { NULL, confchg_cb };
    cs_error_t rc;
    int fd = -1;
    unsigned tries;

    rc = cpg_initialize(&cpg, &callbacks);
    if (rc != CS_OK) {
        say("cpg initialize error=%d", (int)rc);
        return -1;
    }
    rc = cpg_local_get(cpg, &local_nodeid);
    if (rc != CS_OK) {
        say("cpg local_get error=%d", (int)rc);
        return -1;
    }
    local_pid = (uint32_t)getpid();
    if (rivalguard_tracker_new(local_nodeid, local_pid, &tracker) != 0) {
        say("tracker error=new");
        return -1;
    }
    memset(&group, 0, sizeof(group));
    group.length = (uint32_t)strlen(opt_group);
    memcpy(group.value, opt_group, group.length);
    for (tries = 0;; tries++) {
        rc = cpg_join(cpg, &group);
        if (rc != CS_ERR_TRY_AGAIN || tries == 50) {
            break;
        }
        usleep(100000);
    }
    if (rc != CS_OK) {
        say("cpg join error=%d", (int)rc);
        return -1;
    }
    say("cpg joined group=%s nodeid=%" PRIu32 " pid=%" PRIu32, opt_group, local_nodeid, local_pid);
    if (cpg_fd_get(cpg, &fd) != CS_OK ||
        qb_loop_poll_add(loop, QB_LOOP_HIGH, fd, POLLIN, NULL, cpg_ready) != 0) {
        say("cpg error=fd");
        return -1;
    }
    return 0;
}

/* ---- libqb IPC server --------------------------------------------------- */

static int32_t ipc_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
    (void)c;
    (void)gid;
    return uid == 0 || uid == opt_ref_uid ? 0 : -EACCES;
}

static int32_t ipc_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    static char body[TABLE_MAX];
    const struct qb_ipc_request_header *req = data;
    struct qb_ipc_response_header hdr;
    struct buf b = { body, 0, sizeof(body) };
    struct iovec iov[2];
    struct qb_ipcs_connection_stats stats;

    memset(&stats, 0, sizeof(stats));
    qb_ipcs_connection_stats_get(c, &stats, 0);
    if (size < sizeof(*req) || req->id != IPC_REQ_TABLE) {
        hdr.error = -EINVAL;
    } else {
        say("ipc request=table pid=%d", (int)stats.client_pid);
        render_table(&b);
        hdr.error = 0;
    }
    hdr.id = req->id;
    hdr.size = (int32_t)(sizeof(hdr) + b.len);
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    iov[1].iov_base = body;
    iov[1].iov_len = b.len;
    qb_ipcs_response_sendv(c, iov, 2);
    return 0;
}

static int32_t poll_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                        qb_ipcs_dispatch_fn_t fn)
{
    return qb_loop_poll_add(loop, p, fd, events, data, fn);
}

static int32_t poll_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                        qb_ipcs_dispatch_fn_t fn)
{
    return qb_loop_poll_mod(loop, p, fd, events, data, fn);
}

static int32_t poll_del(int32_t fd)
{
    return qb_loop_poll_del(loop, fd);
}

static int32_t job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
    return qb_loop_job_add(loop, p, data, fn);
}

static int ipc_start(void)
{
    static struct qb_ipcs_service_handlers handlers = {
        ipc_accept, NULL, ipc_msg, NULL, NULL,
    };
    static struct qb_ipcs_poll_handlers poll_handlers = {
        job_add, poll_add, poll_mod, poll_del,
    };
    int32_t rc;

    ipcs = qb_ipcs_create(opt_name, 0, QB_IPC_SHM, &handlers);
    if (ipcs == NULL) {
        say("ipc error=create");
        return -1;
    }
    qb_ipcs_poll_handlers_set(ipcs, &poll_handlers);
    rc = qb_ipcs_run(ipcs);
    if (rc != 0) {
        /* libqb drops its own reference when run fails: never destroy it */
        say("ipc error=%d", (int)-rc);
        ipcs = NULL;
        return -1;
    }
    say("ipc serving=%s", opt_name);
    return 0;
}

/* ---- start-up ----------------------------------------------------------- */

/* Returns -1 to go on, otherwise the exit code. */
static int startup_check(void)
{
    uint32_t verdict = 0;
    struct rivalguard_credentials holder = { 0, 0, 0 };
    int rc;

    if (!opt_check) {
        say("startup verdict=SKIPPED");
        return -1;
    }
    rc = rivalguard_startup_check(opt_name, opt_ref_uid, opt_ref_gid, &verdict, &holder);
    if (rc != 0) {
        /* Pacemaker's way: log it and go on as before. */
        say("startup verdict=ERROR rc=%d", rc);
        return -1;
    }
    switch (verdict) {
    case RIVALGUARD_STARTUP_PROCEED:
        say("startup verdict=PROCEED");
        return -1;
    case RIVALGUARD_STARTUP_ALREADY_ACTIVE:
        say("startup verdict=ALREADY_ACTIVE holder_pid=%" PRIu32 " holder_uid=%" PRIu32
            " holder_gid=%" PRIu32,
            holder.pid, holder.uid, holder.gid);
        say("exit code=%d reason=already-active", EXIT_OK);
        return EXIT_OK;
    case RIVALGUARD_STARTUP_BLOCKED:
        say("startup verdict=BLOCKED holder_pid=%" PRIu32 " holder_uid=%" PRIu32
            " holder_gid=%" PRIu32,
            holder.pid, holder.uid, holder.gid);
        fprintf(stderr, "rg-peerd: endpoint %s is held by foreign process %" PRIu32
                " (uid %" PRIu32 "): refusing to start\n", opt_name, holder.pid, holder.uid);
        say("exit code=%d reason=blocked", EXIT_CANTCREAT);
        return EXIT_CANTCREAT;
    case RIVALGUARD_STARTUP_UNRESPONSIVE:
        say("startup verdict=UNRESPONSIVE holder_pid=%" PRIu32 " holder_uid=%" PRIu32
            " holder_gid=%" PRIu32,
            holder.pid, holder.uid, holder.gid);
        say("exit code=%d reason=unresponsive", EXIT_CANTCREAT);
        return EXIT_CANTCREAT;
    default:
        say("startup verdict=ERROR value=%" PRIu32, verdict);
        return -1;
    }
}

static int32_t on_signal(int32_t sig, void *data)
{
    (void)data;
    if (sig == SIGUSR1) {
        dump_table();
    } else if (sig == SIGUSR2) {
        /* Test hook: leave the group without exiting. The confchg that
         * follows lacks our own (nodeid, pid): the tracker says EVICTED. */
        say("cpg leave=requested");
        cpg_leave(cpg, &group);
    } else {
        finish(EXIT_OK, sig == SIGTERM ? "sigterm" : "sigint");
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: rg-peerd [--name NAME] [--group GROUP] [--dump FILE]"
                    " [--no-startup-check] [--ref-uid U] [--ref-gid G]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int i, code;
    qb_loop_signal_handle sh;

    opt_ref_uid = (uint32_t)getuid();
    opt_ref_gid = (uint32_t)getgid();
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-startup-check") == 0) {
            opt_check = false;
        } else if (i + 1 < argc && strcmp(argv[i], "--name") == 0) {
            opt_name = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--group") == 0) {
            opt_group = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--dump") == 0) {
            opt_dump = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--ref-uid") == 0) {
            opt_ref_uid = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--ref-gid") == 0) {
            opt_ref_gid = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            usage();
        }
    }
    if (opt_group == NULL) {
        opt_group = opt_name;
    }
    if (strlen(opt_group) >= CPG_MAX_NAME_LENGTH) {
        usage();
    }
    signal(SIGPIPE, SIG_IGN);
    rivalguard_set_log_handler(lib_log, NULL);
    say("start pid=%d name=%s group=%s rivalguard=%s", (int)getpid(), opt_name, opt_group,
        rivalguard_version());

    code = startup_check();
    if (code >= 0) {
        return code;
    }

    loop = qb_loop_create();
    if (loop == NULL) {
        say("exit code=%d reason=loop", EXIT_FATAL);
        return EXIT_FATAL;
    }
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGTERM, NULL, on_signal, &sh);
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGINT, NULL, on_signal, &sh);
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGUSR1, NULL, on_signal, &sh);
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGUSR2, NULL, on_signal, &sh);

    if (ipc_start() != 0) {
        if (opt_check) {
            say("exit code=%d reason=ipc", EXIT_CANTCREAT);
            return EXIT_CANTCREAT;
        }
        /* A rival forced in: the incumbent holds the endpoint; stay in CPG
         * anyway (what a rival that got past its check would do) and answer
         * only SIGUSR1. */
        ipcs = NULL; /* a failed qb_ipcs_run() has already released it */
        say("ipc serving=none");
    }
    if (cpg_start() != 0) {
        if (ipcs != NULL) {
            qb_ipcs_destroy(ipcs);
        }
        say("exit code=%d reason=cpg", EXIT_DISCONNECT);
        return EXIT_DISCONNECT;
    }

    qb_loop_run(loop);

    if (strcmp(exit_reason, "cpg-dispatch-error") != 0 && strcmp(exit_reason, "evicted") != 0) {
        cpg_leave(cpg, &group);
    }
    cpg_finalize(cpg);
    if (ipcs != NULL) {
        qb_ipcs_destroy(ipcs);
    }
    rivalguard_tracker_free(tracker);
    qb_loop_destroy(loop);
    say("exit code=%d reason=%s", exit_code, exit_reason);
    return exit_code;
}
