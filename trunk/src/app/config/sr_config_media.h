/* SPDX-License-Identifier: MIT */
/*
 * sr_config_media.h: the vhost blocks that write media to disk, resolved into plain
 * structs: hls { } and dvr { } (SRS names and defaults; bad values are refused with
 * file:line). The HLS muxer and the DVR recorder copy these at publish time.
 */
#ifndef SR_CONFIG_MEDIA_H
#define SR_CONFIG_MEDIA_H

#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_hls_config {
    bool is_enabled;
    double fragment_s;         /* hls_fragment: target segment duration */
    double td_ratio;           /* hls_td_ratio: TARGETDURATION = fragment * ratio */
    double aof_ratio;          /* hls_aof_ratio: audio-only streams cut at fragment * ratio */
    double window_s;           /* hls_window: playlist length in seconds */
    bool is_on_error_continue; /* hls_on_error: continue (on) or disconnect the publisher */
    char path[1024];           /* hls_path */
    char m3u8_file[512];       /* hls_m3u8_file template */
    char ts_file[512];         /* hls_ts_file template */
    char fmp4_file[512];       /* hls_fmp4_file template (hls_use_fmp4) */
    char init_file[512];       /* hls_init_file template (hls_use_fmp4) */
    char entry_prefix[512];    /* hls_entry_prefix */
    bool is_cleanup;           /* hls_cleanup: delete segments that left the window */
    double dispose_s;          /* hls_dispose: delete everything this long after unpublish (0: never) */
    bool is_wait_keyframe;     /* hls_wait_keyframe: cut segments on keyframes */
    bool is_use_fmp4;          /* hls_use_fmp4 */
    bool is_low_latency;       /* hls_low_latency (ours): LL-HLS parts, blocking reload (fMP4) */
    double part_duration_s;    /* hls_part_duration (ours): the part target */
} sr_hls_config_t;

typedef enum sr_dvr_plan {
    SR_DVR_PLAN_SESSION,
    SR_DVR_PLAN_SEGMENT,
} sr_dvr_plan_t;

typedef struct sr_dvr_config {
    bool is_enabled;
    char apply[512];       /* dvr_apply: "all" or a space-separated list of app/stream */
    sr_dvr_plan_t plan;    /* dvr_plan */
    char path[1024];       /* dvr_path template; .flv or .mp4 picks the container */
    double duration_s;     /* dvr_duration (segment plan) */
    bool is_wait_keyframe; /* dvr_wait_keyframe */
    int time_jitter;       /* sr_jitter_algo_t */
} sr_dvr_config_t;

/* Resolve a vhost's hls { } / dvr { } (absent: disabled, SRS defaults). */
int sr_config_media_resolve_hls(const sr_conf_t *vhost, sr_hls_config_t *out);
int sr_config_media_resolve_dvr(const sr_conf_t *vhost, sr_dvr_config_t *out);
/* Whether two resolved blocks ask for the same output (a reload restarts it if not). */
bool sr_config_media_hls_equal(const sr_hls_config_t *a, const sr_hls_config_t *b);
bool sr_config_media_dvr_equal(const sr_dvr_config_t *a, const sr_dvr_config_t *b);
/* Whether dvr_apply selects app/stream. */
bool sr_config_media_dvr_applies(const sr_dvr_config_t *c, const char *app, const char *stream);

SR_END_DECLS

#endif
