/* SPDX-License-Identifier: MIT */
/*
 * sr_ts_demux.h: an MPEG-2 transport stream demuxer (ISO/IEC 13818-1) for SRT and
 * other TS ingest. It takes a byte stream of 188-byte TS packets in chunks of any
 * size (a 1316-byte SRT payload, one byte, a whole file), finds the first program
 * through the PAT and its PMT, reassembles the PES packets of the streams it knows
 * and turns them into protocol-neutral frames (sr_packet.h) in canonical codec form
 * (sr_codec_id.h), each codec's config frame before the first frame that needs it:
 *   H.264 (stream_type 0x1b), H.265 (0x24): one frame per PES (access unit); Annex-B
 *       becomes 4-byte length prefixes, parameter sets and AUDs leave the frame and a
 *       new AVC/HEVC record goes out whenever they change. Frames before the first
 *       parameter sets are dropped.
 *   AAC (0x0f, ADTS): one frame per ADTS frame, the AudioSpecificConfig when the
 *       ADTS header's config changes; timestamps advance by 1024 samples.
 *   MP3 (0x03, 0x04): one frame per MPEG audio frame (split by frame headers; a
 *       free-format PES goes out whole); no config frame.
 *   Opus (0x06 with the registration descriptor "Opus"): one frame per Opus packet,
 *       the opus_control_header removed; an OpusHead (channels from the Opus audio
 *       descriptor, else 2) before the first one.
 * Timestamps are ms from the 90 kHz PTS/DTS, unwrapped across 2^33 with one reference
 * for all streams, so a stream running past the wrap keeps increasing.
 *
 * Broken input is counted (sr_ts_demux_stats_t), never fatal: bytes between packets
 * are skipped until the next sync byte, a continuity counter gap drops the PES it
 * broke, sections with a bad CRC32 are ignored, a PES is capped at
 * SR_TS_DEMUX_MAX_PES_BYTES.
 *
 * Not here: more than one program (the first of the PAT is taken), scrambled
 * packets, PCR/clock recovery, metadata/SCTE-35/teletext streams, Opus with more
 * than 2 channels, AAC frames with several raw data blocks (dropped), LATM. Pure
 * bytes: no I/O, no logging, no allocation failures (sr_malloc aborts).
 */
#ifndef SR_TS_DEMUX_H
#define SR_TS_DEMUX_H

#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

/* A PES larger than this is dropped (counted in pes_errors). */
#define SR_TS_DEMUX_MAX_PES_BYTES (8u << 20)

/* Called once per frame, in stream order. The callee takes pkt's payload reference:
 * it keeps *pkt (copy the struct) or releases it with sr_packet_deinit(); pkt itself
 * is demuxer storage, valid only during the call. It must not call back into the
 * demuxer (feed, flush, free). */
typedef void (*sr_ts_demux_frame_fn)(void *arg, sr_packet_t *pkt);

/* Counters since sr_ts_demux_new. */
typedef struct sr_ts_demux_stats {
    uint64_t packets;    /* TS packets taken (188 bytes starting with 0x47) */
    uint64_t resyncs;    /* times the sync byte was lost and searched for again */
    uint64_t cc_errors;  /* continuity counter gaps on a PSI or stream PID */
    uint64_t crc_errors; /* PAT/PMT sections ignored for a bad CRC32 */
    uint64_t pes_errors; /* PES (or PSI section) malformed, too long or shorter than declared */
    uint64_t frames;     /* frames delivered, config frames included */
    uint64_t dropped;    /* access units not delivered: no config yet, broken, unparsable */
} sr_ts_demux_stats_t;

typedef struct sr_ts_demuxer sr_ts_demuxer_t;

/* A demuxer that delivers frames to on_frame(arg, pkt) (see sr_ts_demux_frame_fn for
 * the ownership). arg is borrowed and passed through. Never NULL; free with
 * sr_ts_demux_free. */
sr_ts_demuxer_t *sr_ts_demux_new(sr_ts_demux_frame_fn on_frame, void *arg);
/* Free d and everything it buffers; pending PES are discarded (flush first to get
 * them). NULL ok. */
void sr_ts_demux_free(sr_ts_demuxer_t *d);
/* Take size bytes at data (borrowed, only read during the call) of the TS byte
 * stream; a packet cut by the end of data is kept until the next call. Frames are
 * delivered from inside this call. Always SR_OK: malformed input is counted in the
 * stats and skipped. */
int sr_ts_demux_feed(sr_ts_demuxer_t *d, const uint8_t *data, size_t size);
/* End of input: deliver the PES still being collected (a video PES of unbounded
 * length ends only at the next payload_unit_start, so the last one waits here) and
 * drop a partial TS packet. Feeding may go on afterwards. */
void sr_ts_demux_flush(sr_ts_demuxer_t *d);
/* Which kinds of track the current PMT announces (codecs this demuxer knows). */
void sr_ts_demux_tracks(const sr_ts_demuxer_t *d, bool *has_audio, bool *has_video);
/* The counters of d, read-only, valid while d lives. */
const sr_ts_demux_stats_t *sr_ts_demux_stats(const sr_ts_demuxer_t *d);

SR_END_DECLS

#endif
