/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_reorder.c: the RTP reorder buffer (sr_rtp.h): packets of one stream (one
 * SSRC) come in any order and leave in sequence order, each gap either filled (a late
 * or retransmitted packet) or given up as lost after max_delay_us or once packets a
 * window beyond it arrive. A packet that is next in order passes straight through; only
 * packets behind a gap are copied. Stream restarts (a large jump that the next packet
 * confirms, RFC 3550 A.1) resynchronise instead of counting thousands of losses. Not
 * for playout timing (no jitter estimation) or for several SSRCs at once.
 */
#include "sr_rtp.h"

#include <string.h>

#include "sr_alloc.h"

typedef struct sr_rtp_reorder_slot {
    bool is_used;
    bool is_marker;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    int64_t arrival_us;
    uint8_t *data; /* sr_malloc'ed copy of the payload, freed on release */
    size_t size;
} sr_rtp_reorder_slot_t;

struct sr_rtp_reorder {
    size_t window; /* a power of two: slot of seq is seq & (window - 1) */
    int64_t max_delay_us;
    sr_rtp_reorder_fn on_packet;
    void *arg;
    sr_rtp_reorder_slot_t *slots;
    bool has_next;
    uint16_t next;         /* the sequence number released next */
    uint16_t highest;      /* the highest held, when stats.held > 0 */
    uint32_t pending_lost; /* given up, reported with the next release */
    int64_t gap_since_us;  /* the earliest arrival among held packets */
    bool has_probe;
    uint16_t probe; /* a stray packet's seq + 1: if it comes next, the stream restarted */
    sr_rtp_reorder_stats_t stats;
};

sr_rtp_reorder_t *sr_rtp_reorder_new(size_t window, int64_t max_delay_us, sr_rtp_reorder_fn on_packet, void *arg)
{
    if (window < 2 || window > SR_RTP_REORDER_MAX_WINDOW || (window & (window - 1)) != 0 || !on_packet) {
        return NULL;
    }
    sr_rtp_reorder_t *r = SR_NEW(sr_rtp_reorder_t);
    r->window = window;
    r->max_delay_us = max_delay_us < 0 ? 0 : max_delay_us;
    r->on_packet = on_packet;
    r->arg = arg;
    r->slots = sr_calloc(window, sizeof(*r->slots));
    return r;
}

void sr_rtp_reorder_free(sr_rtp_reorder_t *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->window; i++) {
        sr_free(r->slots[i].data);
    }
    sr_free(r->slots);
    sr_free(r);
}

static sr_rtp_reorder_slot_t *sr_rtp_reorder_slot(sr_rtp_reorder_t *r, uint16_t seq)
{
    return &r->slots[seq & (r->window - 1)];
}

static bool sr_rtp_reorder_is_held(const sr_rtp_reorder_t *r, uint16_t seq)
{
    const sr_rtp_reorder_slot_t *s = &r->slots[seq & (r->window - 1)];
    return s->is_used && s->seq == seq;
}

static void sr_rtp_reorder_deliver(sr_rtp_reorder_t *r, const sr_rtp_packet_t *pkt)
{
    uint32_t lost = r->pending_lost;
    r->pending_lost = 0;
    r->stats.released++;
    r->on_packet(r->arg, pkt, lost);
}

/* Release the held packet at next and advance. */
static void sr_rtp_reorder_release_slot(sr_rtp_reorder_t *r)
{
    sr_rtp_reorder_slot_t *s = sr_rtp_reorder_slot(r, r->next);
    sr_rtp_packet_t pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.pt = s->pt;
    pkt.is_marker = s->is_marker;
    pkt.seq = s->seq;
    pkt.ts = s->ts;
    pkt.ssrc = s->ssrc;
    pkt.payload = s->data;
    pkt.payload_size = s->size;
    /* the slot is free before the callback runs, the copy only after it */
    uint8_t *data = s->data;
    s->data = NULL;
    s->is_used = false;
    r->stats.held--;
    r->next++;
    sr_rtp_reorder_deliver(r, &pkt);
    sr_free(data);
}

/* Release the run of held packets at next; then restart the gap clock from what waits. */
static void sr_rtp_reorder_release_run(sr_rtp_reorder_t *r)
{
    bool released = false;
    while (r->stats.held > 0 && sr_rtp_reorder_is_held(r, r->next)) {
        sr_rtp_reorder_release_slot(r);
        released = true;
    }
    if (!released || r->stats.held == 0) {
        return;
    }
    int64_t since = INT64_MAX;
    for (uint16_t s = r->next;; s++) {
        if (sr_rtp_reorder_is_held(r, s) && sr_rtp_reorder_slot(r, s)->arrival_us < since) {
            since = sr_rtp_reorder_slot(r, s)->arrival_us;
        }
        if (s == r->highest) {
            break;
        }
    }
    r->gap_since_us = since;
}

/* Give up the gap at next: its sequence numbers are lost; release what follows it. */
static void sr_rtp_reorder_skip_gap(sr_rtp_reorder_t *r)
{
    while (r->stats.held > 0 && !sr_rtp_reorder_is_held(r, r->next)) {
        r->pending_lost++;
        r->stats.lost++;
        r->next++;
    }
    sr_rtp_reorder_release_run(r);
}

/* Make room for seq, window or more ahead of next: what falls out of the window is
 * released or lost. */
static void sr_rtp_reorder_slide(sr_rtp_reorder_t *r, uint16_t seq)
{
    while ((uint16_t)(seq - r->next) >= r->window) {
        if (r->stats.held > 0 && sr_rtp_reorder_is_held(r, r->next)) {
            sr_rtp_reorder_release_slot(r);
        } else {
            r->pending_lost++;
            r->stats.lost++;
            r->next++;
        }
    }
    sr_rtp_reorder_release_run(r);
}

static void sr_rtp_reorder_hold(sr_rtp_reorder_t *r, const sr_rtp_packet_t *pkt, int64_t now_us)
{
    sr_rtp_reorder_slot_t *s = sr_rtp_reorder_slot(r, pkt->seq);
    if (s->is_used) {
        r->stats.duplicates++; /* the same seq: the slot of another one is out of the window */
        return;
    }
    s->is_used = true;
    s->is_marker = pkt->is_marker;
    s->pt = pkt->pt;
    s->seq = pkt->seq;
    s->ts = pkt->ts;
    s->ssrc = pkt->ssrc;
    s->arrival_us = now_us;
    s->size = pkt->payload_size;
    s->data = sr_malloc(pkt->payload_size ? pkt->payload_size : 1);
    if (pkt->payload_size > 0) {
        memcpy(s->data, pkt->payload, pkt->payload_size);
    }
    if (r->stats.held == 0 || sr_rtp_seq_lt(r->highest, pkt->seq)) {
        r->highest = pkt->seq;
    }
    if (r->stats.held == 0 || now_us < r->gap_since_us) {
        r->gap_since_us = now_us;
    }
    r->stats.held++;
}

/* A packet too far from the stream to place: drop it, but if the one after it
 * follows, the sender restarted its sequence: release all, go on from there. */
static bool sr_rtp_reorder_stray(sr_rtp_reorder_t *r, uint16_t seq)
{
    if (r->has_probe && seq == r->probe) {
        r->has_probe = false;
        sr_rtp_reorder_flush(r);
        r->next = seq;
        r->pending_lost = r->pending_lost ? r->pending_lost : 1;
        r->stats.resyncs++;
        return false;
    }
    r->has_probe = true;
    r->probe = (uint16_t)(seq + 1);
    r->stats.strays++;
    return true;
}

void sr_rtp_reorder_push(sr_rtp_reorder_t *r, const sr_rtp_packet_t *pkt, int64_t now_us)
{
    r->stats.received++;
    if (pkt->payload_size > SR_RTP_REORDER_MAX_PAYLOAD) {
        r->stats.too_large++;
        sr_rtp_reorder_tick(r, now_us);
        return;
    }
    if (!r->has_next) {
        r->has_next = true;
        r->next = pkt->seq;
    }
    int d = sr_rtp_seq_diff(pkt->seq, r->next);
    if ((d < -(int)r->window || d > SR_RTP_REORDER_MAX_DROPOUT) && sr_rtp_reorder_stray(r, pkt->seq)) {
        sr_rtp_reorder_tick(r, now_us);
        return;
    }
    d = sr_rtp_seq_diff(pkt->seq, r->next);
    if (d < 0) {
        r->stats.duplicates++;
    } else if (d == 0) {
        r->next++;
        sr_rtp_reorder_deliver(r, pkt);
        sr_rtp_reorder_release_run(r);
    } else {
        if ((size_t)d >= r->window) {
            sr_rtp_reorder_slide(r, pkt->seq);
        }
        if (pkt->seq == r->next) {
            r->next++;
            sr_rtp_reorder_deliver(r, pkt);
            sr_rtp_reorder_release_run(r);
        } else {
            sr_rtp_reorder_hold(r, pkt, now_us);
        }
    }
    sr_rtp_reorder_tick(r, now_us);
}

void sr_rtp_reorder_tick(sr_rtp_reorder_t *r, int64_t now_us)
{
    while (r->stats.held > 0 && now_us - r->gap_since_us >= r->max_delay_us) {
        sr_rtp_reorder_skip_gap(r);
    }
}

void sr_rtp_reorder_flush(sr_rtp_reorder_t *r)
{
    while (r->stats.held > 0) {
        sr_rtp_reorder_skip_gap(r);
    }
}

size_t sr_rtp_reorder_missing(const sr_rtp_reorder_t *r, uint16_t *seqs, size_t max)
{
    size_t n = 0;
    if (r->stats.held == 0) {
        return 0;
    }
    for (uint16_t s = r->next; s != r->highest && n < max; s++) {
        if (!sr_rtp_reorder_is_held(r, s)) {
            seqs[n++] = s;
        }
    }
    return n;
}

const sr_rtp_reorder_stats_t *sr_rtp_reorder_stats(const sr_rtp_reorder_t *r)
{
    return &r->stats;
}
