/*
 * malloc interposition for the benchmark (see alloc_count.h). glibc lets a
 * program replace its allocator by defining these functions; glibc's own
 * internal calls (qsort's buffer, for instance) then come here too. Each
 * forwards to the matching glibc entry point. Single-threaded use only.
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include "alloc_count.h"

#include <errno.h>
#include <stddef.h>

/* glibc's own allocator, exported under these names (GLIBC_2.2.5). */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

/* The replacements need prototypes of their own (-Wmissing-prototypes). */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *pointer, size_t size);
void free(void *pointer);
int posix_memalign(void **out, size_t alignment, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
void *memalign(size_t alignment, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);

static int counting;
static uint64_t allocations;

static void count(void)
{
    if (counting) {
        allocations++;
    }
}

void alloc_count_start(void)
{
    allocations = 0;
    counting = 1;
}

uint64_t alloc_count_stop(void)
{
    counting = 0;
    return allocations;
}

void *malloc(size_t size)
{
    count();
    return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size)
{
    count();
    return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size)
{
    count();
    return __libc_realloc(pointer, size);
}

void free(void *pointer)
{
    __libc_free(pointer);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *block;

    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    count();
    block = __libc_memalign(alignment, size);
    if (block == NULL) {
        return ENOMEM;
    }
    *out = block;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size)
{
    count();
    return __libc_valloc(size);
}

void *pvalloc(size_t size)
{
    count();
    return __libc_pvalloc(size);
}
