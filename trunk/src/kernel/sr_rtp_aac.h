/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_aac.h: AAC over RTP as RFC 3640 mpeg4-generic describes it, the form ffmpeg,
 * GStreamer and cameras use: each payload is an AU-headers section (its length in
 * bits, then one AU-header per access unit: size and index) and the AUs. The
 * canonical AAC frame is one raw access unit (no ADTS), its config the
 * AudioSpecificConfig (SDP config=, sr_codec_fmtp_config).
 *   packetizer:   one AU per payload (mode AAC-hbr: sizelength 13, indexlength 3,
 *                 indexdeltalength 3); an AU over max_payload is fragmented, each
 *                 fragment carrying the AU-header with the whole AU's size (RFC 3640
 *                 3.2.3), the marker on the last;
 *   depacketizer: payloads in sequence order (the caller reorders) into AUs, with the
 *                 sizes from the SDP's fmtp (AAC-hbr 13/3/3, AAC-lbr 6/2/2, ...);
 *                 the AUs of one packet get consecutive timestamps (the packet's RTP
 *                 time, then + samples per frame); a fragmented AU is put back
 *                 together, and dropped when a loss broke it.
 * And MP4A-LATM (RFC 6416) with cpresent=0, the other form cameras and ffmpeg
 * (-rtpflags latm) send: the SDP's config is a StreamMuxConfig, each payload one or
 * more AudioMuxElements (PayloadLengthInfo, then the AU), an element may span packets.
 * Not here: LATM with in-band config (cpresent=1), several programs or layers,
 * interleaving (AU-Index-delta != 0 is dropped), CTS/DTS deltas, the auxiliary
 * section. Caller buffers; no logging, no error trail.
 */
#ifndef SR_RTP_AAC_H
#define SR_RTP_AAC_H

#include "sr_core.h"
#include "sr_rtp.h"

SR_BEGIN_DECLS

#define SR_RTP_AAC_MAX_AU 8192    /* bytes: the largest AU 13 size bits can say is 8191 */
#define SR_RTP_AAC_HEADER_BYTES 4 /* AU-headers-length and one AAC-hbr AU-header */

/* Packetize one AU au[0..size) (at most SR_RTP_AAC_MAX_AU - 1 bytes) into out, payloads
 * at most max_payload bytes (> SR_RTP_AAC_HEADER_BYTES). -SR_EINVAL for a size or
 * max_payload out of range; -SR_EOVERFLOW as sr_rtp_h264_packetize (grow with
 * sr_rtp_payloads_grow and call again). */
int sr_rtp_aac_packetize(const uint8_t *au, size_t size, size_t max_payload, sr_rtp_payloads_t *out);

/* The AU-header layout of a stream, from its SDP fmtp. */
typedef struct sr_rtp_aac_format {
    uint8_t size_length;        /* bits of AU-size: 13 (hbr), 6 (lbr) */
    uint8_t index_length;       /* bits of AU-Index: 3, 2 */
    uint8_t index_delta_length; /* bits of AU-Index-delta: 3, 2 */
} sr_rtp_aac_format_t;

/* The layout of fmtp[0..len) (sizelength, indexlength, indexdeltalength), AAC-hbr's
 * when they are absent. -SR_EUNSUPPORTED for sizelength 0 or over 16, or indexes over 8
 * bits. */
int sr_rtp_aac_format(const char *fmtp, size_t len, sr_rtp_aac_format_t *out);

/* Called for each AU, in order; au valid only during the call. */
typedef void (*sr_rtp_aac_au_fn)(void *arg, const uint8_t *au, size_t size, uint32_t rtp_ts);

typedef struct sr_rtp_aac_depack {
    sr_rtp_aac_format_t format;
    uint32_t samples_per_au; /* 1024 for AAC-LC, what the timestamps of a packet's AUs step by */
    sr_rtp_aac_au_fn on_au;
    void *arg;
    uint8_t frag[SR_RTP_AAC_MAX_AU]; /* the fragmented AU being put back together */
    size_t frag_len, frag_size;      /* bytes so far, of the size its headers said */
    uint32_t frag_ts;
    bool is_fragment_broken;
    uint64_t aus, malformed, dropped_fragments;
} sr_rtp_aac_depack_t;

/* Start d (caller storage, large: about 8 KB) with the stream's format. */
void sr_rtp_aac_depack_init(sr_rtp_aac_depack_t *d, const sr_rtp_aac_format_t *format, uint32_t samples_per_au,
                            sr_rtp_aac_au_fn on_au, void *arg);
/* One payload in sequence order; lost is how many packets went missing just before it
 * (sr_rtp_reorder's count): a fragmented AU they broke is dropped. Malformed payloads
 * are counted and dropped whole. */
void sr_rtp_aac_depack_push(sr_rtp_aac_depack_t *d, const sr_rtp_packet_t *pkt, uint32_t lost);

/* ==== MP4A-LATM (RFC 6416) ==== */

/* The AudioSpecificConfig of an MP4A-LATM stream into out[0..cap): from the fmtp's
 * config (hex StreamMuxConfig, ISO/IEC 14496-3 1.7.3: audioMuxVersion 0, one program,
 * one layer). -SR_ENOT_FOUND without config, -SR_EUNSUPPORTED for cpresent=1 or other
 * StreamMuxConfigs, -SR_EFORMAT for bad hex or an ASC that does not parse. */
int sr_rtp_latm_config(const char *fmtp, size_t len, uint8_t *out, size_t cap, size_t *written);

typedef struct sr_rtp_latm_depack {
    sr_rtp_aac_au_fn on_au;
    void *arg;
    uint32_t samples_per_au;
    uint8_t buf[SR_RTP_AAC_MAX_AU]; /* an AudioMuxElement spanning packets */
    size_t buf_len;
    uint32_t buf_ts;
    bool is_broken;
    uint64_t aus, malformed;
} sr_rtp_latm_depack_t;

void sr_rtp_latm_depack_init(sr_rtp_latm_depack_t *d, uint32_t samples_per_au, sr_rtp_aac_au_fn on_au, void *arg);
/* One payload in sequence order (lost as for sr_rtp_aac_depack_push); the marker ends
 * an element that spans packets. */
void sr_rtp_latm_depack_push(sr_rtp_latm_depack_t *d, const sr_rtp_packet_t *pkt, uint32_t lost);

SR_END_DECLS

#endif
