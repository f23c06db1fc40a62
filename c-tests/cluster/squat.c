/*
 * rg-squat: a squatter. Binds the abstract unix socket that a libqb server
 * named NAME would serve (a NUL, NAME, NUL padding to the whole 108-byte
 * sun_path), listens, never accepts, and waits to be killed. Run it as an
 * unprivileged user (setpriv --reuid=65534 ...) to play a foreign process
 * holding a daemon's endpoint. Prints "squat listening name=N pid=P uid=U".
 *
 * Usage: rg-squat NAME
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un addr;
    int fd;

    if (argc != 2 || strlen(argv[1]) == 0 || strlen(argv[1]) > sizeof(addr.sun_path) - 2) {
        fprintf(stderr, "usage: rg-squat NAME\n");
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path + 1, argv[1], strlen(argv[1]));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 128) != 0) {
        perror("rg-squat");
        return 1;
    }
    printf("squat listening name=%s pid=%d uid=%d\n", argv[1], (int)getpid(), (int)getuid());
    fflush(stdout);
    for (;;) {
        pause();
    }
}
