/* SPDX-License-Identifier: MIT */
/*
 * sr_payload.h: a refcounted, immutable-once-published byte buffer. A media payload
 * is written once and shared by the GOP cache and every consumer queue; fan-out only
 * bumps the count. The count is a plain int: one OS thread runs every coroutine.
 */
#ifndef SR_PAYLOAD_H
#define SR_PAYLOAD_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_payload {
    int refs;
    uint32_t size;
    uint8_t data[];
} sr_payload_t;

/* New payload of size bytes (contents undefined), ref=1. Never NULL. */
sr_payload_t *sr_payload_new(size_t size);
/* New payload holding a copy of data, ref=1. */
sr_payload_t *sr_payload_new_copy(const void *data, size_t size);
/* Take one more reference; returns p. */
static inline sr_payload_t *sr_payload_ref(sr_payload_t *p)
{
    p->refs++;
    return p;
}
/* Drop one reference; frees at zero. NULL is ignored. */
void sr_payload_unref(sr_payload_t *p);
/* Payloads alive now (for leak checks in tests). */
long sr_payload_live_count(void);

SR_END_DECLS

#endif
