/* SPDX-License-Identifier: MIT */
/*
 * sr_consumer_internal.h: the fan-out a source embeds: its packet ring, its consumers,
 * and who waits for what. Only sr_source.c and tests include it.
 *
 * Publishing a packet stores it once in the ring and wakes the consumers that are due.
 * Waiting consumers sit in one of two lists: the batch list, players whose merged-write
 * rule (mw_msgs, mw_latency) is the same and whose cursors are in order, so the packet
 * that makes the first one due is the one to look at and each wake-up is O(1); and the
 * eager list (min_latency players, sinks, paced players, players before their first
 * batch), looked at on every packet. No per-packet work is done per batch waiter.
 */
#ifndef SR_CONSUMER_INTERNAL_H
#define SR_CONSUMER_INTERNAL_H

#include "sr_consumer.h"
#include "sr_jitter.h"
#include "sr_packet_ring.h"

SR_BEGIN_DECLS

enum { SR_FANOUT_META, SR_FANOUT_VIDEO_SH, SR_FANOUT_AUDIO_SH, SR_FANOUT_CONFIGS };

/* Zero-initialized is a fan-out with no consumers; sr_fanout_deinit releases it. */
typedef struct sr_fanout {
    sr_packet_ring_t ring;
    sr_jitter_t clock; /* the source's own timeline ("full"), for spans and bounds */
    int64_t last_t_ms;
    bool is_clock_set;
    sr_consumer_t *consumers;               /* every consumer */
    sr_consumer_t *batch_head, *batch_tail; /* waiting for a merged batch, oldest cursor first */
    sr_consumer_t *eager;                   /* waiting, looked at on every packet */
    bool has_keyframe;
    uint64_t keyframe_seq; /* the newest video keyframe in the ring */
    bool has_config[SR_FANOUT_CONFIGS];
    uint64_t config_seq[SR_FANOUT_CONFIGS]; /* the newest metadata and sequence headers */
    uint32_t next_marks;                    /* for the next packet stored */
    uint64_t trim_seq;                      /* the ring is looked at for trimming from here */
    const sr_wire_kind_t *wire_kind;        /* built for every packet stored, while consumers read */
    void *wire_state;
    uint32_t wire_key;
} sr_fanout_t;

/* Every consumer must have been freed. */
void sr_fanout_deinit(sr_fanout_t *f);
/* Store pkt (borrowed) once for every consumer and wake those that are due. */
void sr_fanout_push(sr_fanout_t *f, const sr_packet_t *pkt);
/* A publisher (re)starts: consumers continue their timelines after what they were given. */
void sr_fanout_new_publish(sr_fanout_t *f);
/* Wake batch waiters whose oldest unread packet has waited mw_latency (a stream too
 * sparse to fill a batch); called about once a second, so no player needs a timer. */
void sr_fanout_wake_stragglers(sr_fanout_t *f);

/* A new consumer of f, reading from the next packet on. */
sr_consumer_t *sr_consumer__new(sr_fanout_t *f, struct sr_source *source, const sr_consumer_policy_t *policy);
/* Unlink from f and free. NULL ok. */
void sr_consumer__free(sr_consumer_t *c);
sr_consumer_t *sr_consumer__next(const sr_consumer_t *c);
/* Give c pkt (borrowed) before anything from the ring: the cached metadata, sequence
 * headers and GOP of a new consumer. */
void sr_consumer__give(sr_consumer_t *c, const sr_packet_t *pkt);

SR_END_DECLS

#endif
