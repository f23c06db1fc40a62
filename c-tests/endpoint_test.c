/*
 * The endpoint pre-check from C, against our real libqb test server:
 * rivalguard_socket_peer_check() on the descriptor of a real
 * qb_ipcc_connect() connection gives the same credentials as
 * rivalguard_endpoint_probe(); the handshake runs the server's callbacks
 * and maps shared memory while the probe does neither; bad arguments are
 * refused and leave the outputs untouched; logs go to the handler only.
 *
 *   endpoint_test SERVER_BINARY
 *
 * The server is killed on every exit path (atexit, and PR_SET_PDEATHSIG in
 * the server should this test crash).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include "rivalguard.h"
#include "endpoint_harness.h"

static int log_worst = LOG_DEBUG + 1;
static int log_messages;

static void on_log(int priority, const char *message, void *user_data)
{
    CHECK(user_data == (void *)&log_messages);
    CHECK(message != NULL && message[0] != '\0');
    log_messages++;
    if (priority < log_worst) {
        log_worst = priority;
    }
}

int main(int argc, char **argv)
{
    char name[64];
    char long_name[108];
    qb_ipcc_connection_t *conn;
    struct rivalguard_credentials probed, peer, untouched = {7, 7, 7};
    struct rivalguard_probe_options options;
    struct counts before, after;
    uint32_t state = 99, verdict = 99;
    bool authentic = false;
    int fd = -1, devnull, i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SERVER_BINARY\n", argv[0]);
        return 2;
    }
    atexit(stop_server);
    rivalguard_set_log_handler(on_log, &log_messages);
    snprintf(name, sizeof(name), "rg-ctest-%ld", (long)getpid());
    start_server(argv[1], name);

    /* The probe: authentic root server, no callback, no shared memory. */
    before = server_counts();
    CHECK(rivalguard_endpoint_probe(name, 12345, 12345, &state, &probed) == 0);
    CHECK(state == RIVALGUARD_ENDPOINT_AUTHENTIC);
    CHECK(probed.pid == (uint32_t)server_pid && probed.uid == 0 && probed.gid == 0);
    CHECK(rivalguard_startup_check(name, 12345, 12345, &verdict, &peer) == 0);
    CHECK(verdict == RIVALGUARD_STARTUP_ALREADY_ACTIVE);
    CHECK(memcmp(&peer, &probed, sizeof(peer)) == 0);
    for (i = 0; i < 100; i++) {
        CHECK(rivalguard_endpoint_probe(name, 12345, 12345, &state, &probed) == 0);
    }
    after = server_counts();
    CHECK(after.accept == 0 && after.created == 0 && after.msgs == 0);
    CHECK(after.info == before.info && after.warning == before.warning && after.err == before.err);
    CHECK(shm_entries() == 0);
    CHECK(log_messages > 0 && log_worst == LOG_DEBUG);

    /* Strict rule via the options; all-zero options mean the defaults. */
    memset(&options, 0, sizeof(options));
    CHECK(rivalguard_endpoint_probe_with(name, &options, 12345, 0, &state, &peer) == 0);
    CHECK(state == RIVALGUARD_ENDPOINT_AUTHENTIC); /* uid 0 */
    options.strict = true;
    options.timeout_ms = 100;
    CHECK(rivalguard_endpoint_probe_with(name, &options, 12345, 0, &state, &peer) == 0);
    CHECK(state == RIVALGUARD_ENDPOINT_AUTHENTIC);
    CHECK(rivalguard_endpoint_probe_with(name, NULL, 12345, 0, &state, &peer) == 0);

    /* A real libqb client connection: the handshake runs the callbacks and
     * maps shared memory (the positive control)... */
    conn = qb_ipcc_connect(name, 8192);
    REQUIRE(conn != NULL);
    REQUIRE(qb_ipcc_fd_get(conn, &fd) == 0 && fd >= 0);
    after = server_counts_when(created_at_least, 1);
    CHECK(after.accept == 1 && after.created == 1);
    CHECK(shm_entries() > 0);
    /* ...and the peer check on its descriptor agrees with the probe. */
    memset(&peer, 0, sizeof(peer));
    CHECK(rivalguard_socket_peer_check(fd, 12345, 12345, &authentic, &peer) == 0);
    CHECK(authentic);
    CHECK(rivalguard_endpoint_probe(name, 12345, 12345, &state, &probed) == 0);
    CHECK(memcmp(&peer, &probed, sizeof(peer)) == 0);
    CHECK(peer.pid == (uint32_t)server_pid && peer.uid == 0);
    /* The descriptor is untouched: libqb can still use it. */
    CHECK(fcntl(fd, F_GETFD) != -1);
    qb_ipcc_disconnect(conn);
    /* The server tears the connection down (and removes its shared memory)
     * before it is killed below, so the test leaves nothing in /dev/shm. */
    after = server_counts_when(destroyed_at_least, 1);
    CHECK(after.destroyed == 1);
    CHECK(shm_entries() == 0);

    /* Bad input: refused, outputs untouched. */
    peer = untouched;
    authentic = false;
    state = verdict = 99;
    CHECK(rivalguard_endpoint_probe(NULL, 0, 0, &state, &peer) == EINVAL);
    CHECK(rivalguard_endpoint_probe(name, 0, 0, NULL, &peer) == EINVAL);
    CHECK(rivalguard_endpoint_probe(name, 0, 0, &state, NULL) == EINVAL);
    CHECK(rivalguard_endpoint_probe("", 0, 0, &state, &peer) == EINVAL);
    memset(long_name, 'x', 107);
    long_name[107] = '\0';
    CHECK(rivalguard_endpoint_probe(long_name, 0, 0, &state, &peer) == ENAMETOOLONG);
    CHECK(rivalguard_endpoint_probe_with(NULL, &options, 0, 0, &state, &peer) == EINVAL);
    options.socket_dir = "";
    CHECK(rivalguard_endpoint_probe_with(name, &options, 0, 0, &state, &peer) == EINVAL);
    CHECK(rivalguard_startup_check(NULL, 0, 0, &verdict, &peer) == EINVAL);
    CHECK(rivalguard_startup_check(name, 0, 0, NULL, &peer) == EINVAL);
    CHECK(rivalguard_startup_check(name, 0, 0, &verdict, NULL) == EINVAL);
    CHECK(rivalguard_startup_check(long_name, 0, 0, &verdict, &peer) == ENAMETOOLONG);
    CHECK(rivalguard_socket_peer_check(-1, 0, 0, &authentic, &peer) == EINVAL);
    CHECK(rivalguard_socket_peer_check(INT_MAX, 0, 0, &authentic, &peer) == EBADF);
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(rivalguard_socket_peer_check(devnull, 0, 0, &authentic, &peer) == ENOTSOCK);
    close(devnull);
    CHECK(rivalguard_socket_peer_check(STDIN_FILENO, 0, 0, NULL, &peer) == EINVAL);
    CHECK(rivalguard_socket_peer_check(STDIN_FILENO, 0, 0, &authentic, NULL) == EINVAL);
    CHECK(memcmp(&peer, &untouched, sizeof(peer)) == 0);
    CHECK(state == 99 && verdict == 99 && !authentic);

    /* Stopped for good: absent, and start-up may proceed. */
    stop_server();
    CHECK(rivalguard_endpoint_probe(name, 0, 0, &state, &peer) == 0);
    CHECK(state == RIVALGUARD_ENDPOINT_ABSENT && peer.pid == 0);
    CHECK(rivalguard_startup_check(name, 0, 0, &verdict, &peer) == 0);
    CHECK(verdict == RIVALGUARD_STARTUP_PROCEED && peer.pid == 0);
    rivalguard_set_log_handler(NULL, NULL);

    return check_summary("endpoint_test");
}
