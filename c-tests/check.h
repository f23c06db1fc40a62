/* A tiny test harness for the C tests: CHECK() counts, check_summary()
 * prints "N passed, N failed" and gives the exit status. */
#ifndef RIVALGUARD_C_TESTS_CHECK_H
#define RIVALGUARD_C_TESTS_CHECK_H

#include <stdio.h>

static unsigned checks_passed;
static unsigned checks_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            checks_passed++;                                                     \
        } else {                                                                 \
            checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

static int check_summary(const char *suite)
{
    printf("%s: %u passed, %u failed\n", suite, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
