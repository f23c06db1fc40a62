/* The one test harness of the C tests: CHECK() counts a condition (each
 * evaluated exactly once), REQUIRE() also stops the program when it fails,
 * check_summary() prints "N passed, N failed" and gives the exit status. */
#ifndef RIVALGUARD_C_TESTS_CHECK_H
#define RIVALGUARD_C_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static unsigned checks_passed;
static unsigned checks_failed;

#define CHECK(cond) check_((cond) != 0, #cond, __FILE__, __LINE__, 0)
#define REQUIRE(cond) check_((cond) != 0, #cond, __FILE__, __LINE__, 1)

static inline void check_(int ok, const char *what, const char *file, int line, int fatal)
{
    if (ok) {
        checks_passed++;
        return;
    }
    checks_failed++;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
    if (fatal) {
        exit(1);
    }
}

static inline int check_summary(const char *suite)
{
    printf("%s: %u passed, %u failed\n", suite, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
