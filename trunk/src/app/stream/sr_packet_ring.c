/* SPDX-License-Identifier: MIT */
/*
 * sr_packet_ring.c: the storage of the shared packet ring. Slots are indexed by seq
 * masked with a power-of-two capacity, so growing and shrinking re-place the held slots.
 */
#include "sr_packet_ring.h"

#include "sr_alloc.h"

/* A ring never shrinks below this, and shrinks when a quarter of it would hold what
 * is left: a burst (a slow reader) gives its memory back, a steady GOP does not churn. */
#define SR_PACKET_RING_MIN_SLOTS 64

static void sr_packet_ring_resize(sr_packet_ring_t *r, size_t capacity)
{
    sr_ring_slot_t *slots = sr_calloc(capacity, sizeof(*slots));
    for (uint64_t seq = r->tail; seq < r->head; seq++) {
        slots[seq & (capacity - 1)] = r->slots[seq & r->mask];
    }
    sr_free(r->slots);
    r->slots = slots;
    r->mask = capacity - 1;
}

void sr_packet_ring_deinit(sr_packet_ring_t *r)
{
    sr_packet_ring_trim(r, r->head);
    sr_free(r->slots);
    r->slots = NULL;
    r->mask = 0;
}

uint64_t sr_packet_ring_push(sr_packet_ring_t *r, const sr_packet_t *pkt, int64_t t_ms, uint32_t marks)
{
    if (sr_packet_ring_is_full(r)) {
        sr_packet_ring_resize(r, r->slots ? 2 * (r->mask + 1) : SR_PACKET_RING_MIN_SLOTS);
    }
    sr_ring_slot_t *slot = &r->slots[r->head & r->mask];
    sr_packet_copy(&slot->pkt, pkt);
    slot->wire = (sr_wire_t){0};
    slot->t_ms = t_ms;
    slot->arrived_us = sr_time_mono_us();
    slot->marks = marks;
    return r->head++;
}

void sr_packet_ring_trim(sr_packet_ring_t *r, uint64_t seq)
{
    seq = SR_MIN(seq, r->head);
    for (; r->tail < seq; r->tail++) {
        sr_ring_slot_t *slot = &r->slots[r->tail & r->mask];
        sr_packet_deinit(&slot->pkt);
        sr_payload_unref(slot->wire.block);
    }
    size_t capacity = r->mask + 1;
    if (r->slots && capacity > SR_PACKET_RING_MIN_SLOTS && r->head - r->tail < capacity / 4) {
        sr_packet_ring_resize(r, capacity / 2);
    }
}
