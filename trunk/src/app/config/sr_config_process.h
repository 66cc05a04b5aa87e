/* SPDX-License-Identifier: MIT */
/*
 * sr_config_process.h: a vhost's transcode { }, ingest { } and exec { } blocks resolved
 * into plain structs, validated at load with file:line: what each external program
 * (ffmpeg, or exec's command) is to be run with. Turning these into command lines is
 * app/process's job (sr_transcode.h).
 */
#ifndef SR_CONFIG_PROCESS_H
#define SR_CONFIG_PROCESS_H

#include "sr_config.h"
#include "sr_core.h"
#include "sr_process.h"

SR_BEGIN_DECLS

/* One ffmpeg engine (transcode engine NAME { } or ingest engine { }). Numbers are 0
 * when not given (the option is then left out of the command line). */
typedef struct sr_ffmpeg_engine_config {
    char name[128];    /* the engine's name; "" for an unnamed ingest engine */
    bool is_enabled;   /* off: a transcode engine is skipped; an ingest engine copies */
    sr_argv_t perfile; /* perfile { re; rtsp_transport tcp; }: options before the input */
    char iformat[32];  /* -f before -i; "" not given (flv for transcode), "off" none */
    char oformat[32];  /* flv */
    char vcodec[64];   /* libx264, copy, vn (no video), ...; "" not given */
    int vbitrate_kbps;
    double vfps;
    int vwidth, vheight;
    int vthreads;
    char vprofile[32];
    char vpreset[32];
    sr_argv_t vfilter; /* vfilter { k v; } as "-k" "v", in order */
    sr_argv_t vparams;
    char acodec[64]; /* aac, copy, an (no audio), ...; libfdk_aac reads as aac */
    int abitrate_kbps;
    int asample_rate;
    int achannels;
    sr_argv_t aparams;
    char output[1024]; /* URL template: [vhost] [app] [stream] [engine] [port] [param] */
} sr_ffmpeg_engine_config_t;

/* transcode [SCOPE] { }: SCOPE "" (every stream of the vhost), APP or APP/STREAM. */
typedef struct sr_transcode_config {
    char scope[512];
    bool is_enabled;
    char ffmpeg[1024]; /* the program: a path, or a name looked up in PATH ("ffmpeg") */
    sr_ffmpeg_engine_config_t *engines;
    int engine_count;
} sr_transcode_config_t;

/* ingest ID { }: one ffmpeg per engine, for as long as the server runs. */
typedef struct sr_ingest_config {
    char id[128];
    bool is_enabled;
    bool is_file; /* input type file (looped), else stream */
    char input_url[1024];
    char ffmpeg[1024];
    sr_ffmpeg_engine_config_t *engines;
    int engine_count;
} sr_ingest_config_t;

/* exec { publish CMD ARGS...; }: one command per `publish`, run per published stream. */
typedef struct sr_exec_config {
    bool is_enabled;
    sr_argv_t *publish; /* command templates: [vhost] [app] [stream] [param] */
    int publish_count;
} sr_exec_config_t;

typedef struct sr_process_config {
    sr_transcode_config_t *transcodes;
    int transcode_count;
    sr_ingest_config_t *ingests;
    int ingest_count;
    sr_exec_config_t exec;
} sr_process_config_t;

/* Resolve vhost's transcode, ingest and exec blocks into out (caller storage, any
 * content; NULL vhost: none). -SR_ECONFIG with "file:line: reason" for a bad value
 * (not a number, a negative size, an engine without a name or an output, an ingest
 * without an input url, an unknown input type, a duplicate engine or ingest id). out
 * holds what was resolved either way: sr_config_process_deinit it. Logs a warning for
 * acodec libfdk_aac (Debian's ffmpeg has none: aac is used). */
int sr_config_process_resolve_vhost(const sr_conf_t *vhost, sr_process_config_t *out);
/* Free what resolve allocated; out is left empty. Zeroed storage is fine. */
void sr_config_process_deinit(sr_process_config_t *c);

SR_END_DECLS

#endif
