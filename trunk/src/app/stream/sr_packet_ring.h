/* SPDX-License-Identifier: MIT */
/*
 * sr_packet_ring.h: a source's one queue of packets, read by every consumer through its
 * own cursor. A packet is stored once, with one payload reference, whatever the number
 * of readers: publishing costs the same for one player as for ten thousand.
 *
 * Packets are numbered (seq) from 0 and never renumbered; the ring holds [tail, head).
 * It grows (doubling) when full, and the owner trims it up to the oldest cursor still
 * reading, which is where it shrinks back. Each slot carries the source's own monotonic
 * time for the packet (spans and queue bounds, immune to a publisher's timestamp jumps),
 * the time it arrived (for waking readers of a sparse stream), and marks.
 * Pure data structure: no I/O, never yields.
 */
#ifndef SR_PACKET_RING_H
#define SR_PACKET_RING_H

#include "sr_core.h"
#include "sr_packet.h"
#include "sr_time.h"

SR_BEGIN_DECLS

enum {
    SR_RING_NEW_PUBLISH = 1 << 0, /* the first packet of a publish: readers restart their timeline */
};

/* An output's wire form of a packet, built once for every reader of that output (RTMP:
 * the message in chunks with a header relative to the previous message of its chunk
 * stream). A reader may send it only when the header says what it would have said:
 * its previous message on that stream was base_seq, and its own timestamp is delta
 * after that one's. */
typedef struct sr_wire {
    sr_payload_t *block; /* holds the bytes (a reference); NULL: no wire form */
    uint32_t off, len;
    uint64_t base_seq;
    int64_t delta;
} sr_wire_t;

typedef struct sr_ring_slot {
    sr_packet_t pkt; /* one payload reference, shared by every reader */
    sr_wire_t wire;
    int64_t t_ms;          /* the source's monotonic time of the packet */
    sr_utime_t arrived_us; /* monotonic clock when pushed */
    uint32_t marks;        /* SR_RING_* */
} sr_ring_slot_t;

/* Transparent value type in the owner's storage; zero-initialized is an empty ring. */
typedef struct sr_packet_ring {
    sr_ring_slot_t *slots;
    size_t mask; /* capacity - 1; capacity is a power of two (0 before the first push) */
    uint64_t tail, head;
} sr_packet_ring_t;

/* Release every held reference and the storage; the ring is empty afterwards (seqs go on). */
void sr_packet_ring_deinit(sr_packet_ring_t *r);
/* Append pkt (borrowed; the ring takes its own reference). Returns its seq. */
uint64_t sr_packet_ring_push(sr_packet_ring_t *r, const sr_packet_t *pkt, int64_t t_ms, uint32_t marks);
/* Release the packets before seq (clamped to [tail, head]); shrink after a burst. */
void sr_packet_ring_trim(sr_packet_ring_t *r, uint64_t seq);
/* Whether the next push has to grow the storage. */
static inline bool sr_packet_ring_is_full(const sr_packet_ring_t *r)
{
    return !r->slots || r->head - r->tail > r->mask;
}
/* The slot of seq; tail <= seq < head. */
static inline const sr_ring_slot_t *sr_packet_ring_at(const sr_packet_ring_t *r, uint64_t seq)
{
    return &r->slots[seq & r->mask];
}

SR_END_DECLS

#endif
