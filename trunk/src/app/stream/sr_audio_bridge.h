/* SPDX-License-Identifier: MIT */
/*
 * sr_audio_bridge.h: AAC <-> Opus for an output or an ingest, on packets. It wraps the
 * kernel transcoder (sr_audio_transcode.h) and runs its codec work on the worker pool
 * (sr_work.h), so the event loop never waits for a codec; the calling coroutine does.
 * Packets in are AAC or Opus audio frames with their config frames, as any source
 * holds them; packets out are frames of the target codec made with
 * sr_packet_init_frame, the config frame first, with the input's timeline.
 *
 * Bounded: when SR_AUDIO_BRIDGE_MAX_INFLIGHT bridge jobs already wait on the pool (it
 * is behind: too many streams for its threads), an input frame is dropped and counted
 * instead of queued; the transcoder fills the hole with silence, so A/V sync holds.
 * Config frames are never dropped.
 *
 * One bridge is used by one coroutine. Not for: RTP, SDP, or choosing when to
 * transcode (the output that owns the bridge decides).
 */
#ifndef SR_AUDIO_BRIDGE_H
#define SR_AUDIO_BRIDGE_H

#include "sr_codec_id.h"
#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* Bridge jobs on the worker pool at once, across all bridges, before frames are dropped. */
#define SR_AUDIO_BRIDGE_MAX_INFLIGHT 8
/* The longest input frame taken (a 120 ms Opus packet is at most 61 KB, RFC 6716 3.2.5). */
#define SR_AUDIO_BRIDGE_FRAME_MAX_BYTES 65536

typedef struct sr_audio_bridge sr_audio_bridge_t;

/* A bridge to codec `to`, SR_CODEC_OPUS or SR_CODEC_AAC (else NULL), at bitrate bit/s (0:
 * SR_AUDIO_TRANSCODE_DEFAULT_BITRATE; checked when the first transcoder opens). */
sr_audio_bridge_t *sr_audio_bridge_new(sr_codec_id_t to, int bitrate);
/* Release b, its transcoder and the packets not taken. NULL is ignored. Never yields
 * (no job can be running: the only coroutine using b is the caller). */
void sr_audio_bridge_free(sr_audio_bridge_t *b);

/* Take one audio packet (borrowed, only read during the call), then take the packets
 * it produced with sr_audio_bridge_take before the next feed.
 *   - a config frame of the other codec opens a transcoder (on the pool) unless it
 *     repeats the current config; the output config frame follows when it changed;
 *   - a frame of the other codec is transcoded (Opus without any OpusHead first, as
 *     from RTP, opens a 48 kHz stereo transcoder; AAC before its config is dropped);
 *   - a packet already of the target codec, config or frame, passes through as is.
 * Errors: -SR_EINVAL for a packet that is not audio; -SR_EUNSUPPORTED for codecs other
 * than AAC and Opus; a transcoder's error (sr_audio_transcoder_new codes for a config,
 * -SR_EFORMAT for a frame the decoder refused, with libav's message in the trail),
 * after which the bridge takes the next packet as usual; -SR_EINTERRUPTED when the
 * coroutine was stopped (the job finished first). May yield. */
int sr_audio_bridge_feed(sr_audio_bridge_t *b, const sr_packet_t *pkt);
/* The next output packet into *out, whose reference the caller then owns. False when
 * there is none. Never yields. */
bool sr_audio_bridge_take(sr_audio_bridge_t *b, sr_packet_t *out);

typedef struct sr_audio_bridge_stats {
    uint64_t frames_in;         /* frames handed to the transcoder */
    uint64_t frames_out;        /* transcoded frames taken */
    uint64_t dropped_busy;      /* frames dropped because the pool was behind */
    uint64_t dropped_no_config; /* AAC frames before any config */
    uint64_t refused;           /* frames the decoder refused */
} sr_audio_bridge_stats_t;
void sr_audio_bridge_stats(const sr_audio_bridge_t *b, sr_audio_bridge_stats_t *out);

SR_END_DECLS

#endif
