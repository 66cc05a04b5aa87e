/* SPDX-License-Identifier: MIT */
#include "sr_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sr_alloc_die(size_t size)
{
    fprintf(stderr, "strand: out of memory allocating %zu bytes\n", size);
    abort();
}

void *sr_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        sr_alloc_die(size);
    }
    return p;
}

void *sr_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        sr_alloc_die(n * size);
    }
    return p;
}

void *sr_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        sr_alloc_die(size);
    }
    return q;
}

char *sr_strdup(const char *s)
{
    return sr_strndup(s, strlen(s));
}

char *sr_strndup(const char *s, size_t n)
{
    char *d = sr_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void sr_free(void *p)
{
    free(p);
}
