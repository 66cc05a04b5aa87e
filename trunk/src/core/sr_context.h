/* SPDX-License-Identifier: MIT */
/*
 * sr_context.h: per-coroutine context (context id and error trail).
 *
 * core cannot know about coroutines, so the protocol layer's ST glue installs a
 * provider that returns the running coroutine's context. Without one (unit tests,
 * startup) a single process-wide context is used.
 */
#ifndef SR_CONTEXT_H
#define SR_CONTEXT_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_CID_LEN 8
#define SR_TRAIL_BYTES 1024

typedef struct sr_context {
    char cid[SR_CID_LEN + 1];
    size_t trail_len;
    char trail[SR_TRAIL_BYTES];
} sr_context_t;

typedef sr_context_t *(*sr_context_provider_fn)(void);

/* The running coroutine's context; never NULL. */
sr_context_t *sr_context_current(void);
/* Install the provider (NULL restores the process-wide context). */
void sr_context_set_provider(sr_context_provider_fn fn);
/* Fill ctx with a fresh random cid and an empty trail. */
void sr_context_init(sr_context_t *ctx);
/* Write a fresh random 8-character id into cid (SR_CID_LEN + 1 bytes). */
void sr_context_new_cid(char *cid);

SR_END_DECLS

#endif
