/* SPDX-License-Identifier: MIT */
/*
 * sr_ts.h: an MPEG-2 transport stream muxer (ISO/IEC 13818-1) for HLS segments and
 * live .ts output. It takes the protocol-neutral packets (FLV tag bodies) and appends
 * 188-byte TS packets to an sr_buf_t: PAT and PMT (CRC32/MPEG-2) at the start of each
 * segment, one PES per frame with PTS/DTS in 90 kHz units, PCR on the video PID (the
 * audio PID for audio-only streams), continuity counters per PID, adaptation-field
 * stuffing and random_access_indicator on keyframes.
 *
 * Video leaves as Annex B: an access unit delimiter first, then the parameter sets of
 * the last sequence header before every IDR/IRAP picture, then the NAL units with
 * 4-byte start codes. H.264 (stream type 0x1b) and H.265 (0x24). AAC leaves as ADTS
 * (0x0f, header built from the AudioSpecificConfig), MP3 as is (0x03, or 0x04 for the
 * MPEG-2 low sample rates), Opus as the ETSI draft "Opus Interactive Audio Codec
 * Transport Multiplexing Standard" (2013, which ffmpeg follows) says: private data
 * (0x06) with a registration descriptor "Opus" and an Opus audio descriptor (extension
 * descriptor, tag 0x80) giving the channel configuration, in private_stream_1 PES
 * packets, each access unit after an opus_control_header (prefix 0x7fe0, then au_size).
 * Streams with only audio or only video are fine.
 *
 * Not here: demuxing, files, segment timing (the HLS sink decides where a segment
 * starts and tells the muxer), other codecs, Opus with more than 2 channels (the draft's
 * codes for them imply a channel mapping that would have to be checked against the
 * OpusHead's). Pure bytes: no I/O, no logging.
 */
#ifndef SR_TS_H
#define SR_TS_H

#include "sr_bytes.h"
#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

#define SR_TS_PACKET_BYTES 188
#define SR_TS_SYNC_BYTE 0x47
#define SR_TS_PID_PAT 0x0000
#define SR_TS_PID_PMT 0x1001
#define SR_TS_PID_VIDEO 0x0100
#define SR_TS_PID_AUDIO 0x0101
#define SR_TS_PROGRAM_NUMBER 1
#define SR_TS_STREAM_ID 1 /* transport_stream_id in the PAT */

/* stream_type values of the PMT (ISO/IEC 13818-1 Table 2-34). */
enum {
    SR_TS_STREAM_MPEG1_AUDIO = 0x03,
    SR_TS_STREAM_MPEG2_AUDIO = 0x04,
    SR_TS_STREAM_PRIVATE = 0x06, /* PES private data: Opus with its registration descriptor */
    SR_TS_STREAM_AAC = 0x0f,     /* ADTS */
    SR_TS_STREAM_H264 = 0x1b,
    SR_TS_STREAM_H265 = 0x24,
};

/* Descriptor tags (ISO/IEC 13818-1 2.6) and the Opus audio descriptor's extension tag. */
enum {
    SR_TS_DESC_REGISTRATION = 0x05, /* format_identifier: "Opus" */
    SR_TS_DESC_EXTENSION = 0x7f,
    SR_TS_DESC_OPUS_AUDIO = 0x80, /* extension tag; then channel_config_code */
};

/* CRC32/MPEG-2 (polynomial 0x04c11db7, initial 0xffffffff, no reflection, no final
 * xor) of size bytes at data (borrowed), as PSI sections end with. */
uint32_t sr_ts_crc32(const uint8_t *data, size_t size);

/* One elementary stream as the PMT announces it. */
typedef struct sr_ts_es {
    uint8_t stream_type; /* SR_TS_STREAM_* */
    uint16_t pid;
    const uint8_t *desc; /* its ES_info descriptors (borrowed), or NULL */
    uint8_t desc_len;    /* at most 32 */
} sr_ts_es_t;

/* Write one TS packet holding the PAT (program SR_TS_PROGRAM_NUMBER on pmt_pid) with
 * version and continuity counter cc (low 4 bits), padded with 0xff. */
void sr_ts_write_pat(uint8_t out[SR_TS_PACKET_BYTES], uint16_t pmt_pid, uint8_t version, uint8_t cc);
/* Write one TS packet holding the PMT on pmt_pid: pcr_pid, then es[0..count-1]
 * (borrowed, count <= 8) with their descriptors. */
void sr_ts_write_pmt(uint8_t out[SR_TS_PACKET_BYTES], uint16_t pmt_pid, uint8_t version, uint8_t cc, uint16_t pcr_pid,
                     const sr_ts_es_t *es, size_t count);

/* Where a PES goes and how its first TS packet is flagged. */
typedef struct sr_ts_pes {
    uint16_t pid;
    uint8_t stream_id; /* 0xe0 video, 0xc0 audio, 0xbd private_stream_1 (Opus) */
    int64_t pts_90k;   /* 33-bit wrap applied when written */
    int64_t dts_90k;   /* written only when it differs from pts */
    bool has_pcr;      /* PCR (base = dts) in the first packet's adaptation field */
    bool is_random_access;
    bool is_unbounded; /* PES_packet_length 0 (video), else the real length */
} sr_ts_pes_t;

/* Packetise one PES carrying es_size bytes at es (borrowed) into out, advancing *cc
 * once per TS packet. The last packet is padded with adaptation-field stuffing. */
void sr_ts_write_pes(sr_buf_t *out, const sr_ts_pes_t *pes, const uint8_t *es, size_t es_size, uint8_t *cc);

/* ---- the muxer ---- */

typedef struct sr_ts_muxer sr_ts_muxer_t;

/* A muxer with no streams known yet. Never NULL. Free with sr_ts_muxer_free. */
sr_ts_muxer_t *sr_ts_muxer_new(void);
/* Free m and the sequence headers it holds. NULL ok. */
void sr_ts_muxer_free(sr_ts_muxer_t *m);
/* Mux one packet (borrowed; a sequence header's payload is referenced, not copied)
 * and append its TS packets to out (caller-initialised). Sequence headers update the
 * codec configuration and write nothing; metadata is ignored. The first frame after
 * sr_ts_muxer_start_segment (or a new stream appearing) is preceded by PAT and PMT.
 * Returns SR_OK, -SR_EUNSUPPORTED for a codec TS does not carry here (the packet is
 * skipped), -SR_EFORMAT for a malformed frame or sequence header (skipped; out is
 * unchanged), -SR_EINVAL for an AAC frame before its AudioSpecificConfig. Opus frames
 * before an OpusHead are taken as stereo; an OpusHead of more than 2 channels gives
 * -SR_EUNSUPPORTED and its frames are skipped. */
int sr_ts_muxer_write(sr_ts_muxer_t *m, const sr_packet_t *pkt, sr_buf_t *out);
/* The next frame written starts a segment: PAT and PMT first. Counters continue. */
void sr_ts_muxer_start_segment(sr_ts_muxer_t *m);
/* Whether a video (audio) stream is known: a sequence header or frame was seen. */
bool sr_ts_muxer_has_video(const sr_ts_muxer_t *m);
bool sr_ts_muxer_has_audio(const sr_ts_muxer_t *m);

SR_END_DECLS

#endif
