/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_timeline.h: the RTP clocks of one sender's tracks (video, audio) put on one
 * millisecond timeline, as a publisher's frames need for the source. Each track's
 * 32-bit RTP time is unwrapped; until every track has had an RTCP sender report, a
 * track's time runs from its first packet's arrival; then all tracks follow the
 * sender's NTP clock (RFC 3550 6.4.1), shifted once so that the first track (the
 * reference, video when there is video) goes on without a jump. WHIP and RTSP
 * publishers and RTSP cameras use it. Pure arithmetic, no I/O.
 */
#ifndef SR_RTP_TIMELINE_H
#define SR_RTP_TIMELINE_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_RTP_TIMELINE_MAX_TRACKS 4

/* One track's RTP clock. Read-only for callers. */
typedef struct sr_rtp_clock {
    uint32_t clock_hz;
    bool has_first;
    uint32_t last_ts;
    int64_t ext_ts;   /* unwrapped RTP time of the last packet */
    int64_t first_ts; /* of the first packet */
    int64_t first_ms; /* where the first packet sits on the timeline */
    bool has_sr;
    int64_t sr_ts;     /* unwrapped RTP time in the last SR */
    int64_t sr_ntp_ms; /* its NTP time in ms */
} sr_rtp_clock_t;

typedef struct sr_rtp_timeline {
    sr_rtp_clock_t *tracks[SR_RTP_TIMELINE_MAX_TRACKS]; /* tracks[0] is the reference */
    size_t nb_tracks;
    bool has_ntp_offset;
    int64_t ntp_offset_ms;
} sr_rtp_timeline_t;

/* A clock of clock_hz (90000 video, the sample rate for audio; 0 is taken as 90000). */
void sr_rtp_clock_init(sr_rtp_clock_t *c, uint32_t clock_hz);
/* Zero t; add its tracks with sr_rtp_timeline_add, the reference first. */
void sr_rtp_timeline_init(sr_rtp_timeline_t *t);
/* Add c (borrowed for t's life); ignored beyond SR_RTP_TIMELINE_MAX_TRACKS. */
void sr_rtp_timeline_add(sr_rtp_timeline_t *t, sr_rtp_clock_t *c);
/* A packet with RTP time ts arrived at arrival_ms (the caller's monotonic ms): its
 * unwrapped time, which becomes the clock's latest. */
int64_t sr_rtp_clock_push(sr_rtp_clock_t *c, uint32_t ts, int64_t arrival_ms);
/* The unwrapped time of ts near the latest packet's, without moving the clock (a
 * depacketizer's frame time). */
int64_t sr_rtp_clock_ext(const sr_rtp_clock_t *c, uint32_t ts);
/* An RTCP SR for this track: RTP time rtp_ts was NTP time ntp (64-bit NTP format).
 * Ignored before the first packet. */
void sr_rtp_clock_on_sr(sr_rtp_clock_t *c, uint32_t rtp_ts, uint64_t ntp);
/* The timeline ms of unwrapped time ext of track c (one of t's). */
int64_t sr_rtp_timeline_ms(sr_rtp_timeline_t *t, const sr_rtp_clock_t *c, int64_t ext);

SR_END_DECLS

#endif
