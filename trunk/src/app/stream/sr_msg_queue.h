/* SPDX-License-Identifier: MIT */
/*
 * sr_msg_queue.h: one consumer's bounded queue of packets (`play { queue_length 30; }`,
 * in seconds in the config, in ms here). The publisher pushes into it without blocking;
 * the consumer coroutine pops batches and sends them.
 *
 * When the queued A/V span grows past the bound (a slow consumer), whole GOPs are dropped
 * from the front, so a player never gets video frames without the keyframe they depend
 * on. Sequence headers and data messages (metadata) are never dropped: the player needs
 * them to decode what follows. Not for: the GOP cache of a new player (sr_gop_cache),
 * timestamp correction (sr_jitter, applied before push), waking the consumer (the caller
 * signals its cond). Pure data structure: no I/O, never yields.
 */
#ifndef SR_MSG_QUEUE_H
#define SR_MSG_QUEUE_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* SRS's default queue_length, 30 s. */
#define SR_MSG_QUEUE_DEFAULT_MAX_DURATION_MS 30000

typedef struct sr_msg_queue sr_msg_queue_t;

/* New empty queue; the caller owns it and frees it with sr_msg_queue_free. Never NULL.
 * max_duration_ms <= 0 means no bound (the queue then grows with a stalled consumer). */
sr_msg_queue_t *sr_msg_queue_new(int64_t max_duration_ms);

/* Release every queued payload reference and the queue. NULL is ignored. */
void sr_msg_queue_free(sr_msg_queue_t *q);

/* Change the bound (config reload); applies from the next push. */
void sr_msg_queue_set_max_duration_ms(sr_msg_queue_t *q, int64_t max_duration_ms);

/* Append a copy of pkt (borrowed; the copy holds its own payload reference). O(1)
 * amortized; never blocks, never fails.
 * Then, while the duration exceeds the bound, shrink (one shrink event):
 *   1. if a video keyframe newer than the oldest A/V packet is queued, drop every A/V
 *      packet before the newest keyframe;
 *   2. if that is not enough, or there is no such keyframe, drop every A/V packet and
 *      drop further video (not audio) until the next video keyframe is pushed.
 * Sequence headers and data messages are never dropped and keep their order. While
 * waiting for a keyframe, audio keeps flowing (a player keeps its sound, and an
 * audio-only stream is unaffected); video inter frames pushed then are dropped and
 * counted. */
void sr_msg_queue_push(sr_msg_queue_t *q, const sr_packet_t *pkt);

/* Move up to max packets, oldest first, into out[0..n). The caller owns their payload
 * references afterwards (sr_packet_deinit each). Returns n; 0 when empty. */
size_t sr_msg_queue_pop_many(sr_msg_queue_t *q, sr_packet_t *out, size_t max);

/* Release every queued packet; counters are kept. Video is then dropped until the next
 * keyframe, since the queue no longer holds the GOP that later frames depend on. */
void sr_msg_queue_clear(sr_msg_queue_t *q);

/* Packets queued now. */
size_t sr_msg_queue_count(const sr_msg_queue_t *q);

/* The span between the dts of the newest and the oldest queued A/V packet, in ms;
 * sequence headers and data messages do not count; 0 with fewer than two. It is the
 * absolute difference, saturated: a timeline that jumped backwards (a new publisher with
 * time_jitter off) is a long span, so it cannot grow the queue without bound. */
int64_t sr_msg_queue_duration_ms(const sr_msg_queue_t *q);

/* Payload bytes held by queued packets (a lever for disconnecting a consumer whose queue
 * grows from data messages alone, which the duration bound does not limit). */
size_t sr_msg_queue_bytes(const sr_msg_queue_t *q);

/* A/V packets dropped (by shrinking or while waiting for a keyframe) since creation. */
uint64_t sr_msg_queue_dropped(const sr_msg_queue_t *q);

/* Shrink events since creation. */
uint64_t sr_msg_queue_shrinks(const sr_msg_queue_t *q);

/* Video is being dropped until the next keyframe. */
bool sr_msg_queue_is_waiting_keyframe(const sr_msg_queue_t *q);

SR_END_DECLS

#endif
