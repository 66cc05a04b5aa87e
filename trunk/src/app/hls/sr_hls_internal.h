/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_internal.h: the HLS sink's state, shared by its files: sr_hls.c (the sink:
 * segments, playlist, window, files) and sr_hls_fmp4.c (the fMP4 form of segments).
 * Not an API: only app/hls includes it.
 */
#ifndef SR_HLS_INTERNAL_H
#define SR_HLS_INTERNAL_H

#include <limits.h>

#include "sr_bytes.h"
#include "sr_hls.h"
#include "sr_hls_store.h"
#include "sr_m3u8.h"
#include "sr_mp4.h"
#include "sr_output_loop.h"
#include "sr_packet.h"
#include "sr_ts.h"

SR_BEGIN_DECLS

#define SR_HLS_PATH_MAX 2048                /* a file: hls_path + '/' + a path under it */
#define SR_HLS_REL_MAX 1024                 /* a path under hls_path */
#define SR_HLS_WAKE_US (500 * SR_UTIME_MS)  /* the consumer wakes at least this often */
#define SR_HLS_QUEUE_MS (120 * 1000)        /* queue_length of the sink's consumer */
#define SR_HLS_FLUSH_BYTES (256 * 1024)     /* write the segment in chunks of this */
#define SR_HLS_JUMP_MS 10000                /* a timestamp jump larger than this is a discontinuity */
#define SR_HLS_PLAYLIST_MAX_BYTES (4 << 20) /* an existing playlist larger than this is not read */

/* The fMP4 form: one muxer per publish and codec configuration, whose init segment
 * (hls_init_file) every segment of it maps to. */
typedef struct sr_hls_fmp4 {
    sr_mp4_mux_t *mux;    /* NULL until the first sequence header */
    bool is_init;         /* the init segment is written: frames go in */
    sr_packet_t vsh, ash; /* the configurations in force, for a new muxer */
    sr_packet_t *held;    /* frames before the init segment (tracks still coming) */
    size_t nb_held, cap_held;
    char map_uri[SR_M3U8_URI_MAX]; /* the init segment, relative to the playlist */
    bool is_codec_noted;           /* the unsupported-codec warning was logged */
} sr_hls_fmp4_t;

/* LL-HLS (hls_low_latency): the open fMP4 segment is written as parts, each its own
 * fragment, served from memory as soon as it is cut (sr_hls_ll.c). */
typedef struct sr_hls_ll {
    bool is_on;
    int64_t part_start_ms; /* where the open part starts */
    bool has_media;        /* the open part has a sample */
    bool is_independent;   /* its first video sample is a keyframe (audio only: always) */
    bool has_video_dts;
    int64_t last_video_dts;
    int64_t video_delta_ms; /* between the last two frames: when the next one is due */
    char seg_key[PATH_MAX]; /* the open segment's store key; its parts' keys follow from it */
} sr_hls_ll_t;

struct sr_hls {
    sr_server_t *server;
    sr_source_t *source; /* referenced */
    sr_output_loop_t loop;
    sr_request_t req;
    sr_hls_config_t cfg;
    char client_id[16];
    char stream_id[16];
    sr_ts_muxer_t *mux; /* MPEG-TS segments; NULL with hls_use_fmp4 */
    sr_hls_fmp4_t fmp4; /* fMP4 segments (sr_hls_fmp4.c) */
    sr_hls_ll_t ll;     /* LL-HLS parts of them (sr_hls_ll.c) */
    sr_m3u8_t pl;
    char m3u8_rel[SR_HLS_REL_MAX]; /* m3u8 path under hls_path */
    char m3u8_path[SR_HLS_PATH_MAX];
    char m3u8_dir[SR_HLS_REL_MAX];                                     /* directory of m3u8_rel ("" when none) */
    char m3u8_key[PATH_MAX];                                           /* its sr_hls_store key ("" when it has none) */
    char m3u8_delta_key[PATH_MAX + sizeof(SR_HLS_STORE_DELTA_SUFFIX)]; /* LL-HLS: its delta update's */
    size_t mem_cap_bytes; /* http_server.hls_memory_cache_mb, 0: the store is not used */
    sr_buf_t mem;         /* the open segment's bytes for the store */
    /* the segment being written */
    bool is_open;
    int fd; /* -1 when the segment could not be created */
    sr_buf_t ts;
    char seg_rel[SR_HLS_REL_MAX];
    char seg_path[SR_HLS_PATH_MAX];
    uint64_t seg_seq;
    int64_t seg_start_ms;
    int64_t seg_date_ms;  /* wall clock at which its first frame reached the server */
    bool has_clock;       /* clock_min_ms is valid (reset by a timestamp jump) */
    int64_t clock_min_ms; /* least wall-clock-minus-dts since the segment opened */
    bool has_last;
    int64_t last_dts;
    int64_t last_delta; /* between the last two A/V packets, for the final segment */
    bool next_discontinuity;
    bool has_key; /* a keyframe was seen: last_key_dts is valid */
    int64_t last_key_dts;
    bool is_gop_noted; /* the long-GOP advice was logged */
    uint64_t segments, errors, mux_errors;
};

/* sr_hls.c, for the fMP4 form */
void sr_hls_on_media(sr_hls_t *h, const sr_packet_t *pkt);
void sr_hls_close_segment(sr_hls_t *h, int64_t end_ms);
void sr_hls_write_file(sr_hls_t *h, const char *rel, const void *data, size_t len);
void sr_hls_relative_uri(const char *m3u8_dir, const char *rel, char *out, size_t size);
void sr_hls_expand(const sr_hls_t *h, const char *tpl, uint64_t seq, char *out, size_t size);
/* Rewrite the playlist where says (both, or one): in memory (with its LL-HLS progress)
 * and on disk. */
enum { SR_HLS_PLAYLIST_DISK = 1, SR_HLS_PLAYLIST_MEMORY = 2 };
void sr_hls_write_playlist(sr_hls_t *h, int where);
/* Put bytes in the store under key (nothing when the store is off), with meta. */
void sr_hls_store_bytes_at(sr_hls_t *h, const char *key, const void *data, size_t len, const sr_hls_store_meta_t *meta);
/* The store entry of a playlist URI leaves after grace_us (0: now). */
void sr_hls_store_forget(const sr_hls_t *h, const char *uri, sr_utime_t grace_us);

/* sr_hls_fmp4.c */
/* Whether pkt goes on to sr_hls_on_media: sequence headers configure the muxer (a
 * changed or late one after the init segment starts a new muxer and segment, after a
 * discontinuity); frames wait until the init segment is written (both tracks
 * configured, or a second of media without the other), then go in order. */
bool sr_hls_fmp4_gate(sr_hls_t *h, const sr_packet_t *pkt);
/* Queue a frame for the open segment. Returns the muxer's code. */
int sr_hls_fmp4_add(sr_hls_t *h, const sr_packet_t *pkt);
/* Append the open segment's fragment, its video lasting until end_ms, to h->ts. */
void sr_hls_fmp4_end_segment(sr_hls_t *h, int64_t end_ms);
bool sr_hls_fmp4_has_video(const sr_hls_t *h);
void sr_hls_fmp4_deinit(sr_hls_t *h);
/* A new muxer and init segment with the configurations in force (after a timestamp
 * jump: the caller marks the discontinuity). */
void sr_hls_fmp4_restart(sr_hls_t *h);

/* sr_hls_ll.c */
/* A segment opened (h->seg_*): it becomes the playlist's open segment. */
void sr_hls_ll_open(sr_hls_t *h);
/* Before a frame goes into the open segment: the open part ends first when the frame
 * would take it past the part target. */
void sr_hls_ll_before_frame(sr_hls_t *h, const sr_packet_t *pkt);
/* End the open part at end_ms (the next frame's time): its fragment goes to memory and
 * into the segment (h->ts), and the playlist lists it. */
void sr_hls_ll_end_part(sr_hls_t *h, int64_t end_ms);
/* The segment closed and was appended to the playlist: it takes the open one's parts. */
void sr_hls_ll_closed(sr_hls_t *h, sr_m3u8_entry_t *e);

SR_END_DECLS

#endif
