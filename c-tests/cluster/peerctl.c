/*
 * rg-peerctl: asks a running rg-peerd for its peer table over its libqb IPC
 * endpoint (request id 1), as a Pacemaker CLI tool asks a daemon, and prints
 * the reply (see peerd.c for its lines). Exit 0 on success, 1 when the
 * daemon cannot be reached or refuses.
 *
 * Usage: rg-peerctl NAME
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qbipcc.h>

#define REPLY_MAX (64 * 1024 + 512)

int main(int argc, char **argv)
{
    static char reply[REPLY_MAX];
    struct qb_ipc_request_header req;
    const struct qb_ipc_response_header *hdr = (const void *)reply;
    struct iovec iov;
    qb_ipcc_connection_t *c;
    ssize_t n;

    if (argc != 2) {
        fprintf(stderr, "usage: rg-peerctl NAME\n");
        return 2;
    }
    c = qb_ipcc_connect(argv[1], REPLY_MAX);
    if (c == NULL) {
        fprintf(stderr, "rg-peerctl: cannot connect to %s\n", argv[1]);
        return 1;
    }
    req.id = 1;
    req.size = sizeof(req);
    iov.iov_base = &req;
    iov.iov_len = sizeof(req);
    n = qb_ipcc_sendv_recv(c, &iov, 1, reply, sizeof(reply) - 1, 5000);
    qb_ipcc_disconnect(c);
    if (n < (ssize_t)sizeof(*hdr) || hdr->error != 0) {
        fprintf(stderr, "rg-peerctl: no answer from %s (%zd)\n", argv[1], n);
        return 1;
    }
    fwrite(reply + sizeof(*hdr), 1, (size_t)n - sizeof(*hdr), stdout);
    return 0;
}
