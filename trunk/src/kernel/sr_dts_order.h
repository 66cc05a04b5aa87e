/* SPDX-License-Identifier: MIT */
/*
 * sr_dts_order.h: decode times for video that arrives with presentation times only, as
 * RTP carries it (RFC 6184 and 7798 stamp each access unit with its presentation
 * time; B-frames make those go back and forth in decode order). FLV, TS and MP4 need
 * both: a dts that never decreases and never passes the pts.
 *
 * With a reorder depth R (no frame has more than R earlier frames that present after
 * it), the k-th frame's dts is the (k-R)-th smallest pts seen so far: it is final at
 * once (a later frame can never present earlier than that), it never decreases, and
 * it never passes the frame's own pts. So no frame is held back. R is learned from the
 * SPS (sr_dts_order_set_depth) or learned from the stream (0 for streams without
 * B-frames, whose dts is their pts); when a B-frame first shows a depth nobody told,
 * the frames around it get dts = pts clamped to what was already given (one GOP may
 * be off by a frame or two, once per stream).
 * Pure arithmetic, caller storage, no allocation.
 */
#ifndef SR_DTS_ORDER_H
#define SR_DTS_ORDER_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_DTS_ORDER_MAX_DEPTH 16 /* H.264 and H.265 allow at most 16 reordered frames */
#define SR_DTS_ORDER_WINDOW 32    /* recent frames the depth is learned from */

typedef struct sr_dts_order {
    int64_t pending[SR_DTS_ORDER_MAX_DEPTH + 2]; /* pts not yet given out as a dts, ascending */
    size_t nb_pending;
    int64_t recent[SR_DTS_ORDER_WINDOW]; /* pts of the last frames, a ring */
    size_t nb_recent, recent_at;
    int depth;
    bool has_last;
    int64_t last_dts;
    uint64_t frames;
    uint64_t repaired; /* frames whose pts had to be raised to their dts while learning */
} sr_dts_order_t;

void sr_dts_order_init(sr_dts_order_t *o);
/* The dts of the next frame (in decode order) whose presentation time is *pts (ms). *pts
 * is raised to the dts in the rare case it would be earlier (while the depth is being
 * learned). */
int64_t sr_dts_order_next(sr_dts_order_t *o, int64_t *pts);
/* A depth known from the stream (H.264 VUI max_num_reorder_frames): frames get exact
 * decode times from the first on. Only raises the depth (at most SR_DTS_ORDER_MAX_DEPTH). */
void sr_dts_order_set_depth(sr_dts_order_t *o, int depth);
/* The reorder depth learned so far. */
static inline int sr_dts_order_depth(const sr_dts_order_t *o)
{
    return o->depth;
}

SR_END_DECLS

#endif
