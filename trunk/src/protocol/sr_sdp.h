/* SPDX-License-Identifier: MIT */
/*
 * sr_sdp.h: the SDP of WebRTC offers and answers as WHIP and WHEP exchange them (RFC
 * 8866 SDP, the JSEP subset of RFC 8829, BUNDLE RFC 8843, rtcp-mux RFC 5761, ICE
 * attributes RFC 8839, DTLS fingerprint RFC 8122 and setup RFC 4145, extmap RFC 8285,
 * ssrc RFC 5576, msid RFC 8830). Parse an offer from a browser, OBS, ffmpeg, aiortc or
 * GStreamer into an sr_sdp_t; fill another sr_sdp_t and write it as the answer. No
 * offer/answer policy here: picking codecs, directions and candidates is the caller's.
 *
 * Storage: sr_sdp_t is one plain value with fixed arrays (limits below), every string
 * copied and NUL-terminated; it points into nothing, so the text may be freed after
 * parsing. It is large (sizeof(sr_sdp_t) is about 240 KiB): allocate it once
 * (sr_malloc), never on a coroutine stack. No allocation, no I/O, no logging, no error
 * trail in this module.
 *
 * Limits: more than SR_SDP_MAX_MEDIA m= sections are refused (an answer must have as
 * many m= lines as the offer). Identifiers that an answer echoes or that ICE and DTLS
 * compare (mid, BUNDLE mids, ice-ufrag, ice-pwd, fingerprint, o= fields, media kind
 * and proto) are refused when longer than their field. Lists (payload types, codecs,
 * extmaps, candidates, ssrcs, ssrc groups) keep their first entries up to the limit;
 * an entry whose text does not fit (fmtp, URI, cname, candidate) is dropped. Dropping
 * sets is_truncated. Lines this module does not know are ignored, and so are known
 * lines it cannot read (a=rtpmap:x): offers from real clients carry many of both.
 * A single-valued attribute (mid, ice-ufrag, setup, an rtpmap of one payload type...)
 * that appears twice: the first counts.
 */
#ifndef SR_SDP_H
#define SR_SDP_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_SDP_MAX_MEDIA 8         /* m= sections */
#define SR_SDP_MAX_PTS 64          /* payload types on one m= line */
#define SR_SDP_MAX_CODECS 48       /* rtpmap entries of one m= section (Chrome offers ~35 for video) */
#define SR_SDP_MAX_EXTMAPS 24      /* a=extmap of one m= section */
#define SR_SDP_MAX_CANDIDATES 16   /* a=candidate of one m= section */
#define SR_SDP_MAX_SSRCS 8         /* distinct a=ssrc ids of one m= section */
#define SR_SDP_MAX_SSRC_GROUPS 4   /* a=ssrc-group of one m= section */
#define SR_SDP_MAX_GROUP_SSRCS 4   /* ssrcs of one a=ssrc-group */
#define SR_SDP_TOKEN_MAX 64        /* most names: 63 bytes and the NUL */
#define SR_SDP_MID_MAX 32          /* a=mid and BUNDLE mids: 31 bytes */
#define SR_SDP_ICE_MAX 257         /* ice-ufrag, ice-pwd: 256 characters (RFC 8839 5.4) */
#define SR_SDP_FINGERPRINT_MAX 192 /* "AB:CD:..." of SHA-512: 64 * 3 - 1 characters */
#define SR_SDP_FMTP_MAX 384        /* a=fmtp parameters of one payload type */
#define SR_SDP_URI_MAX 128         /* a=extmap URI */
#define SR_SDP_EXTENSION_MAX 128   /* a candidate's attributes after "typ TYPE" */
#define SR_SDP_CONTROL_MAX 256     /* a=control (RTSP, RFC 2326 C.1.1) */

/* a=sendrecv and the others; NONE when a section says nothing (RFC 8866 6.7). */
typedef enum sr_sdp_direction {
    SR_SDP_DIR_NONE = 0,
    SR_SDP_DIR_SENDRECV,
    SR_SDP_DIR_SENDONLY,
    SR_SDP_DIR_RECVONLY,
    SR_SDP_DIR_INACTIVE,
} sr_sdp_direction_t;

/* a=setup, the DTLS role (RFC 4145 4, RFC 8842 5). */
typedef enum sr_sdp_setup {
    SR_SDP_SETUP_NONE = 0,
    SR_SDP_SETUP_ACTPASS,
    SR_SDP_SETUP_ACTIVE,
    SR_SDP_SETUP_PASSIVE,
    SR_SDP_SETUP_HOLDCONN,
} sr_sdp_setup_t;

/* The media token of an m= line. */
typedef enum sr_sdp_kind {
    SR_SDP_KIND_OTHER = 0, /* the token is in kind_name */
    SR_SDP_KIND_AUDIO,
    SR_SDP_KIND_VIDEO,
    SR_SDP_KIND_APPLICATION,
} sr_sdp_kind_t;

/* a=rtcp-fb values kept, as bits of sr_sdp_codec_t.rtcp_fb (RFC 4585, 5104). */
enum {
    SR_SDP_FB_NACK = 1 << 0,         /* nack */
    SR_SDP_FB_NACK_PLI = 1 << 1,     /* nack pli */
    SR_SDP_FB_CCM_FIR = 1 << 2,      /* ccm fir */
    SR_SDP_FB_GOOG_REMB = 1 << 3,    /* goog-remb */
    SR_SDP_FB_TRANSPORT_CC = 1 << 4, /* transport-cc */
};

/* ICE credentials and DTLS parameters of the session or of one m= section. An empty
 * string or NONE means "not given at this level". */
typedef struct sr_sdp_transport {
    char ice_ufrag[SR_SDP_ICE_MAX];
    char ice_pwd[SR_SDP_ICE_MAX];
    char fingerprint_alg[16];                 /* "sha-256" */
    char fingerprint[SR_SDP_FINGERPRINT_MAX]; /* hex pairs and colons as written */
    sr_sdp_setup_t setup;
} sr_sdp_transport_t;

/* One payload type with its a=rtpmap, a=fmtp and a=rtcp-fb. */
typedef struct sr_sdp_codec {
    uint8_t pt;                 /* 0..127 */
    uint8_t channels;           /* rtpmap encoding parameters; 0 when absent */
    uint8_t rtcp_fb;            /* SR_SDP_FB_* bits */
    uint32_t clock_rate;        /* Hz */
    char name[32];              /* encoding name as written: "opus", "H264", "rtx" */
    char fmtp[SR_SDP_FMTP_MAX]; /* text after "a=fmtp:PT ", "" when none */
    bool _bad;                  /* parse scratch: dropped at the end of the section */
} sr_sdp_codec_t;

/* a=extmap:ID[/DIRECTION] URI (extension attributes are not kept). */
typedef struct sr_sdp_extmap {
    uint16_t id;
    sr_sdp_direction_t direction; /* NONE when not given */
    char uri[SR_SDP_URI_MAX];
} sr_sdp_extmap_t;

/* a=candidate (RFC 8839 5.1). */
typedef struct sr_sdp_candidate {
    char foundation[33];
    uint16_t component; /* 1 RTP, 2 RTCP */
    char transport[8];  /* "udp", "UDP", "tcp" as written */
    uint32_t priority;
    char address[SR_SDP_TOKEN_MAX]; /* IP address or mDNS name */
    uint16_t port;
    char type[8];                         /* "host", "srflx", "prflx", "relay" */
    char extension[SR_SDP_EXTENSION_MAX]; /* "raddr ... rport ... generation 0", "" */
} sr_sdp_candidate_t;

/* a=ssrc:N cname:X and a=ssrc:N msid:STREAM TRACK of one ssrc. */
typedef struct sr_sdp_ssrc {
    uint32_t ssrc;
    char cname[SR_SDP_TOKEN_MAX];
    char msid_stream[SR_SDP_TOKEN_MAX]; /* "" when no msid */
    char msid_track[SR_SDP_TOKEN_MAX];
} sr_sdp_ssrc_t;

/* a=ssrc-group:SEMANTICS SSRC... ("FID primary rtx", "SIM a b c"). */
typedef struct sr_sdp_ssrc_group {
    char semantics[16];
    uint8_t nb_ssrcs;
    uint32_t ssrcs[SR_SDP_MAX_GROUP_SSRCS];
} sr_sdp_ssrc_group_t;

/* One m= section. */
typedef struct sr_sdp_media {
    sr_sdp_kind_t kind;
    char kind_name[16]; /* the token when kind is SR_SDP_KIND_OTHER, else "" */
    uint16_t port;      /* 9 in JSEP offers; 0 rejects the section in an answer */
    char proto[32];     /* "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP" */
    uint8_t nb_pts;     /* RTP protos: the payload types in m= order (preference) */
    uint8_t pts[SR_SDP_MAX_PTS];
    char fmt[32]; /* other protos: the format text, e.g. "webrtc-datachannel"; else "" */
    char mid[SR_SDP_MID_MAX];
    char control[SR_SDP_CONTROL_MAX]; /* a=control: the RTSP track URL, relative or absolute */
    sr_sdp_direction_t direction;
    bool rtcp_mux, rtcp_mux_only, rtcp_rsize, extmap_allow_mixed, end_of_candidates;
    sr_sdp_transport_t transport;       /* this section's; see sr_sdp_transport_resolve */
    char msid_stream[SR_SDP_TOKEN_MAX]; /* a=msid:STREAM TRACK; "" when none */
    char msid_track[SR_SDP_TOKEN_MAX];
    uint8_t rtcp_fb_all; /* a=rtcp-fb:* values, SR_SDP_FB_* bits */
    uint8_t nb_codecs;   /* in m= order; only payload types with an rtpmap */
    sr_sdp_codec_t codecs[SR_SDP_MAX_CODECS];
    uint8_t nb_extmaps;
    sr_sdp_extmap_t extmaps[SR_SDP_MAX_EXTMAPS];
    uint8_t nb_candidates;
    sr_sdp_candidate_t candidates[SR_SDP_MAX_CANDIDATES];
    uint8_t nb_ssrcs; /* in order of first appearance */
    sr_sdp_ssrc_t ssrcs[SR_SDP_MAX_SSRCS];
    uint8_t nb_ssrc_groups;
    sr_sdp_ssrc_group_t ssrc_groups[SR_SDP_MAX_SSRC_GROUPS];
    uint16_t sctp_port;        /* a=sctp-port (RFC 8841), 0 when absent */
    uint32_t max_message_size; /* a=max-message-size, 0 when absent */
} sr_sdp_media_t;

/* A session description. Zero it (memset) before filling one to write. */
typedef struct sr_sdp {
    /* o=USERNAME SESS-ID SESS-VERSION IN ADDRTYPE ADDRESS; the writer puts "-", "0",
     * "0", "IP4", "0.0.0.0" for empty fields */
    char origin_username[SR_SDP_TOKEN_MAX];
    char origin_sess_id[32];
    char origin_sess_version[32];
    char origin_addrtype[8];
    char origin_address[SR_SDP_TOKEN_MAX];
    bool ice_lite;                        /* a=ice-lite */
    bool extmap_allow_mixed;              /* a=extmap-allow-mixed at session level */
    char msid_semantic[SR_SDP_TOKEN_MAX]; /* a=msid-semantic value, "WMS" or "WMS *" */
    sr_sdp_direction_t direction;         /* session-level default for the sections */
    sr_sdp_transport_t transport;         /* session-level ICE and DTLS attributes */
    uint8_t nb_bundle;                    /* a=group:BUNDLE mids, in order */
    char bundle[SR_SDP_MAX_MEDIA][SR_SDP_MID_MAX];
    bool is_truncated; /* parse dropped entries over a limit; not written */
    uint8_t nb_media;
    sr_sdp_media_t media[SR_SDP_MAX_MEDIA];
} sr_sdp_t;

/* ==== parse and write (sr_sdp.c, sr_sdp_write.c) ==== */

/* Parse the session description text[0..len) (only read during the call; lines end in
 * CRLF or LF) into *out, which is zeroed first. Errors: -SR_EFORMAT when the first line
 * is not v=0, there is no o= line with six fields, the text holds a NUL byte, an m=
 * line lacks its port or proto, or an identifier is longer than its field (see the top
 * of this header); -SR_EUNSUPPORTED for more than SR_SDP_MAX_MEDIA m= sections. *out is
 * unspecified on error. */
int sr_sdp_parse(const char *text, size_t len, sr_sdp_t *out);

/* Write *sdp as text into out[0..cap), NUL-terminated, and set *len (without the NUL):
 * v=0, o=, s=-, t=0 0, the session attributes, then each m= section with c=IN IP4
 * 0.0.0.0 and its attributes, lines ending in CRLF. Writes what the struct holds and
 * nothing else (empty strings, NONE and zero values are left out), so what
 * sr_sdp_parse gives back writes and parses again to the same struct (is_truncated
 * aside). -SR_EOVERFLOW when cap is too small (out then unspecified); -SR_EINVAL for
 * a field that holds a line break, counts over the limits, or kind OTHER without a
 * kind_name. */
int sr_sdp_write(const sr_sdp_t *sdp, char *out, size_t cap, size_t *len);

/* ==== helpers (sr_sdp_write.c) ==== */

/* Names as written in SDP: "sendonly", "actpass", "video"; "" for NONE and OTHER. */
const char *sr_sdp_direction_name(sr_sdp_direction_t d);
const char *sr_sdp_setup_name(sr_sdp_setup_t s);
const char *sr_sdp_kind_name(sr_sdp_kind_t k);

/* The direction that applies to m: its own, else the session's, else sendrecv. */
sr_sdp_direction_t sr_sdp_media_direction(const sr_sdp_t *sdp, const sr_sdp_media_t *m);
/* The answer's direction for an offered one (RFC 8829 5.3.1): sendonly <-> recvonly;
 * the others (NONE becomes sendrecv) unchanged. */
sr_sdp_direction_t sr_sdp_direction_reverse(sr_sdp_direction_t d);

/* Into *out the ICE and DTLS attributes that apply to media m of sdp: the ufrag, pwd,
 * fingerprint (algorithm and value together) and setup of m where m gives them, else
 * the session's (RFC 8839 5.4, RFC 8122 5). */
void sr_sdp_transport_resolve(const sr_sdp_t *sdp, const sr_sdp_media_t *m, sr_sdp_transport_t *out);

/* The m= section with this mid, or NULL (also for an empty mid). */
const sr_sdp_media_t *sr_sdp_media_by_mid(const sr_sdp_t *sdp, const char *mid);

/* The next codec of m named name (case-insensitive, e.g. "H264") after *after (NULL:
 * from the first), in preference order; NULL when there is no more. Returns a pointer
 * into m. */
const sr_sdp_codec_t *sr_sdp_codec_find(const sr_sdp_media_t *m, const char *name, const sr_sdp_codec_t *after);
/* The codec of m with payload type pt, or NULL. */
const sr_sdp_codec_t *sr_sdp_codec_by_pt(const sr_sdp_media_t *m, uint8_t pt);
/* The rtx codec of m that repairs payload type pt (its fmtp says apt=pt, RFC 4588 8.6),
 * or NULL. */
const sr_sdp_codec_t *sr_sdp_codec_rtx(const sr_sdp_media_t *m, uint8_t pt);

/* The H.264 fmtp parameters of RFC 6184 8.1 that select a stream. */
typedef struct sr_sdp_h264 {
    uint32_t profile_level_id;  /* 0x42e01f: profile_idc, constraint flags, level_idc */
    bool has_profile_level_id;  /* false: 0x42000a, Baseline level 1.0, was inferred */
    uint8_t packetization_mode; /* 0 (the default), 1 non-interleaved, 2 interleaved */
    bool level_asymmetry_allowed;
} sr_sdp_h264_t;

/* Read c's fmtp as H.264 parameters into *out (absent ones take their RFC defaults).
 * -SR_EFORMAT for a profile-level-id that is not six hex digits, a packetization-mode
 * other than 0..2, or a level-asymmetry-allowed other than 0 or 1. */
int sr_sdp_h264_params(const sr_sdp_codec_t *c, sr_sdp_h264_t *out);

/* Decode a fingerprint value "AB:CD:..." (RFC 8122 5) into out[0..cap) and set *len:
 * the digest to compare with the peer certificate's. -SR_EFORMAT for anything but
 * colon-separated pairs of hex digits; -SR_EOVERFLOW when cap is too small. */
int sr_sdp_fingerprint_decode(const char *value, uint8_t *out, size_t cap, size_t *len);

SR_END_DECLS

#endif
