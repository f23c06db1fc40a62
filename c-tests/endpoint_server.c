/*
 * A minimal libqb IPC server for the endpoint tests and benchmark: it
 * publishes NAME with libqb's public qb_ipcs_* API (shared-memory IPC, as
 * Pacemaker's daemons do), accepts every client, and counts what libqb
 * makes it do, so a test can prove that a probe ran no callback.
 *
 *   endpoint_server NAME
 *
 * stdout protocol (one line each, flushed):
 *   "ready pid=PID"        once the endpoint is published
 *   "counts accept=A created=C closed=X destroyed=D msgs=M
 *           log_debug=G log_info=I log_warning=W log_err=E"
 *                          on SIGUSR1, and once more on SIGTERM/SIGINT
 * libqb's own log messages are counted by priority (debug and trace;
 * info and notice; warning; error and worse) through a custom log target,
 * never printed. The server asks to be killed when its parent thread
 * exits (PR_SET_PDEATHSIG), so a crashed test leaves nothing running.
 * Exit status: 0 after SIGTERM/SIGINT, 1 when it cannot publish NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <unistd.h>

#include <qb/qbdefs.h>
#include <qb/qbipcs.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

static qb_loop_t *loop;
static unsigned accepted, created, closed, destroyed, messages;
static unsigned log_debug, log_info, log_warning, log_err;

static void count_log(int32_t target, struct qb_log_callsite *cs, struct timespec *when,
                      const char *msg)
{
    (void)target;
    (void)when;
    (void)msg;
    if (cs->priority <= LOG_ERR) {
        log_err++;
    } else if (cs->priority == LOG_WARNING) {
        log_warning++;
    } else if (cs->priority <= LOG_INFO) {
        log_info++;
    } else {
        log_debug++;
    }
}

static void report(void)
{
    printf("counts accept=%u created=%u closed=%u destroyed=%u msgs=%u "
           "log_debug=%u log_info=%u log_warning=%u log_err=%u\n",
           accepted, created, closed, destroyed, messages, log_debug, log_info, log_warning,
           log_err);
    fflush(stdout);
}

static int32_t on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
    (void)c;
    (void)uid;
    (void)gid;
    accepted++;
    return 0;
}

static void on_created(qb_ipcs_connection_t *c)
{
    (void)c;
    created++;
}

static int32_t on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    (void)c;
    (void)data;
    (void)size;
    messages++;
    return 0;
}

static int32_t on_closed(qb_ipcs_connection_t *c)
{
    (void)c;
    closed++;
    return 0;
}

static void on_destroyed(qb_ipcs_connection_t *c)
{
    (void)c;
    destroyed++;
}

static int32_t on_usr1(int32_t sig, void *data)
{
    (void)sig;
    (void)data;
    report();
    return 0;
}

static int32_t on_term(int32_t sig, void *data)
{
    (void)sig;
    (void)data;
    qb_loop_stop(loop);
    return 0;
}

/* libqb's loop, adapted to the poll-handler table qb_ipcs_run() wants */
static int32_t job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
    return qb_loop_job_add(loop, p, data, fn);
}

static int32_t dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                            qb_ipcs_dispatch_fn_t fn)
{
    return qb_loop_poll_add(loop, p, fd, events, data, fn);
}

static int32_t dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                            qb_ipcs_dispatch_fn_t fn)
{
    return qb_loop_poll_mod(loop, p, fd, events, data, fn);
}

static int32_t dispatch_del(int32_t fd)
{
    return qb_loop_poll_del(loop, fd);
}

int main(int argc, char **argv)
{
    struct qb_ipcs_service_handlers handlers = {
        .connection_accept = on_accept,
        .connection_created = on_created,
        .msg_process = on_msg,
        .connection_closed = on_closed,
        .connection_destroyed = on_destroyed,
    };
    struct qb_ipcs_poll_handlers poll_handlers = {
        .job_add = job_add,
        .dispatch_add = dispatch_add,
        .dispatch_mod = dispatch_mod,
        .dispatch_del = dispatch_del,
    };
    qb_ipcs_service_t *service;
    int32_t target, rc;

    if (argc != 2 || argv[1][0] == '\0') {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    /* die with the test that started us, even if it crashes */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) {
        return 1;
    }

    qb_log_init("endpoint_server", LOG_DAEMON, LOG_DEBUG);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
    qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
    target = qb_log_custom_open(count_log, NULL, NULL, NULL);
    if (target < 0) {
        fprintf(stderr, "endpoint_server: qb_log_custom_open: %s\n", strerror(-target));
        return 1;
    }
    qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_TRACE);
    qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);

    loop = qb_loop_create();
    if (loop == NULL) {
        fprintf(stderr, "endpoint_server: qb_loop_create failed\n");
        return 1;
    }
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGUSR1, NULL, on_usr1, NULL);
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGTERM, NULL, on_term, NULL);
    qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGINT, NULL, on_term, NULL);

    service = qb_ipcs_create(argv[1], 0, QB_IPC_SHM, &handlers);
    if (service == NULL) {
        fprintf(stderr, "endpoint_server: qb_ipcs_create(%s): %s\n", argv[1], strerror(errno));
        return 1;
    }
    qb_ipcs_poll_handlers_set(service, &poll_handlers);
    rc = qb_ipcs_run(service);
    if (rc != 0) {
        fprintf(stderr, "endpoint_server: qb_ipcs_run(%s): %s\n", argv[1], strerror(-rc));
        qb_ipcs_destroy(service);
        return 1;
    }
    printf("ready pid=%ld\n", (long)getpid());
    fflush(stdout);

    qb_loop_run(loop);

    report();
    qb_ipcs_destroy(service);
    qb_loop_destroy(loop);
    qb_log_fini();
    return 0;
}
