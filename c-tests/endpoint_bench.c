/*
 * Benchmark: who serves a libqb endpoint, two ways, against the same real
 * libqb server (endpoint_server.c) in one run:
 *   - rivalguard_endpoint_probe(): connect, SO_PEERCRED, close;
 *   - Pacemaker's way (what its start-up self-checks do, written here by
 *     us): qb_ipcc_connect() + qb_ipcc_fd_get() + getsockopt(SO_PEERCRED)
 *     + qb_ipcc_disconnect().
 * Each call is timed alone (CLOCK_MONOTONIC); the two methods alternate in
 * blocks, after a warm-up, and the server's callbacks are counted per
 * method (the run fails if our probe caused any, or if any call fails).
 *
 *   endpoint_bench SERVER_BINARY ITERATIONS SECTION_FILE
 *
 * Writes the "Endpoint probe" section of docs/BENCHMARKS.md (between its
 * markers) to SECTION_FILE; scripts/bench-endpoint.sh splices it in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbconfig.h>
#include <qb/qbipcc.h>

#include "rivalguard.h"
#include "endpoint_harness.h"

#define BLOCK 50
#define WARMUP 50

static char name[64];

static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t ours(void)
{
    struct rivalguard_credentials creds;
    uint32_t state = 99;
    uint64_t start = now_ns(), end;
    int rc = rivalguard_endpoint_probe(name, 0, 0, &state, &creds);

    end = now_ns();
    REQUIRE(rc == 0 && state == RIVALGUARD_ENDPOINT_AUTHENTIC);
    REQUIRE(creds.pid == (uint32_t)server_pid);
    return end - start;
}

static uint64_t pacemaker_style(void)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    qb_ipcc_connection_t *conn;
    int fd = -1, ok;
    uint64_t start = now_ns(), end;

    conn = qb_ipcc_connect(name, 0);
    ok = conn != NULL && qb_ipcc_fd_get(conn, &fd) == 0
         && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
    if (conn != NULL) {
        qb_ipcc_disconnect(conn);
    }
    end = now_ns();
    REQUIRE(ok);
    REQUIRE(cred.pid == server_pid && cred.uid == 0);
    return end - start;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

struct summary {
    double median_us, min_us, max_us;
};

static struct summary summarize(uint64_t *ns, unsigned n)
{
    struct summary s;

    qsort(ns, n, sizeof(*ns), by_value);
    s.median_us = (n % 2 ? (double)ns[n / 2] : ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2) / 1e3;
    s.min_us = (double)ns[0] / 1e3;
    s.max_us = (double)ns[n - 1] / 1e3;
    return s;
}

static void add(struct counts *sum, struct counts a, struct counts b)
{
    sum->accept += b.accept - a.accept;
    sum->created += b.created - a.created;
    sum->closed += b.closed - a.closed;
    sum->destroyed += b.destroyed - a.destroyed;
    sum->warning += b.warning - a.warning;
    sum->err += b.err - a.err;
}

int main(int argc, char **argv)
{
    unsigned iterations, done, i;
    uint64_t *ours_ns, *pcmk_ns;
    struct counts ours_cb, pcmk_cb, c0, c1;
    struct summary o, p;
    struct utsname host;
    char when[32];
    time_t t = time(NULL);
    double ratio;
    int shm_after_ours = 0;
    FILE *out;

    if (argc != 4 || (iterations = (unsigned)strtoul(argv[2], NULL, 10)) == 0) {
        fprintf(stderr, "usage: %s SERVER_BINARY ITERATIONS SECTION_FILE\n", argv[0]);
        return 2;
    }
    atexit(stop_server);
    snprintf(name, sizeof(name), "rg-bench-%ld", (long)getpid());
    start_server(argv[1], name);
    ours_ns = calloc(iterations, sizeof(*ours_ns));
    pcmk_ns = calloc(iterations, sizeof(*pcmk_ns));
    REQUIRE(ours_ns != NULL && pcmk_ns != NULL);
    memset(&ours_cb, 0, sizeof(ours_cb));
    memset(&pcmk_cb, 0, sizeof(pcmk_cb));

    for (i = 0; i < WARMUP; i++) {
        ours();
        pacemaker_style();
    }
    c0 = server_counts_when(destroyed_at_least, WARMUP);
    for (done = 0; done < iterations; done += BLOCK) {
        unsigned n = iterations - done < BLOCK ? iterations - done : BLOCK;

        for (i = 0; i < n; i++) {
            ours_ns[done + i] = ours();
        }
        c1 = server_counts();
        add(&ours_cb, c0, c1);
        shm_after_ours += shm_entries();
        for (i = 0; i < n; i++) {
            pcmk_ns[done + i] = pacemaker_style();
        }
        /* let the server finish the handshakes' callbacks before our next block */
        c0 = server_counts_when(destroyed_at_least, c1.destroyed + n);
        add(&pcmk_cb, c1, c0);
    }

    o = summarize(ours_ns, iterations);
    p = summarize(pcmk_ns, iterations);
    ratio = p.median_us / o.median_us;
    uname(&host);
    strftime(when, sizeof(when), "%Y-%m-%d", gmtime(&t));

    printf("endpoint bench: %u iterations each\n", iterations);
    printf("  rivalguard_endpoint_probe: median %.1f us (min %.1f, max %.1f), callbacks %u/%u/%u/%u\n",
           o.median_us, o.min_us, o.max_us, ours_cb.accept, ours_cb.created, ours_cb.closed,
           ours_cb.destroyed);
    printf("  pacemaker-style check:     median %.1f us (min %.1f, max %.1f), callbacks %u/%u/%u/%u\n",
           p.median_us, p.min_us, p.max_us, pcmk_cb.accept, pcmk_cb.created, pcmk_cb.closed,
           pcmk_cb.destroyed);
    printf("  ratio of medians: %.1fx\n", ratio);

    out = fopen(argv[3], "w");
    REQUIRE(out != NULL);
    fprintf(out,
            "<!-- endpoint:begin (generated by `make bench-endpoint`: c-tests/endpoint_bench.c) -->\n"
            "## Endpoint probe\n\n"
            "Who serves a libqb IPC endpoint, asked two ways in one run against the same\n"
            "real libqb %s server (`c-tests/endpoint_server.c`, shared-memory IPC like\n"
            "Pacemaker's daemons, running as root): our `rivalguard_endpoint_probe()`\n"
            "(non-blocking connect, `SO_PEERCRED`, close) and a Pacemaker-style check\n"
            "written by us in C (`qb_ipcc_connect()` + `qb_ipcc_fd_get()` + `SO_PEERCRED` +\n"
            "`qb_ipcc_disconnect()`). %u calls of each, timed one by one with\n"
            "`CLOCK_MONOTONIC`, alternating in blocks of %d after %d warm-up calls of each.\n"
            "Measured %s on %s %s (%s), %ld CPUs.\n\n"
            "| method | median | min | max | server callbacks (accept / created / closed / destroyed) | server warnings + errors |\n"
            "|---|---:|---:|---:|---|---:|\n"
            "| `rivalguard_endpoint_probe()` | %.1f µs | %.1f µs | %.1f µs | %u / %u / %u / %u | %u |\n"
            "| Pacemaker-style handshake | %.1f µs | %.1f µs | %.1f µs | %u / %u / %u / %u | %u |\n\n"
            "Ratio of medians: **%.1f×** (goal: ≥ 30× with zero server callbacks: %s).\n"
            "Shared-memory entries seen after our probes: %d.\n"
            "<!-- endpoint:end -->\n",
            QB_VER_STR, iterations, BLOCK, WARMUP, when, host.sysname, host.release, host.machine,
            sysconf(_SC_NPROCESSORS_ONLN), o.median_us, o.min_us, o.max_us, ours_cb.accept,
            ours_cb.created, ours_cb.closed, ours_cb.destroyed, ours_cb.warning + ours_cb.err,
            p.median_us, p.min_us, p.max_us, pcmk_cb.accept, pcmk_cb.created, pcmk_cb.closed,
            pcmk_cb.destroyed, pcmk_cb.warning + pcmk_cb.err, ratio,
            ratio >= 30 && ours_cb.accept + ours_cb.created + ours_cb.closed + ours_cb.destroyed == 0
                ? "met"
                : "**not met**",
            shm_after_ours);
    REQUIRE(fclose(out) == 0);

    /* A benchmark, not a timed test: only correctness makes it fail. */
    CHECK(ours_cb.accept == 0 && ours_cb.created == 0 && ours_cb.closed == 0
          && ours_cb.destroyed == 0);
    CHECK(ours_cb.warning == 0 && ours_cb.err == 0);
    CHECK(shm_after_ours == 0);
    CHECK(pcmk_cb.accept == iterations && pcmk_cb.created == iterations);
    free(ours_ns);
    free(pcmk_ns);
    return checks_failed == 0 ? 0 : 1;
}
