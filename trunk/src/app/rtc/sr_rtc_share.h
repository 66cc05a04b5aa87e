/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_share.h: a track of a stream made fit for WebRTC once per stream and shared by
 * all its WHEP players, so the codec work does not grow with the audience:
 *   - SR_RTC_SHARE_VIDEO: H.264 with B-frames re-encoded without them (sr_video_bridge.h);
 *   - SR_RTC_SHARE_AUDIO: AAC transcoded to Opus (sr_audio_bridge.h).
 * The first player that needs a share creates it: a coroutine with its own consumer on
 * the source (a sink, raw timestamps) feeds the bridge and keeps its output frames in a
 * ring; each player reads the ring through its own cursor and is woken through its
 * consumer when frames arrive. The last player to leave frees it. Players that read a
 * share keep the source's timestamps on their own consumer too (time_jitter off), so
 * the shared track stays in sync with what they send from that consumer.
 *
 * Video: a player that joins asks the encoder for a keyframe and starts there, so it
 * starts decoding within a frame or two (half a second when another asked just before);
 * a player's PLI asks for one too. Audio: a player starts where its own consumer is on
 * the timeline (sr_rtc_share_place), so its audio matches the cached GOP it is sent
 * first. A player that falls a ring behind skips ahead (video: to the next keyframe)
 * and counts the frames it missed.
 *
 * Not for: RTP, streams a player can take as they are (the zero-copy path sends them).
 */
#ifndef SR_RTC_SHARE_H
#define SR_RTC_SHARE_H

#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_source.h"

SR_BEGIN_DECLS

typedef enum sr_rtc_share_kind {
    SR_RTC_SHARE_VIDEO, /* H.264 without B-frames */
    SR_RTC_SHARE_AUDIO, /* AAC as Opus */
} sr_rtc_share_kind_t;

/* Frames kept for the readers: about 5 s of 25 fps video, 10 s of 20 ms Opus. */
#define SR_RTC_SHARE_VIDEO_RING 128
#define SR_RTC_SHARE_AUDIO_RING 512

typedef struct sr_rtc_share sr_rtc_share_t;

/* One player's place in a share. */
typedef struct sr_rtc_share_reader {
    sr_rtc_share_t *share;
    sr_consumer_t *wake; /* the player's consumer, posted SR_CONSUMER_EV_WAKEUP on new frames */
    uint64_t next;       /* ring sequence of the next frame to read */
    uint32_t config_gen; /* of the last config frame read */
    bool is_placed;      /* audio: false until sr_rtc_share_place */
    bool is_waiting_key; /* video: nothing before a keyframe */
    uint64_t skipped;    /* frames missed by falling behind */
    struct sr_rtc_share_reader *next_reader;
} sr_rtc_share_reader_t;

/* Join the share of src's track of that kind (created with the first reader: a
 * coroutine starts), bitrate in bit/s (0: the bridge's default; taken by the creator
 * only). r is the caller's storage and must stay until leave. Never yields. */
void sr_rtc_share_join(sr_rtc_share_reader_t *r, sr_source_t *src, sr_rtc_share_kind_t kind, sr_consumer_t *wake,
                       int bitrate);
/* Leave; the last reader stops the coroutine and frees the share. Not joined: nothing.
 * May yield. */
void sr_rtc_share_leave(sr_rtc_share_reader_t *r);
/* Whether r is in a share. */
bool sr_rtc_share_is_joined(const sr_rtc_share_reader_t *r);

/* Audio: start r at the frames from dts on (the source's timeline), or at the oldest
 * the ring holds when dts is older. Only the first call counts. Never yields. */
void sr_rtc_share_place(sr_rtc_share_reader_t *r, int64_t dts);
/* The next packet for r into *out (the caller owns its reference): the current config
 * frame whenever r has not had it, then frames (video: from a keyframe on). False when
 * none. Never yields. */
bool sr_rtc_share_fetch(sr_rtc_share_reader_t *r, sr_packet_t *out);

/* Video: ask the share's encoder for a keyframe (a player's PLI or FIR); requests closer
 * than half a second wait for the next. Audio: nothing. Never yields. */
void sr_rtc_share_request_key(sr_rtc_share_reader_t *r);

SR_END_DECLS

#endif
