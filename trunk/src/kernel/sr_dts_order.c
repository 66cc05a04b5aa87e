/* SPDX-License-Identifier: MIT */
/*
 * sr_dts_order.c: the pending pts are a sorted array of at most depth + 1 values, so
 * insertion is a short memmove; the depth is the most frames of the recent window that
 * present after a new one.
 */
#include "sr_dts_order.h"

#include <string.h>

void sr_dts_order_init(sr_dts_order_t *o)
{
    memset(o, 0, sizeof(*o));
}

/* How many recent frames present after pts. */
static int sr_dts_order_later(const sr_dts_order_t *o, int64_t pts)
{
    int n = 0;
    for (size_t i = 0; i < o->nb_recent; i++) {
        n += o->recent[i] > pts;
    }
    return n;
}

static void sr_dts_order_remember(sr_dts_order_t *o, int64_t pts)
{
    o->recent[o->recent_at] = pts;
    o->recent_at = (o->recent_at + 1) % SR_DTS_ORDER_WINDOW;
    if (o->nb_recent < SR_DTS_ORDER_WINDOW) {
        o->nb_recent++;
    }
}

static void sr_dts_order_insert(sr_dts_order_t *o, int64_t pts)
{
    size_t i = o->nb_pending;
    while (i > 0 && o->pending[i - 1] > pts) {
        i--;
    }
    memmove(&o->pending[i + 1], &o->pending[i], (o->nb_pending - i) * sizeof(o->pending[0]));
    o->pending[i] = pts;
    o->nb_pending++;
}

int64_t sr_dts_order_next(sr_dts_order_t *o, int64_t *pts)
{
    int later = sr_dts_order_later(o, *pts);
    if (later > o->depth) {
        o->depth = later > SR_DTS_ORDER_MAX_DEPTH ? SR_DTS_ORDER_MAX_DEPTH : later;
    }
    sr_dts_order_remember(o, *pts);
    if (o->nb_pending == SR_ARRAY_SIZE(o->pending)) {
        memmove(&o->pending[0], &o->pending[1], (o->nb_pending - 1) * sizeof(o->pending[0]));
        o->nb_pending--; /* only after a depth past the maximum: the oldest goes */
    }
    sr_dts_order_insert(o, *pts);
    int64_t dts;
    if (o->nb_pending > (size_t)o->depth) {
        dts = o->pending[0];
        memmove(&o->pending[0], &o->pending[1], (o->nb_pending - 1) * sizeof(o->pending[0]));
        o->nb_pending--;
    } else {
        /* the first frames of a reordered stream: just before the smallest pts, 1 ms apart */
        dts = o->pending[0] - (int64_t)(o->depth + 1 - o->nb_pending);
    }
    if (o->has_last && dts < o->last_dts) {
        dts = o->last_dts; /* only while the depth is being learned */
    }
    if (*pts < dts) {
        *pts = dts;
        o->repaired++;
    }
    o->has_last = true;
    o->last_dts = dts;
    o->frames++;
    return dts;
}

void sr_dts_order_set_depth(sr_dts_order_t *o, int depth)
{
    depth = depth > SR_DTS_ORDER_MAX_DEPTH ? SR_DTS_ORDER_MAX_DEPTH : depth;
    if (depth > o->depth) {
        o->depth = depth;
    }
}
