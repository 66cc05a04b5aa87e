/* SPDX-License-Identifier: MIT */
/*
 * sr_jitter.h: per-consumer timestamp correction, the `play { time_jitter full|zero|off; }`
 * directive of SRS. One sr_jitter_t holds one timeline shared by audio and video (as SRS
 * does), so A/V interleaving is preserved. It only computes a corrected dts; the caller
 * applies it and shifts pts by the same amount.
 *
 * Strand's rule on top of SRS: under `full` and `zero` the delivered A/V dts never goes
 * backwards, because players (flv.js, Flash, ffmpeg's flv demuxer) misbehave when it does.
 * Data messages (metadata) get dts 0, as SRS sends them: ffmpeg's FLV demuxer skips a
 * script tag at 0 but turns one at any other time (a republish's onMetaData) into a new
 * subtitle stream, and no player times anything by it.
 *
 * Not for: A/V sync repair, atc, mix_correct (ordering), or RTP timestamp mapping.
 */
#ifndef SR_JITTER_H
#define SR_JITTER_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* Values match SRS's SrsRtmpJitterAlgorithm. */
typedef enum sr_jitter_algo {
    SR_JITTER_FULL = 1, /* rebuild the timeline: starts at 0, jumps become a nominal 10 ms step */
    SR_JITTER_ZERO = 2, /* subtract the first A/V dts so the timeline starts at 0 */
    SR_JITTER_OFF = 3,  /* timestamps untouched */
} sr_jitter_algo_t;

/* A jump in the input of more than this (either way) is not trusted under `full`. */
#define SR_JITTER_MAX_DELTA_MS 250
/* The step used instead of an untrusted delta. */
#define SR_JITTER_DEFAULT_DELTA_MS 10

/* Transparent value type in caller storage; nothing to release. */
typedef struct sr_jitter {
    sr_jitter_algo_t algo;
    bool _started;      /* an A/V packet has been seen */
    int64_t _base;      /* zero: dts of the first A/V packet */
    int64_t _last_in;   /* full: dts of the last A/V input */
    int64_t _unclamped; /* full: timeline before the never-backwards clamp */
    int64_t _last_out;  /* last delivered dts, >= 0, never decreasing (full/zero) */
    bool _is_restart;   /* a new publisher: the next A/V packet continues the timeline */
} sr_jitter_t;

/* Reset j to a fresh timeline using algo. j is caller storage; no deinit needed.
 * Call again to restart the timeline (e.g. when the publisher changes). */
void sr_jitter_init(sr_jitter_t *j, sr_jitter_algo_t algo);

/* A new publisher took over the stream (a reconnecting encoder): its first A/V packet,
 * whatever its dts, comes SR_JITTER_DEFAULT_DELTA_MS after the last output, and the
 * timeline follows its deltas from there (full and zero). Without this, zero would hold
 * every packet of a publisher that restarts at 0 at the old stream's last dts. No effect
 * on off, or before the first A/V packet. */
void sr_jitter_restart(sr_jitter_t *j);

/* The corrected dts for pkt (borrowed, not modified) and advance the timeline.
 * off:  pkt->dts.
 * zero: A/V dts minus the first A/V dts, clamped to the last output (never below it).
 * full: the first A/V packet is 0; then last output + (dts - last input dts), where a
 *       delta outside +-250 ms (a jump, a wrap, a restart) counts as 10 ms; clamped so
 *       the output never decreases. A reordered packet (audio a few ms behind video) is
 *       held at the last output without shifting later packets (no drift); input that
 *       falls more than 250 ms behind in total is a jump too.
 * zero/full, data messages: 0, timeline unchanged.
 * Any int64 input is safe (no overflow). */
int64_t sr_jitter_correct(sr_jitter_t *j, const sr_packet_t *pkt);

/* "full", "zero" or "off" (config values) to the algorithm; -1 for NULL or anything else. */
int sr_jitter_algo_parse(const char *name);

/* "full", "zero", "off", or "unknown": static storage, for logs and the HTTP API. */
const char *sr_jitter_algo_name(sr_jitter_algo_t algo);

SR_END_DECLS

#endif
