/* SPDX-License-Identifier: MIT */
/*
 * sr_mix_queue.c: a small array kept in (dts, arrival) order; see sr_mix_queue.h.
 * It holds at most SR_MIX_QUEUE_MAX packets, so insertion by moving the tail is cheap,
 * and with a well-behaved encoder it holds one or two.
 */
#include "sr_mix_queue.h"

#include <string.h>

#include "sr_alloc.h"

struct sr_mix_queue {
    sr_packet_t pkts[SR_MIX_QUEUE_MAX];
    size_t count;
    size_t audio;
    size_t video;
    bool is_both; /* no single-track release */
};

sr_mix_queue_t *sr_mix_queue_new(void)
{
    return SR_NEW(sr_mix_queue_t);
}

void sr_mix_queue_free(sr_mix_queue_t *q)
{
    if (!q) {
        return;
    }
    for (size_t i = 0; i < q->count; i++) {
        sr_packet_deinit(&q->pkts[i]);
    }
    sr_free(q);
}

static void sr_mix_queue_take_front(sr_mix_queue_t *q, sr_packet_t *out)
{
    *out = q->pkts[0];
    q->count--;
    memmove(&q->pkts[0], &q->pkts[1], q->count * sizeof(q->pkts[0]));
    if (out->type == SR_PACKET_AUDIO) {
        q->audio--;
    } else {
        q->video--;
    }
}

void sr_mix_queue_push(sr_mix_queue_t *q, const sr_packet_t *pkt)
{
    if (q->count == SR_MIX_QUEUE_MAX) {
        return; /* the caller pops until it can push; unreachable when it does */
    }
    /* after every packet with dts <= this one: ties keep arrival order */
    size_t at = q->count;
    while (at > 0 && q->pkts[at - 1].dts > pkt->dts) {
        at--;
    }
    memmove(&q->pkts[at + 1], &q->pkts[at], (q->count - at) * sizeof(q->pkts[0]));
    sr_packet_copy(&q->pkts[at], pkt);
    q->count++;
    if (pkt->type == SR_PACKET_AUDIO) {
        q->audio++;
    } else {
        q->video++;
    }
}

void sr_mix_queue_expect_both(sr_mix_queue_t *q, bool is_both)
{
    q->is_both = is_both;
}

bool sr_mix_queue_pop(sr_mix_queue_t *q, sr_packet_t *out)
{
    bool is_single_ready =
        !q->is_both && (q->audio >= SR_MIX_QUEUE_SINGLE_TRACK || q->video >= SR_MIX_QUEUE_SINGLE_TRACK);
    bool is_ready = (q->audio > 0 && q->video > 0) || is_single_ready || q->count == SR_MIX_QUEUE_MAX;
    if (!is_ready) {
        return false;
    }
    sr_mix_queue_take_front(q, out);
    return true;
}

bool sr_mix_queue_flush_one(sr_mix_queue_t *q, sr_packet_t *out)
{
    if (q->count == 0) {
        return false;
    }
    sr_mix_queue_take_front(q, out);
    return true;
}

size_t sr_mix_queue_count(const sr_mix_queue_t *q)
{
    return q->count;
}
