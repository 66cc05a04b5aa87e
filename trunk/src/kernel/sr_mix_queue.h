/* SPDX-License-Identifier: MIT */
/*
 * sr_mix_queue.h: `play { mix_correct on; }`: puts a publisher's audio and video back
 * into one dts order before the source fans them out, for encoders that send one
 * track late (RTMP 3 asks for an interleaved, increasing timeline; players and muxers
 * misbehave without it). A packet waits until a packet of the other track with a
 * later dts arrives (or, for a stream that has only one track, until a few of its own
 * are queued), then the oldest goes out. Ties keep arrival order, so a sequence header
 * stays before the frames it describes. Pure data structure: no I/O, never yields.
 */
#ifndef SR_MIX_QUEUE_H
#define SR_MIX_QUEUE_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* A track with no packets of the other queued goes out once this many are queued
 * (an audio-only or video-only stream is delayed by this much, no more). */
#define SR_MIX_QUEUE_SINGLE_TRACK 10
/* Held at most: past this the oldest goes out whatever the other track does. */
#define SR_MIX_QUEUE_MAX 128

typedef struct sr_mix_queue sr_mix_queue_t;

/* New empty queue; free with sr_mix_queue_free. Never NULL. */
sr_mix_queue_t *sr_mix_queue_new(void);
/* Release the queued packets' references and the queue. NULL ok. */
void sr_mix_queue_free(sr_mix_queue_t *q);
/* Both tracks are known to exist (a TS PMT announced them): a packet then waits for
 * the other track however many of its own are queued, up to SR_MIX_QUEUE_MAX. For
 * muxers that send one track in late bursts (ffmpeg's MPEG-TS packs up to 0.7 s of
 * audio in one PES). */
void sr_mix_queue_expect_both(sr_mix_queue_t *q, bool is_both);
/* Queue an audio or video packet (borrowed: the queue takes its own reference). */
void sr_mix_queue_push(sr_mix_queue_t *q, const sr_packet_t *pkt);
/* Move the next packet that may go out into out (the caller owns its reference).
 * Returns false when everything queued must still wait. */
bool sr_mix_queue_pop(sr_mix_queue_t *q, sr_packet_t *out);
/* Move the oldest packet out whatever waits (the publisher left). false when empty. */
bool sr_mix_queue_flush_one(sr_mix_queue_t *q, sr_packet_t *out);
size_t sr_mix_queue_count(const sr_mix_queue_t *q);

SR_END_DECLS

#endif
