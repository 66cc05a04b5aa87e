/* SPDX-License-Identifier: MIT */
/*
 * sr_gop_cache.h: a source's GOP cache (`play { gop_cache on; gop_cache_max_frames 2500; }`).
 * It holds copies of the A/V packets since the last video keyframe, each with its own
 * payload reference, so a new player is dumped a GOP that starts on a keyframe and can
 * decode at once. For a stream with no video so far it holds the most recent audio.
 *
 * Invariant: the cache is empty, or starts with a video keyframe, or holds only audio.
 * It never holds sequence headers or metadata: the source caches those separately and
 * sends them before the dump. Not for: queueing for consumers (sr_packet_ring), timestamp
 * correction (sr_jitter). Pure data structure: no I/O, never yields.
 */
#ifndef SR_GOP_CACHE_H
#define SR_GOP_CACHE_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* SRS's default gop_cache_max_frames. */
#define SR_GOP_CACHE_DEFAULT_MAX_FRAMES 2500

typedef struct sr_gop_cache sr_gop_cache_t;

/* New empty cache; the caller owns it and frees it with sr_gop_cache_free. Never NULL.
 * max_frames bounds the packets held: a video GOP that grows past it is discarded; an
 * audio-only cache drops its oldest packet instead. max_frames <= 0 means no bound for
 * video GOPs (SRS) and SR_GOP_CACHE_DEFAULT_MAX_FRAMES for audio-only caches, which
 * would otherwise grow forever. */
sr_gop_cache_t *sr_gop_cache_new(bool enabled, int max_frames);

/* Release every cached payload reference and the cache. NULL is ignored. */
void sr_gop_cache_free(sr_gop_cache_t *c);

/* Turn caching on or off (config reload). Turning it off clears the cache; turning it on
 * starts caching at the next video keyframe (or at once for an audio-only stream). */
void sr_gop_cache_set_enabled(sr_gop_cache_t *c, bool enabled);
bool sr_gop_cache_is_enabled(const sr_gop_cache_t *c);

/* Change the bound (config reload); applies from the next add. Same meaning as in _new. */
void sr_gop_cache_set_max_frames(sr_gop_cache_t *c, int max_frames);

/* Offer one packet published by the source. pkt is borrowed: when it is cached, the
 * cache stores a copy holding its own payload reference; the caller keeps its own.
 *   - sequence headers and data messages: ignored (a video one marks the stream as video)
 *   - video keyframe: clears the cache and starts a new GOP with it
 *   - video inter frame / audio: appended to the current GOP; dropped while there is no
 *     GOP (video seen but no keyframe yet, or after an overflow)
 *   - audio while no video was ever seen: appended, oldest dropped beyond max_frames
 *   - a GOP beyond max_frames is cleared and counted; caching resumes at the next keyframe
 * Does nothing when disabled. */
void sr_gop_cache_add(sr_gop_cache_t *c, const sr_packet_t *pkt);

/* Packets cached now. */
size_t sr_gop_cache_count(const sr_gop_cache_t *c);

/* The i-th cached packet, oldest first; NULL when i >= count. Borrowed: valid until the
 * next add, clear, set_* or free. To keep it, sr_packet_copy it (that takes a payload
 * reference). */
const sr_packet_t *sr_gop_cache_at(const sr_gop_cache_t *c, size_t i);

/* Release every cached packet and forget what the stream carried (for a new publisher):
 * caching restarts at the next video keyframe, or with audio while no video is seen. */
void sr_gop_cache_clear(sr_gop_cache_t *c);

/* Newest cached dts minus oldest cached dts in ms; 0 with fewer than two packets, or when
 * that is negative or does not fit (publisher timestamps, not yet jitter-corrected). */
int64_t sr_gop_cache_duration_ms(const sr_gop_cache_t *c);

/* The oldest cached packet is a video keyframe. */
bool sr_gop_cache_starts_with_keyframe(const sr_gop_cache_t *c);

/* GOPs discarded because they outgrew max_frames, since creation. */
uint64_t sr_gop_cache_overflows(const sr_gop_cache_t *c);

SR_END_DECLS

#endif
