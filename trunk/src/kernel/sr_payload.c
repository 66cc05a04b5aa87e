/* SPDX-License-Identifier: MIT */
#include "sr_payload.h"

#include <string.h>

#include "sr_alloc.h"

static long sr_payload_live;

sr_payload_t *sr_payload_new(size_t size)
{
    sr_payload_t *p = sr_malloc(sizeof(sr_payload_t) + size);
    p->refs = 1;
    p->size = (uint32_t)size;
    sr_payload_live++;
    return p;
}

sr_payload_t *sr_payload_new_copy(const void *data, size_t size)
{
    sr_payload_t *p = sr_payload_new(size);
    if (size) {
        memcpy(p->data, data, size);
    }
    return p;
}

void sr_payload_unref(sr_payload_t *p)
{
    if (p && --p->refs == 0) {
        sr_payload_live--;
        sr_free(p);
    }
}

long sr_payload_live_count(void)
{
    return sr_payload_live;
}
