/* SPDX-License-Identifier: MIT */
/*
 * sr_consumer.h: one reader of a source: an RTMP, HTTP-FLV or SRT player, or an output
 * (HLS, DVR). It reads the source's shared ring through its own cursor (no per-packet
 * work per consumer when the source publishes), starting with the cached metadata,
 * sequence headers and GOP. Each consumer has its own timestamp correction, applied as
 * it reads, so its timeline starts near zero and never goes back, and its own bound
 * (queue_length): one that falls behind skips whole GOPs. The consumer's coroutine
 * waits; the source wakes it when a batch is due.
 */
#ifndef SR_CONSUMER_H
#define SR_CONSUMER_H

#include "sr_core.h"
#include "sr_packet.h"
#include "sr_packet_ring.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_consumer sr_consumer_t;
struct sr_source;

typedef struct sr_consumer_policy {
    int64_t queue_length_ms;         /* play.queue_length */
    int time_jitter;                 /* sr_jitter_algo_t */
    int mw_msgs;                     /* wake the sender once this many are queued */
    sr_utime_t mw_latency_us;        /* ... or after this long */
    bool is_min_latency;             /* wake on every packet */
    sr_utime_t send_min_interval_us; /* play.send_min_interval: one packet per interval (0: off) */
    bool is_sink; /* a server-side consumer (HLS, DVR): its policy is its own, reload leaves it alone */
} sr_consumer_policy_t;

enum {
    SR_CONSUMER_EV_UNPUBLISH = 1 << 0, /* the publisher left */
    SR_CONSUMER_EV_PUBLISH = 1 << 1,   /* a publisher (re)started */
    SR_CONSUMER_EV_WAKEUP = 1 << 2,    /* the owner asked the sender to look at its state */
};

/* Post events and wake the waiting sender. */
void sr_consumer_post(sr_consumer_t *c, unsigned events);
/* Wait until enough packets are queued (policy), an event arrives, or timeout_us.
 * Returns SR_OK, -SR_ETIMEOUT or -SR_EINTERRUPTED. May yield. */
int sr_consumer_wait(sr_consumer_t *c, sr_utime_t timeout_us);
/* The timeout a player's send loop waits with. While the stream is live and the player
 * merges writes: none (SR_UTIME_NO_TIMEOUT), the source wakes it. Otherwise mw_latency
 * (its policy, so a reload applies), at most SR_CONSUMER_IDLE_WAKE_US; with min_latency,
 * that idle wake. */
#define SR_CONSUMER_IDLE_WAKE_US (1 * SR_UTIME_S)
sr_utime_t sr_consumer_batch_wait_us(const sr_consumer_t *c);
/* Move up to max unread packets into out (the caller owns their references), with this
 * consumer's timestamps; a consumer past its bound skips first. Under
 * send_min_interval, at most one packet per interval: 0 until the next is due. */
size_t sr_consumer_fetch(sr_consumer_t *c, sr_packet_t *out, size_t max);
/* An output's wire form of packets (sr_packet_ring.h's sr_wire_t), built by the source
 * once per packet for every consumer that reads it. */
typedef struct sr_wire_kind {
    void *(*state_new)(uint32_t key); /* key: the form's parameter (RTMP: the chunk size) */
    void (*state_free)(void *state);
    /* Build pkt's (borrowed) form into *out (zeroed: leave it so for none); t_ms is the
     * source's monotonic time of pkt, seq its ring seq. Never yields. */
    void (*build)(void *state, const sr_packet_t *pkt, int64_t t_ms, uint64_t seq, sr_wire_t *out);
} sr_wire_kind_t;
/* Have the source build kind's form of every packet from now on, with key. One kind per
 * source at a time: false when another kind or key is built (the consumer then sends
 * its own form). */
bool sr_consumer_use_wire(sr_consumer_t *c, const sr_wire_kind_t *kind, uint32_t key);
/* sr_consumer_fetch, and for each packet its wire form (NULL: none, or given at attach)
 * and its ring seq (UINT64_MAX when given at attach). The wire forms stay valid until
 * the caller yields; take a reference on a block to keep it. */
size_t sr_consumer_fetch_wired(sr_consumer_t *c, sr_packet_t *out, const sr_wire_t **wires, uint64_t *seqs, size_t max);
/* Whether sr_consumer_fetch would return a packet now: a send loop drains while this
 * holds (sr_consumer_queued counts what waits, paced or not). */
bool sr_consumer_can_fetch(const sr_consumer_t *c);
/* Return and clear the pending events. */
unsigned sr_consumer_take_events(sr_consumer_t *c);
/* Apply a new policy (reload). */
void sr_consumer_set_policy(sr_consumer_t *c, const sr_consumer_policy_t *policy);
/* Batch at most cap_us of media per wake-up whatever the policy says, now and after a
 * reload (a protocol that wants its data evenly, e.g. SRT). 0: no cap. */
void sr_consumer_cap_latency(sr_consumer_t *c, sr_utime_t cap_us);
/* Whether this consumer is a server-side sink (HLS, DVR), not a player. */
bool sr_consumer_is_sink(const sr_consumer_t *c);
/* Packets dropped for this consumer because it fell behind. */
uint64_t sr_consumer_dropped(const sr_consumer_t *c);
size_t sr_consumer_queued(const sr_consumer_t *c);
struct sr_source *sr_consumer_source(const sr_consumer_t *c);

SR_END_DECLS

#endif
