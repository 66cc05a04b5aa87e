/* SPDX-License-Identifier: MIT */
/*
 * sr_ts_demux_internal.h: what the two halves of the TS demuxer share. sr_ts_demux.c
 * frames TS packets, follows the PAT/PMT and reassembles PES packets;
 * sr_ts_demux_es.c turns one PES payload of a known codec into frames. Tests may
 * include this header; app code may not.
 */
#ifndef SR_TS_DEMUX_INTERNAL_H
#define SR_TS_DEMUX_INTERNAL_H

#include "sr_bytes.h"
#include "sr_codec_id.h"
#include "sr_ts.h"
#include "sr_ts_demux.h"

SR_BEGIN_DECLS

#define SR_TS_DEMUX_MAX_STREAMS 16

/* One elementary stream of the program. */
typedef struct sr_ts_demux_stream {
    uint16_t pid;
    uint8_t stream_type;
    uint8_t codec;         /* sr_codec_id_t */
    uint8_t opus_channels; /* from the Opus audio descriptor, 0 unknown */
    int8_t cc;             /* last continuity counter, -1 none yet */
    uint8_t pes_state;     /* SR_TS_PES_* of sr_ts_demux.c */
    bool has_config;       /* config frame sent (video/AAC/Opus) */
    sr_buf_t pes;          /* the PES being gathered, header included */
    sr_buf_t config;       /* the last config sent: record, ASC */
    int64_t last_dts_90k;  /* unwrapped, for a PES without PTS */
    int64_t base_90k;      /* audio: the last PTS, unwrapped */
    uint64_t samples;      /* audio: samples since base_90k, at rate */
    uint32_t rate;         /* audio: sample rate of samples, Hz */
} sr_ts_demux_stream_t;

/* A PSI section being gathered on one PID (PAT or PMT). */
typedef struct sr_ts_demux_psi {
    sr_buf_t buf;
    int8_t cc;
    bool is_active;
} sr_ts_demux_psi_t;

struct sr_ts_demuxer {
    sr_ts_demux_frame_fn on_frame;
    void *arg;
    sr_ts_demux_stats_t stats;
    uint8_t part[SR_TS_PACKET_BYTES]; /* a packet cut by the end of a feed */
    size_t part_len;
    bool is_lost;       /* searching for a sync byte */
    int32_t pmt_pid;    /* -1 until the PAT names one */
    uint16_t program;   /* program_number of that PMT */
    int8_t pmt_version; /* -1 until a PMT is taken */
    sr_ts_demux_psi_t pat, pmt;
    bool has_ts_ref;
    int64_t ts_ref_90k; /* the last unwrapped timestamp, for the 2^33 wrap */
    sr_ts_demux_stream_t *streams[SR_TS_DEMUX_MAX_STREAMS];
    size_t nb_streams;
    sr_buf_t scratch; /* a config record being built */
};

/* A timestamp of 33 bits (90 kHz) made continuous: the value nearest the last one
 * returned, across wraps. */
int64_t sr_ts_demux__unwrap(sr_ts_demuxer_t *d, uint64_t ts33);
/* Turn the ES bytes of one PES of st into frames. pts_90k/dts_90k are unwrapped;
 * has_pts false when the PES carried none (then both are meaningless). */
void sr_ts_demux__es(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size, bool has_pts,
                     int64_t pts_90k, int64_t dts_90k);

SR_END_DECLS

#endif
