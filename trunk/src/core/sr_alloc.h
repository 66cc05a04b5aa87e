/* SPDX-License-Identifier: MIT */
/*
 * sr_alloc.h: allocation that never returns NULL. Out of memory aborts (as Redis and
 * h2o do), so callers never check and no error path exists for it.
 */
#ifndef SR_ALLOC_H
#define SR_ALLOC_H

#include "sr_core.h"

SR_BEGIN_DECLS

void *sr_malloc(size_t size);
void *sr_calloc(size_t n, size_t size);
void *sr_realloc(void *p, size_t size);
char *sr_strdup(const char *s);
char *sr_strndup(const char *s, size_t n);
void sr_free(void *p);

/* Allocate one zeroed T. */
#define SR_NEW(T) ((T *)sr_calloc(1, sizeof(T)))

SR_END_DECLS

#endif
