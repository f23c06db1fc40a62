/*
 * Shared by endpoint_test.c and endpoint_bench.c: starts our libqb test
 * server (endpoint_server.c) as a child with its stdout on a pipe, reads
 * its counters, and kills it on every exit path (atexit; the server also
 * dies with us through PR_SET_PDEATHSIG). A header of static functions so
 * each program stays one translation unit.
 */
#ifndef RG_ENDPOINT_HARNESS_H
#define RG_ENDPOINT_HARNESS_H

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pid_t server_pid = -1;
static FILE *server_out;

static inline void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

/* Starts SERVER NAME with its stdout on a pipe; returns once it is ready. */
static inline void start_server(const char *binary, const char *name)
{
    int fds[2];
    char line[256];
    long pid = 0;

    REQUIRE(pipe(fds) == 0);
    server_pid = fork();
    REQUIRE(server_pid >= 0);
    if (server_pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(binary, binary, name, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    server_out = fdopen(fds[0], "r");
    REQUIRE(server_out != NULL);
    REQUIRE(fgets(line, sizeof(line), server_out) != NULL);
    REQUIRE(sscanf(line, "ready pid=%ld", &pid) == 1);
    REQUIRE(pid == (long)server_pid);
}

struct counts {
    unsigned accept, created, closed, destroyed, msgs, debug, info, warning, err;
};

static inline struct counts server_counts(void)
{
    struct counts c;
    char line[512];

    memset(&c, 0, sizeof(c));
    REQUIRE(kill(server_pid, SIGUSR1) == 0);
    REQUIRE(fgets(line, sizeof(line), server_out) != NULL);
    REQUIRE(sscanf(line,
                   "counts accept=%u created=%u closed=%u destroyed=%u msgs=%u log_debug=%u "
                   "log_info=%u log_warning=%u log_err=%u",
                   &c.accept, &c.created, &c.closed, &c.destroyed, &c.msgs, &c.debug, &c.info,
                   &c.warning, &c.err) == 9);
    return c;
}

/* How many /dev/shm entries libqb made for connections to the server. */
static inline int shm_entries(void)
{
    char prefix[64];
    struct dirent *entry;
    DIR *dir = opendir("/dev/shm");
    int found = 0;

    REQUIRE(dir != NULL);
    snprintf(prefix, sizeof(prefix), "qb-%ld-", (long)server_pid);
    while ((entry = readdir(dir)) != NULL) {
        if (strncmp(entry->d_name, prefix, strlen(prefix)) == 0) {
            found++;
        }
    }
    closedir(dir);
    return found;
}

/* Polls the counters until done() holds (the server handles connections
 * asynchronously); fails after 15 s. */
static inline struct counts server_counts_when(int (*done)(const struct counts *, unsigned),
                                        unsigned arg)
{
    struct timespec pause = {0, 10 * 1000 * 1000};
    struct counts c;
    int i;

    for (i = 0; i < 1500; i++) {
        c = server_counts();
        if (done(&c, arg)) {
            return c;
        }
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "server counters never reached the expected state\n");
    exit(1);
}

static inline int destroyed_at_least(const struct counts *c, unsigned n)
{
    return c->destroyed >= n;
}

static inline int created_at_least(const struct counts *c, unsigned n)
{
    return c->created >= n;
}

#endif
