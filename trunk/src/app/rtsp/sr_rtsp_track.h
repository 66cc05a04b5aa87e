/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_track.h: one media track of an RTSP session (an m= section): what it
 * carries, how it is set up, and the SDP that describes it both ways: parsed from a
 * publisher's ANNOUNCE (or a camera's DESCRIBE answer), and written for a player's
 * DESCRIBE from the stream's codec configs.
 */
#ifndef SR_RTSP_TRACK_H
#define SR_RTSP_TRACK_H

#include "sr_bytes.h"
#include "sr_codec_id.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_rtsp_head.h"
#include "sr_sdp.h"
#include "sr_st.h"

SR_BEGIN_DECLS

#define SR_RTSP_MAX_TRACKS 4
#define SR_RTSP_CONFIG_MAX 2048 /* a codec config record from SDP */

typedef struct sr_rtsp_track {
    sr_codec_id_t codec; /* SR_CODEC_NONE: a track we do not carry (set up, then ignored) */
    bool is_video;
    bool is_latm; /* AAC as MP4A-LATM (RFC 6416) rather than mpeg4-generic (RFC 3640) */
    uint8_t pt;
    uint32_t clock;
    uint8_t channels;
    char control[SR_SDP_CONTROL_MAX];
    char fmtp[SR_SDP_FMTP_MAX];
    uint8_t config[SR_RTSP_CONFIG_MAX]; /* the canonical config from SDP, if it had one */
    size_t config_size;
    /* SETUP */
    bool is_setup;
    sr_rtsp_transport_t transport;
    sr_udp_peer_t rtp_peer, rtcp_peer; /* UDP: where the client's RTP and RTCP are */
} sr_rtsp_track_t;

/* The tracks of an SDP text[0..len) (ANNOUNCE body, DESCRIBE answer): each audio or
 * video m= section in order, with the first codec we carry (H.264, H.265, AAC as
 * mpeg4-generic or MP4A-LATM, Opus, G.711) and its config from the fmtp; a section with
 * none is kept with SR_CODEC_NONE so the client's SETUPs still match. Sections without
 * a=control get "trackID=N". -SR_EFORMAT for SDP that does not parse or has no track. */
int sr_rtsp_sdp_parse(const char *text, size_t len, sr_rtsp_track_t *tracks, size_t max, size_t *n);

/* The tracks and SDP (into sdp, reset first) a player's DESCRIBE is answered with, from
 * the stream's sequence headers (either may be NULL): H.264 or H.265 video, AAC or
 * Opus audio, controls "trackID=0", "trackID=1". -SR_ENOT_FOUND when neither gives a
 * track we can send. */
int sr_rtsp_sdp_describe(const sr_packet_t *video_sh, const sr_packet_t *audio_sh, sr_rtsp_track_t *tracks, size_t max,
                         size_t *n, sr_buf_t *sdp);

/* The index of the track a SETUP url[0..len) names: the one whose control it ends
 * with (a relative control after a '/', or the whole absolute URL), else the URL's
 * trackID=/streamid= number; -1 when none. */
int sr_rtsp_track_find(const sr_rtsp_track_t *tracks, size_t n, const char *url, size_t len);

SR_END_DECLS

#endif
