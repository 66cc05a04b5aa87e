/* SPDX-License-Identifier: MIT */
/*
 * sr_video_bridge.h: H.264 with B-frames -> H.264 without, on packets, for outputs
 * whose receivers cannot take B-frames (WebRTC). It wraps the kernel transcoder
 * (sr_video_transcode.h) and runs its codec work on the worker pool (sr_work.h), so
 * the event loop never waits for a codec; the calling coroutine does.
 *
 * Bounded: when SR_VIDEO_BRIDGE_MAX_INFLIGHT video jobs already wait on the pool (it
 * is behind: too many streams for its threads), an input frame is dropped and counted
 * instead of queued, and so is every frame up to the next keyframe (the pictures in
 * between would decode against a missing reference). A warning says so, at most once
 * per SR_VIDEO_BRIDGE_WARN_US.
 *
 * One bridge is used by one coroutine. Not for: deciding when to transcode, RTP.
 */
#ifndef SR_VIDEO_BRIDGE_H
#define SR_VIDEO_BRIDGE_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* Video jobs on the worker pool at once, across all bridges, before frames are dropped. */
#define SR_VIDEO_BRIDGE_MAX_INFLIGHT 4
/* The longest input frame taken. */
#define SR_VIDEO_BRIDGE_FRAME_MAX_BYTES (4 * 1024 * 1024)
#define SR_VIDEO_BRIDGE_WARN_US (10 * SR_UTIME_S)

typedef struct sr_video_bridge sr_video_bridge_t;

/* A bridge encoding at bitrate bit/s (0: from the picture size, sr_video_transcode.h). */
sr_video_bridge_t *sr_video_bridge_new(int bitrate);
/* Release b, its transcoder and what was not taken. NULL is ignored. Never yields. */
void sr_video_bridge_free(sr_video_bridge_t *b);

/* Take one H.264 packet (borrowed): a config frame opens a transcoder (unless it repeats
 * the current one), a frame is transcoded; take the output with sr_video_bridge_take
 * before the next feed. Other packets are ignored. Errors: the transcoder's (with
 * libav's text in the trail), for this packet only; -SR_EINTERRUPTED when the
 * coroutine was stopped (after the job finished). May yield. */
int sr_video_bridge_feed(sr_video_bridge_t *b, const sr_packet_t *pkt);
/* The next output packet into *out (the caller owns its reference): the config frame
 * first whenever it changed, then frames with pts == dts. False when none is left. */
bool sr_video_bridge_take(sr_video_bridge_t *b, sr_packet_t *out);
/* Make the next encoded picture a keyframe. Never yields. */
void sr_video_bridge_request_key(sr_video_bridge_t *b);

/* The encoder's name ("libx264", ...), "" before a picture opened it. Never yields. */
const char *sr_video_bridge_encoder(const sr_video_bridge_t *b);

typedef struct sr_video_bridge_stats {
    uint64_t frames_in;    /* frames handed to the transcoder */
    uint64_t frames_out;   /* frames taken */
    uint64_t dropped_busy; /* frames dropped because the pool was behind (and up to the next key) */
    uint64_t refused;      /* frames the transcoder refused */
    uint64_t busy_us;      /* time spent waiting for jobs */
} sr_video_bridge_stats_t;
void sr_video_bridge_stats(const sr_video_bridge_t *b, sr_video_bridge_stats_t *out);

SR_END_DECLS

#endif
