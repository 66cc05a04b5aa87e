/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_wire.c: building RTMP's shared wire form. Messages are appended to a block
 * (a payload, so a writer can hold it with a reference) until it is full; a new block
 * then follows, and the ring's slots and the writers keep old ones alive as long as
 * they point into them.
 */
#include "sr_rtmp_wire.h"

#include "sr_alloc.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_conn_internal.h"

/* Big enough for a few seconds of a usual stream: a batch rarely spans two blocks. */
#define SR_RTMP_WIRE_BLOCK_BYTES (128 * 1024)

enum { SR_RTMP_WIRE_AUDIO, SR_RTMP_WIRE_VIDEO, SR_RTMP_WIRE_STREAMS };

typedef struct sr_rtmp_wire {
    uint32_t chunk_size;
    sr_payload_t *block; /* the one being filled: [0, used) */
    uint32_t used;
    bool has_prev[SR_RTMP_WIRE_STREAMS];
    uint64_t prev_seq[SR_RTMP_WIRE_STREAMS];
    int64_t prev_t_ms[SR_RTMP_WIRE_STREAMS];
} sr_rtmp_wire_t;

static void *sr_rtmp_wire_new(uint32_t chunk_size)
{
    sr_rtmp_wire_t *w = SR_NEW(sr_rtmp_wire_t);
    w->chunk_size = chunk_size;
    return w;
}

static void sr_rtmp_wire_free(void *state)
{
    sr_rtmp_wire_t *w = state;
    sr_payload_unref(w->block);
    sr_free(w);
}

static void sr_rtmp_wire_build(void *state, const sr_packet_t *pkt, int64_t t_ms, uint64_t seq, sr_wire_t *out)
{
    sr_rtmp_wire_t *w = state;
    if (!sr_packet_is_av(pkt)) {
        return;
    }
    int i = pkt->type == SR_PACKET_AUDIO ? SR_RTMP_WIRE_AUDIO : SR_RTMP_WIRE_VIDEO;
    uint32_t csid = pkt->type == SR_PACKET_AUDIO ? SR_RTMP_CSID_AUDIO : SR_RTMP_CSID_VIDEO;
    bool has_prev = w->has_prev[i];
    uint64_t base_seq = w->prev_seq[i];
    int64_t delta = t_ms - w->prev_t_ms[i];
    w->has_prev[i] = true;
    w->prev_seq[i] = seq;
    w->prev_t_ms[i] = t_ms;
    size_t len = pkt->payload->size;
    size_t need = sr_rtmp_chunk_delta_size(csid, w->chunk_size, len);
    if (!has_prev || need > UINT32_MAX) {
        return;
    }
    if (!w->block || w->block->size - w->used < need) {
        sr_payload_unref(w->block);
        w->block = sr_payload_new(SR_MAX(need, (size_t)SR_RTMP_WIRE_BLOCK_BYTES));
        w->used = 0;
    }
    size_t n =
        sr_rtmp_chunk_delta(w->block->data + w->used, csid, pkt->type, delta, w->chunk_size, pkt->payload->data, len);
    if (n == 0) {
        return; /* a delta RTMP cannot say in fmt 1: players send their own header */
    }
    *out = (sr_wire_t){sr_payload_ref(w->block), w->used, (uint32_t)n, base_seq, delta};
    w->used += (uint32_t)n;
}

const sr_wire_kind_t sr_rtmp_wire_kind = {
    .state_new = sr_rtmp_wire_new,
    .state_free = sr_rtmp_wire_free,
    .build = sr_rtmp_wire_build,
};
