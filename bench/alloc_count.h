/*
 * Counts heap allocations made by the whole process (our code, the Rust
 * library and glibc itself, e.g. qsort's temporary buffer) by interposing
 * malloc and friends, which forward to glibc's own __libc_* entry points.
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#ifndef RIVALGUARD_BENCH_ALLOC_COUNT_H
#define RIVALGUARD_BENCH_ALLOC_COUNT_H

#include <stdint.h>

/* Starts counting from zero. */
void alloc_count_start(void);
/* Stops counting and returns the number of allocating calls since the
 * start (malloc, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign, valloc, pvalloc; free is not counted). */
uint64_t alloc_count_stop(void);

#endif
