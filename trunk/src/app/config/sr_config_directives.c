/* SPDX-License-Identifier: MIT */
/*
 * sr_config_directives.c: contexts are dotted paths of block names ("" is the top
 * level, "vhost.play" the play block of any vhost). A block marked unsupported is
 * reported once and its children are not walked.
 */
#include "sr_config_directives.h"

#include <stdio.h>
#include <string.h>

#include "sr_log.h"

typedef enum { SR_DIR_SUPPORTED, SR_DIR_LATER, SR_DIR_IGNORED } sr_dir_state_t;

typedef struct sr_dir {
    const char *context;
    const char *name;
    sr_dir_state_t state;
} sr_dir_t;

/* SR_DIR_LATER: part of the SRS surface, not implemented yet (warned).
 * SR_DIR_IGNORED: accepted silently because Strand's behaviour already covers it. */
static const sr_dir_t sr_dirs[] = {
    {"", "listen", SR_DIR_SUPPORTED},
    {"", "chunk_size", SR_DIR_SUPPORTED},
    {"", "max_connections", SR_DIR_SUPPORTED},
    {"", "daemon", SR_DIR_SUPPORTED},
    {"", "pid", SR_DIR_SUPPORTED},
    {"", "srs_log_tank", SR_DIR_SUPPORTED},
    {"", "srs_log_file", SR_DIR_SUPPORTED},
    {"", "srs_log_level", SR_DIR_SUPPORTED},
    {"", "srs_log_level_v2", SR_DIR_SUPPORTED},
    {"", "ff_log_dir", SR_DIR_SUPPORTED},
    {"", "ff_log_level", SR_DIR_LATER},
    {"", "utc_time", SR_DIR_LATER},
    {"", "work_dir", SR_DIR_LATER},
    {"", "asprocess", SR_DIR_LATER},
    {"", "empty_ip_ok", SR_DIR_LATER},
    {"", "grace_start_wait", SR_DIR_LATER},
    {"", "grace_final_wait", SR_DIR_LATER},
    {"", "force_grace_quit", SR_DIR_LATER},
    {"", "disable_daemon_for_docker", SR_DIR_LATER},
    {"", "inotify_auto_reload", SR_DIR_LATER},
    {"", "auto_reload_for_docker", SR_DIR_LATER},
    {"", "query_latest_version", SR_DIR_IGNORED},
    {"", "first_wait_for_qlv", SR_DIR_IGNORED},
    {"", "circuit_breaker", SR_DIR_LATER},
    {"", "tencentcloud_cls", SR_DIR_LATER},
    {"", "tencentcloud_apm", SR_DIR_LATER},
    {"", "heartbeat", SR_DIR_SUPPORTED},
    {"", "stats", SR_DIR_SUPPORTED},
    {"", "http_api", SR_DIR_SUPPORTED},
    {"", "http_server", SR_DIR_SUPPORTED},
    {"", "http_stream", SR_DIR_SUPPORTED},
    {"", "srt_server", SR_DIR_SUPPORTED},
    {"", "rtc_server", SR_DIR_SUPPORTED},
    {"", "rtsp_server", SR_DIR_SUPPORTED},
    {"", "exporter", SR_DIR_SUPPORTED},
    {"", "stream_caster", SR_DIR_LATER},
    {"", "rtmp", SR_DIR_SUPPORTED},
    {"", "rtmps", SR_DIR_SUPPORTED},
    {"", "vhost", SR_DIR_SUPPORTED},
    {"rtmp", "listen", SR_DIR_SUPPORTED},
    {"rtmp", "chunk_size", SR_DIR_SUPPORTED},
    {"rtmp", "max_connections", SR_DIR_SUPPORTED},
    {"vhost", "enabled", SR_DIR_SUPPORTED},
    {"vhost", "min_latency", SR_DIR_SUPPORTED},
    {"vhost", "tcp_nodelay", SR_DIR_SUPPORTED},
    {"vhost", "chunk_size", SR_DIR_SUPPORTED},
    {"vhost", "in_ack_size", SR_DIR_SUPPORTED},
    {"vhost", "out_ack_size", SR_DIR_SUPPORTED},
    {"vhost", "play", SR_DIR_SUPPORTED},
    {"vhost", "publish", SR_DIR_SUPPORTED},
    /* v3-era vhost-level forms of play directives */
    {"vhost", "gop_cache", SR_DIR_SUPPORTED},
    {"vhost", "gop_cache_max_frames", SR_DIR_SUPPORTED},
    {"vhost", "queue_length", SR_DIR_SUPPORTED},
    {"vhost", "time_jitter", SR_DIR_SUPPORTED},
    {"vhost", "atc", SR_DIR_SUPPORTED},
    {"vhost", "atc_auto", SR_DIR_LATER},
    {"vhost", "mix_correct", SR_DIR_SUPPORTED},
    {"vhost", "mw_latency", SR_DIR_SUPPORTED},
    {"vhost", "mw_msgs", SR_DIR_SUPPORTED},
    {"vhost", "send_min_interval", SR_DIR_SUPPORTED},
    {"vhost", "reduce_sequence_header", SR_DIR_LATER},
    {"vhost", "mr", SR_DIR_IGNORED},
    {"vhost", "mr_latency", SR_DIR_IGNORED},
    {"vhost", "firstpkt_timeout", SR_DIR_SUPPORTED},
    {"vhost", "normal_timeout", SR_DIR_SUPPORTED},
    {"vhost", "hls", SR_DIR_SUPPORTED},
    {"vhost", "hds", SR_DIR_LATER},
    {"vhost", "dash", SR_DIR_LATER},
    {"vhost", "http_remux", SR_DIR_SUPPORTED},
    {"vhost", "http_static", SR_DIR_LATER},
    {"vhost", "dvr", SR_DIR_SUPPORTED},
    {"vhost", "forward", SR_DIR_SUPPORTED},
    {"vhost", "cluster", SR_DIR_SUPPORTED},
    {"vhost", "mode", SR_DIR_SUPPORTED}, /* SRS 2's cluster outside its block */
    {"vhost", "origin", SR_DIR_SUPPORTED},
    {"vhost", "transcode", SR_DIR_SUPPORTED},
    {"vhost", "ingest", SR_DIR_SUPPORTED},
    {"vhost", "exec", SR_DIR_SUPPORTED},
    {"vhost", "http_hooks", SR_DIR_SUPPORTED},
    {"vhost", "rtc", SR_DIR_SUPPORTED},
    {"vhost", "rtsp_pull", SR_DIR_SUPPORTED},
    {"vhost", "srt", SR_DIR_SUPPORTED},
    {"vhost", "refer", SR_DIR_SUPPORTED},
    {"vhost", "security", SR_DIR_SUPPORTED},
    {"vhost", "bandcheck", SR_DIR_LATER},
    {"vhost", "debug_srs_upnode", SR_DIR_IGNORED},
    {"vhost", "nack", SR_DIR_LATER},
    {"vhost", "twcc", SR_DIR_LATER},
    {"vhost.rtc", "enabled", SR_DIR_SUPPORTED},
    {"vhost.rtc", "rtmp_to_rtc", SR_DIR_SUPPORTED},
    {"vhost.rtc", "rtc_to_rtmp", SR_DIR_SUPPORTED},
    {"vhost.rtc", "nack", SR_DIR_SUPPORTED},
    {"vhost.rtc", "twcc", SR_DIR_SUPPORTED},
    {"vhost.rtc", "stun_timeout", SR_DIR_SUPPORTED},
    {"vhost.rtc", "dtls_role", SR_DIR_SUPPORTED},
    {"vhost.rtc", "opus_bitrate", SR_DIR_SUPPORTED},
    {"vhost.rtc", "aac_bitrate", SR_DIR_SUPPORTED},
    {"vhost.rtc", "pli_for_rtmp", SR_DIR_SUPPORTED},
    {"vhost.rtc", "keep_bframe", SR_DIR_LATER},
    {"vhost.rtc", "keep_avc_nalu_sei", SR_DIR_IGNORED}, /* SEI is kept */
    {"vhost.rtc", "stun_strict_check", SR_DIR_IGNORED}, /* always strict: integrity and ufrag are checked */
    {"vhost.rtc", "dtls_version", SR_DIR_IGNORED},      /* DTLS 1.2 */
    {"vhost.rtc", "drop_for_pt", SR_DIR_LATER},
    {"vhost.rtc", "nack_no_copy", SR_DIR_IGNORED},
    {"vhost.transcode", "enabled", SR_DIR_SUPPORTED},
    {"vhost.transcode", "ffmpeg", SR_DIR_SUPPORTED},
    {"vhost.transcode", "engine", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "enabled", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "perfile", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "iformat", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vfilter", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vcodec", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vbitrate", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vfps", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vwidth", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vheight", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vthreads", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vprofile", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vpreset", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "vparams", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "acodec", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "abitrate", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "asample_rate", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "achannels", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "aparams", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "oformat", SR_DIR_SUPPORTED},
    {"vhost.transcode.engine", "output", SR_DIR_SUPPORTED},
    {"vhost.ingest", "enabled", SR_DIR_SUPPORTED},
    {"vhost.ingest", "input", SR_DIR_SUPPORTED},
    {"vhost.ingest", "ffmpeg", SR_DIR_SUPPORTED},
    {"vhost.ingest", "engine", SR_DIR_SUPPORTED},
    {"vhost.ingest.input", "type", SR_DIR_SUPPORTED},
    {"vhost.ingest.input", "url", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "enabled", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "perfile", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "iformat", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vfilter", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vcodec", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vbitrate", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vfps", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vwidth", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vheight", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vthreads", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vprofile", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vpreset", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "vparams", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "acodec", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "abitrate", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "asample_rate", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "achannels", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "aparams", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "oformat", SR_DIR_SUPPORTED},
    {"vhost.ingest.engine", "output", SR_DIR_SUPPORTED},
    {"vhost.exec", "enabled", SR_DIR_SUPPORTED},
    {"vhost.exec", "publish", SR_DIR_SUPPORTED},
    {"vhost.play", "gop_cache", SR_DIR_SUPPORTED},
    {"vhost.play", "gop_cache_max_frames", SR_DIR_SUPPORTED},
    {"vhost.play", "queue_length", SR_DIR_SUPPORTED},
    {"vhost.play", "time_jitter", SR_DIR_SUPPORTED},
    {"vhost.play", "atc", SR_DIR_SUPPORTED},
    {"vhost.play", "atc_auto", SR_DIR_LATER},
    {"vhost.play", "mix_correct", SR_DIR_SUPPORTED},
    {"vhost.play", "mw_latency", SR_DIR_SUPPORTED},
    {"vhost.play", "mw_msgs", SR_DIR_SUPPORTED},
    {"vhost.play", "send_min_interval", SR_DIR_SUPPORTED},
    {"vhost.play", "reduce_sequence_header", SR_DIR_LATER},
    {"rtsp_server", "enabled", SR_DIR_SUPPORTED},
    {"rtsp_server", "listen", SR_DIR_SUPPORTED},
    {"rtsp_server", "rtp_port", SR_DIR_SUPPORTED},
    {"rtsp_server", "rtcp_port", SR_DIR_SUPPORTED},
    {"rtsp_server", "session_timeout", SR_DIR_SUPPORTED},
    {"srt_server", "enabled", SR_DIR_SUPPORTED},
    {"srt_server", "listen", SR_DIR_SUPPORTED},
    {"srt_server", "default_app", SR_DIR_SUPPORTED},
    {"srt_server", "latency", SR_DIR_SUPPORTED},
    {"srt_server", "peerlatency", SR_DIR_SUPPORTED},
    {"srt_server", "recvlatency", SR_DIR_SUPPORTED},
    {"srt_server", "maxbw", SR_DIR_SUPPORTED},
    {"srt_server", "mss", SR_DIR_SUPPORTED},
    {"srt_server", "connect_timeout", SR_DIR_SUPPORTED},
    {"srt_server", "peer_idle_timeout", SR_DIR_SUPPORTED},
    {"srt_server", "tsbpdmode", SR_DIR_SUPPORTED},
    {"srt_server", "tlpktdrop", SR_DIR_SUPPORTED},
    {"srt_server", "sendbuf", SR_DIR_SUPPORTED},
    {"srt_server", "recvbuf", SR_DIR_SUPPORTED},
    {"srt_server", "payloadsize", SR_DIR_SUPPORTED},
    {"srt_server", "passphrase", SR_DIR_SUPPORTED},
    {"srt_server", "pbkeylen", SR_DIR_SUPPORTED},
    {"vhost.rtsp_pull", "enabled", SR_DIR_SUPPORTED},
    {"vhost.rtsp_pull", "url", SR_DIR_SUPPORTED},
    {"vhost.rtsp_pull", "app", SR_DIR_SUPPORTED},
    {"vhost.rtsp_pull", "transport", SR_DIR_SUPPORTED},
    {"vhost.rtsp_pull", "on_demand", SR_DIR_SUPPORTED},
    {"vhost.srt", "enabled", SR_DIR_SUPPORTED},
    {"vhost.srt", "srt_to_rtmp", SR_DIR_SUPPORTED},
    {"rtc_server", "enabled", SR_DIR_SUPPORTED},
    {"rtc_server", "listen", SR_DIR_SUPPORTED},
    {"rtc_server", "candidate", SR_DIR_SUPPORTED},
    {"rtc_server", "protocol", SR_DIR_SUPPORTED},
    {"rtc_server", "api_as_candidates", SR_DIR_SUPPORTED},
    {"rtc_server", "cert", SR_DIR_SUPPORTED},
    {"rtc_server", "key", SR_DIR_SUPPORTED},
    {"rtc_server", "ecdsa", SR_DIR_IGNORED},   /* the generated certificate is ECDSA */
    {"rtc_server", "encrypt", SR_DIR_IGNORED}, /* SRTP always: browsers require it */
    {"rtc_server", "tcp", SR_DIR_SUPPORTED},
    {"rtc_server.tcp", "enabled", SR_DIR_SUPPORTED},
    {"rtc_server.tcp", "listen", SR_DIR_SUPPORTED},
    {"rtc_server", "use_auto_detect_network_ip", SR_DIR_IGNORED}, /* candidate * does it */
    {"rtc_server", "ip_family", SR_DIR_LATER},
    {"rtc_server", "resolve_api_domain", SR_DIR_LATER},
    {"rtc_server", "keep_api_domain", SR_DIR_LATER},
    {"rtc_server", "reuseport", SR_DIR_LATER},
    {"rtc_server", "merge_nalus", SR_DIR_IGNORED},
    {"rtc_server", "black_hole", SR_DIR_LATER},
    {"http_server", "enabled", SR_DIR_SUPPORTED},
    {"http_server", "listen", SR_DIR_SUPPORTED},
    {"http_server", "dir", SR_DIR_SUPPORTED},
    {"http_server", "crossdomain", SR_DIR_SUPPORTED},
    {"http_server", "hls_memory_cache_mb", SR_DIR_SUPPORTED},
    {"http_server", "https", SR_DIR_SUPPORTED},
    {"http_server.https", "enabled", SR_DIR_SUPPORTED},
    {"http_server.https", "listen", SR_DIR_SUPPORTED},
    {"http_server.https", "key", SR_DIR_SUPPORTED},
    {"http_server.https", "cert", SR_DIR_SUPPORTED},
    {"http_stream", "enabled", SR_DIR_SUPPORTED},
    {"http_stream", "listen", SR_DIR_SUPPORTED},
    {"http_stream", "dir", SR_DIR_SUPPORTED},
    {"http_stream", "crossdomain", SR_DIR_SUPPORTED},
    {"http_stream", "https", SR_DIR_SUPPORTED},
    {"http_stream.https", "enabled", SR_DIR_SUPPORTED},
    {"http_stream.https", "listen", SR_DIR_SUPPORTED},
    {"http_stream.https", "key", SR_DIR_SUPPORTED},
    {"http_stream.https", "cert", SR_DIR_SUPPORTED},
    {"http_api", "enabled", SR_DIR_SUPPORTED},
    {"http_api", "listen", SR_DIR_SUPPORTED},
    {"http_api", "crossdomain", SR_DIR_SUPPORTED},
    {"http_api", "raw_api", SR_DIR_SUPPORTED},
    {"http_api", "auth", SR_DIR_SUPPORTED},
    {"http_api", "https", SR_DIR_SUPPORTED},
    {"http_api.https", "enabled", SR_DIR_SUPPORTED},
    {"http_api.https", "listen", SR_DIR_SUPPORTED},
    {"http_api.https", "key", SR_DIR_SUPPORTED},
    {"http_api.https", "cert", SR_DIR_SUPPORTED},
    {"rtmps", "enabled", SR_DIR_SUPPORTED},
    {"rtmps", "listen", SR_DIR_SUPPORTED},
    {"rtmps", "key", SR_DIR_SUPPORTED},
    {"rtmps", "cert", SR_DIR_SUPPORTED},
    {"http_api.raw_api", "enabled", SR_DIR_SUPPORTED},
    {"http_api.raw_api", "allow_reload", SR_DIR_SUPPORTED},
    {"http_api.raw_api", "allow_query", SR_DIR_LATER},
    {"http_api.raw_api", "allow_update", SR_DIR_LATER},
    {"http_api.auth", "enabled", SR_DIR_SUPPORTED},
    {"http_api.auth", "username", SR_DIR_SUPPORTED},
    {"http_api.auth", "password", SR_DIR_SUPPORTED},
    {"exporter", "enabled", SR_DIR_SUPPORTED},
    {"exporter", "listen", SR_DIR_SUPPORTED},
    {"exporter", "label", SR_DIR_SUPPORTED},
    {"exporter", "tag", SR_DIR_SUPPORTED},
    {"stats", "enabled", SR_DIR_LATER},
    {"stats", "network", SR_DIR_LATER},
    {"stats", "disk", SR_DIR_LATER},
    {"vhost.http_remux", "enabled", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "mount", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "has_audio", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "has_video", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "guess_has_av", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "drop_if_not_match", SR_DIR_SUPPORTED},
    {"vhost.http_remux", "fast_cache", SR_DIR_LATER},
    {"vhost.http_hooks", "enabled", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_connect", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_close", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_publish", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_unpublish", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_play", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_stop", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_dvr", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_hls", SR_DIR_SUPPORTED},
    {"vhost.http_hooks", "on_hls_notify", SR_DIR_LATER},
    {"vhost.forward", "enabled", SR_DIR_SUPPORTED},
    {"vhost.forward", "destination", SR_DIR_SUPPORTED},
    {"vhost.forward", "backend", SR_DIR_SUPPORTED},
    {"vhost.cluster", "mode", SR_DIR_SUPPORTED},
    {"vhost.cluster", "origin", SR_DIR_SUPPORTED},
    {"vhost.cluster", "token_traverse", SR_DIR_SUPPORTED},
    {"vhost.cluster", "vhost", SR_DIR_SUPPORTED},
    {"vhost.cluster", "registry", SR_DIR_SUPPORTED},
    {"vhost.cluster", "advertise", SR_DIR_SUPPORTED},
    {"vhost.cluster", "protocol", SR_DIR_SUPPORTED},
    {"vhost.cluster", "debug_srs_upnode", SR_DIR_IGNORED}, /* no debug info is sent upstream */
    {"vhost.cluster", "origin_cluster", SR_DIR_SUPPORTED},
    {"vhost.cluster", "coworkers", SR_DIR_SUPPORTED},
    {"vhost.cluster", "follow_client", SR_DIR_IGNORED},
    {"vhost.cluster", "timeout", SR_DIR_IGNORED},
    {"vhost.http_hooks", "secret", SR_DIR_SUPPORTED},        /* ours */
    {"vhost.http_hooks", "timeout", SR_DIR_SUPPORTED},       /* ours */
    {"vhost.http_hooks", "on_hook_error", SR_DIR_SUPPORTED}, /* ours */
    {"vhost.security", "enabled", SR_DIR_SUPPORTED},
    {"vhost.security", "allow", SR_DIR_SUPPORTED},
    {"vhost.security", "deny", SR_DIR_SUPPORTED},
    {"vhost.refer", "enabled", SR_DIR_SUPPORTED},
    {"vhost.refer", "all", SR_DIR_SUPPORTED},
    {"vhost.refer", "publish", SR_DIR_SUPPORTED},
    {"vhost.refer", "play", SR_DIR_SUPPORTED},
    {"heartbeat", "enabled", SR_DIR_SUPPORTED},
    {"heartbeat", "interval", SR_DIR_SUPPORTED},
    {"heartbeat", "url", SR_DIR_SUPPORTED},
    {"heartbeat", "device_id", SR_DIR_SUPPORTED},
    {"heartbeat", "summaries", SR_DIR_SUPPORTED},
    {"vhost.dvr", "enabled", SR_DIR_SUPPORTED},
    {"vhost.dvr", "dvr_apply", SR_DIR_SUPPORTED},
    {"vhost.dvr", "dvr_plan", SR_DIR_SUPPORTED},
    {"vhost.dvr", "dvr_path", SR_DIR_SUPPORTED},
    {"vhost.dvr", "dvr_duration", SR_DIR_SUPPORTED},
    {"vhost.dvr", "dvr_wait_keyframe", SR_DIR_SUPPORTED},
    {"vhost.dvr", "time_jitter", SR_DIR_SUPPORTED},
    {"vhost.hls", "enabled", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_fragment", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_td_ratio", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_aof_ratio", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_window", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_on_error", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_path", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_m3u8_file", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_ts_file", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_entry_prefix", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_cleanup", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_dispose", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_wait_keyframe", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_use_fmp4", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_ts_floor", SR_DIR_LATER},
    {"vhost.hls", "hls_acodec", SR_DIR_LATER},
    {"vhost.hls", "hls_vcodec", SR_DIR_LATER},
    {"vhost.hls", "hls_nb_notify", SR_DIR_LATER},
    {"vhost.hls", "hls_dts_directly", SR_DIR_LATER},
    {"vhost.hls", "hls_ts_ctx", SR_DIR_LATER},
    {"vhost.hls", "hls_keys", SR_DIR_LATER},
    {"vhost.hls", "hls_fragments_per_key", SR_DIR_LATER},
    {"vhost.hls", "hls_key_file", SR_DIR_LATER},
    {"vhost.hls", "hls_key_file_path", SR_DIR_LATER},
    {"vhost.hls", "hls_key_url", SR_DIR_LATER},
    {"vhost.hls", "hls_recover", SR_DIR_LATER},
    {"vhost.hls", "hls_fmp4_file", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_init_file", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_ctx", SR_DIR_LATER},
    {"vhost.hls", "hls_low_latency", SR_DIR_SUPPORTED},
    {"vhost.hls", "hls_part_duration", SR_DIR_SUPPORTED},
    {"vhost.publish", "firstpkt_timeout", SR_DIR_SUPPORTED},
    {"vhost.publish", "normal_timeout", SR_DIR_SUPPORTED},
    {"vhost.publish", "parse_sps", SR_DIR_SUPPORTED},
    {"vhost.publish", "kickoff_for_idle", SR_DIR_SUPPORTED},
    {"vhost.publish", "mr", SR_DIR_IGNORED},
    {"vhost.publish", "mr_latency", SR_DIR_IGNORED},
    {"vhost.publish", "try_annexb_first", SR_DIR_IGNORED},
};

static const sr_dir_t *sr_config_directives_find(const char *context, const char *name)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_dirs); i++) {
        if (strcmp(sr_dirs[i].context, context) == 0 && strcmp(sr_dirs[i].name, name) == 0) {
            return &sr_dirs[i];
        }
    }
    return NULL;
}

static bool sr_config_directives_context_known(const char *context)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_dirs); i++) {
        if (strcmp(sr_dirs[i].context, context) == 0) {
            return true;
        }
    }
    return false;
}

static int sr_config_directives_walk(const sr_conf_t *block, const char *context, int depth)
{
    int warnings = 0;
    for (int i = 0; i < sr_conf_child_count(block); i++) {
        const sr_conf_t *n = sr_conf_child_at(block, i);
        const sr_dir_t *d = sr_config_directives_find(context, sr_conf_name(n));
        if (!d) {
            sr_warn("config %s:%d: unknown directive '%s'%s%s, ignored", sr_conf_file(n), sr_conf_line(n),
                    sr_conf_name(n), context[0] ? " in " : "", context);
            warnings++;
            continue;
        }
        if (d->state == SR_DIR_LATER) {
            sr_warn("config %s:%d: directive '%s' is not supported by Strand yet, ignored", sr_conf_file(n),
                    sr_conf_line(n), sr_conf_name(n));
            warnings++;
            continue;
        }
        if (d->state == SR_DIR_SUPPORTED && sr_conf_child_count(n) > 0 && depth < 4) {
            char sub[128];
            snprintf(sub, sizeof(sub), "%s%s%s", context, context[0] ? "." : "", sr_conf_name(n));
            if (sr_config_directives_context_known(sub)) {
                warnings += sr_config_directives_walk(n, sub, depth + 1);
            }
        }
    }
    return warnings;
}

int sr_config_directives_check(const sr_conf_t *root)
{
    return sr_config_directives_walk(root, "", 0);
}
