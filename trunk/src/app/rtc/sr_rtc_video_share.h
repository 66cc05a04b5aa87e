/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_video_share.h: the video of a stream with B-frames, made fit for WebRTC once
 * per stream and shared by all its WHEP players. The first player that needs it
 * creates the share: a coroutine with its own consumer on the source (a sink, raw
 * timestamps) feeds the video bridge (sr_video_bridge.h) and keeps the re-encoded
 * frames in a ring; each player reads the ring through its own cursor and is woken
 * through its consumer when frames arrive. The last player to leave frees it.
 *
 * A player that joins asks the encoder for a keyframe and starts there, so it starts
 * decoding within a frame or two (half a second when another asked just before); a
 * player's PLI asks for one too. A player that falls a ring behind skips
 * to the next keyframe and counts the frames it missed.
 *
 * Not for: RTP, audio (players take that from their own consumer, with
 * time_jitter off so both have the source's timeline), streams without B-frames
 * (the zero-copy path sends them as they are).
 */
#ifndef SR_RTC_VIDEO_SHARE_H
#define SR_RTC_VIDEO_SHARE_H

#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_source.h"

SR_BEGIN_DECLS

/* Encoded frames kept for the readers: a few seconds at 25 fps. */
#define SR_RTC_VIDEO_SHARE_RING 128

typedef struct sr_rtc_video_share sr_rtc_video_share_t;

/* One player's place in a share. */
typedef struct sr_rtc_video_reader {
    sr_rtc_video_share_t *share;
    sr_consumer_t *wake; /* the player's consumer, posted SR_CONSUMER_EV_WAKEUP on new frames */
    uint64_t next;       /* ring sequence of the next frame to read */
    uint32_t config_gen; /* of the last config frame read */
    bool is_waiting_key;
    uint64_t skipped; /* frames missed by falling behind */
    struct sr_rtc_video_reader *next_reader;
} sr_rtc_video_reader_t;

/* Join the share of src's video (created with the first reader: a coroutine starts),
 * bitrate in bit/s (0: from the picture size; taken by the creator only). r is the
 * caller's storage and must stay until leave. Never yields. */
void sr_rtc_video_share_join(sr_rtc_video_reader_t *r, sr_source_t *src, sr_consumer_t *wake, int bitrate);
/* Leave; the last reader stops the coroutine and frees the share. May yield. */
void sr_rtc_video_share_leave(sr_rtc_video_reader_t *r);
/* The next packet for r into *out (the caller owns its reference): the current config
 * frame whenever r has not had it, then frames from a keyframe on. False when none. */
bool sr_rtc_video_share_fetch(sr_rtc_video_reader_t *r, sr_packet_t *out);

/* Ask the share's encoder for a keyframe (a player's PLI or FIR); requests closer than
 * half a second wait for the next. Never yields. */
void sr_rtc_video_share_request_key(sr_rtc_video_reader_t *r);

SR_END_DECLS

#endif
