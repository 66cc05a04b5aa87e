/* SPDX-License-Identifier: MIT */
/*
 * sr_config_env.c: the table of directives an SRS_* environment variable may set, and
 * applying them to a parsed tree (see sr_config_env.h). What a value means is checked
 * later by the same resolvers as the file's values.
 */
#include "sr_config_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_error.h"

/* SRS's full.conf names these ("Overwrite by env ..."), limited to what Strand acts on. */
static const char *const sr_config_env_paths[] = {
    "listen", "max_connections", "chunk_size", "daemon", "pid", "srs_log_tank", "srs_log_level", "srs_log_level_v2",
    "srs_log_file", "ff_log_dir",
    /* http_api */
    "http_api.enabled", "http_api.listen", "http_api.crossdomain", "http_api.raw_api.enabled",
    "http_api.raw_api.allow_reload", "http_api.auth.enabled", "http_api.auth.username", "http_api.auth.password",
    "http_api.https.enabled", "http_api.https.listen", "http_api.https.key", "http_api.https.cert",
    /* http_server */
    "http_server.enabled", "http_server.listen", "http_server.dir", "http_server.crossdomain",
    "http_server.https.enabled", "http_server.https.listen", "http_server.https.key", "http_server.https.cert",
    /* rtsp_server (ours) */
    "rtsp_server.enabled", "rtsp_server.listen", "rtsp_server.rtp_port", "rtsp_server.rtcp_port",
    "rtsp_server.session_timeout",
    /* rtc_server */
    "rtc_server.enabled", "rtc_server.listen", "rtc_server.candidate", "rtc_server.protocol",
    "rtc_server.api_as_candidates",
    /* srt_server */
    "srt_server.enabled", "srt_server.listen", "srt_server.default_app", "srt_server.latency", "srt_server.peerlatency",
    "srt_server.recvlatency", "srt_server.maxbw", "srt_server.mss", "srt_server.connect_timeout",
    "srt_server.peer_idle_timeout", "srt_server.tsbpdmode", "srt_server.tlpktdrop", "srt_server.sendbuf",
    "srt_server.recvbuf", "srt_server.payloadsize", "srt_server.passphrase", "srt_server.pbkeylen",
    /* exporter, heartbeat */
    "exporter.enabled", "exporter.listen", "exporter.label", "exporter.tag", "heartbeat.enabled", "heartbeat.interval",
    "heartbeat.url", "heartbeat.device_id", "heartbeat.summaries",
    /* every vhost */
    "vhost.hls.enabled", "vhost.hls.hls_fragment", "vhost.hls.hls_td_ratio", "vhost.hls.hls_aof_ratio",
    "vhost.hls.hls_window", "vhost.hls.hls_on_error", "vhost.hls.hls_path", "vhost.hls.hls_m3u8_file",
    "vhost.hls.hls_ts_file", "vhost.hls.hls_entry_prefix", "vhost.hls.hls_cleanup", "vhost.hls.hls_dispose",
    "vhost.hls.hls_wait_keyframe", "vhost.hls.hls_use_fmp4", "vhost.hls.hls_fmp4_file", "vhost.hls.hls_init_file",
    "vhost.hls.hls_low_latency", "vhost.hls.hls_part_duration", "vhost.http_remux.enabled", "vhost.http_remux.mount",
    "vhost.http_remux.has_audio", "vhost.http_remux.has_video", "vhost.http_remux.guess_has_av",
    "vhost.http_remux.drop_if_not_match", "vhost.dvr.enabled", "vhost.dvr.dvr_apply", "vhost.dvr.dvr_plan",
    "vhost.dvr.dvr_path", "vhost.dvr.dvr_duration", "vhost.dvr.dvr_wait_keyframe", "vhost.dvr.time_jitter",
    "vhost.rtc.enabled", "vhost.rtc.rtmp_to_rtc", "vhost.rtc.rtc_to_rtmp", "vhost.rtc.nack", "vhost.rtc.twcc",
    "vhost.rtc.stun_timeout", "vhost.rtc.dtls_role", "vhost.rtc.pli_for_rtmp", "vhost.srt.enabled",
    "vhost.srt.srt_to_rtmp", "vhost.http_hooks.enabled", "vhost.http_hooks.on_connect", "vhost.http_hooks.on_close",
    "vhost.http_hooks.on_publish", "vhost.http_hooks.on_unpublish", "vhost.http_hooks.on_play",
    "vhost.http_hooks.on_stop", "vhost.http_hooks.on_dvr", "vhost.http_hooks.on_hls"};

#define SR_CONFIG_ENV_COUNT ((int)(sizeof(sr_config_env_paths) / sizeof(sr_config_env_paths[0])))
#define SR_CONFIG_ENV_VHOST "vhost."

int sr_config_env_name(const char *path, char *out, size_t size)
{
    if (!path || !*path) {
        return sr_err_new(SR_EINVAL, "empty directive path");
    }
    size_t need = 4 + strlen(path) + 1;
    if (need > size) {
        return sr_err_new(SR_EOVERFLOW, "variable name for %s", path);
    }
    memcpy(out, "SRS_", 4);
    size_t i = 4;
    for (const char *p = path; *p; p++) {
        char c = *p;
        out[i++] = c == '.' ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    out[i] = '\0';
    return SR_OK;
}

int sr_config_env_count(void)
{
    return SR_CONFIG_ENV_COUNT;
}

const char *sr_config_env_path_at(int i)
{
    return i >= 0 && i < SR_CONFIG_ENV_COUNT ? sr_config_env_paths[i] : NULL;
}

static const char *sr_config_env_getenv(const char *name, void *arg)
{
    (void)arg;
    return getenv(name);
}

/* A value that is only "$NAME" or "${NAME}": NAME into out. */
static bool sr_config_env_indirect(const char *value, char *out, size_t size)
{
    const char *p = value + 1;
    size_t n = strlen(p);
    if (*p == '{') {
        p++;
        n = n >= 2 && p[n - 2] == '}' ? n - 2 : 0;
    }
    if (n == 0 || n >= size) {
        return false;
    }
    for (size_t i = 0; i < n; i++) { /* a whole name, else the value is taken as it is */
        char c = p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9'))) {
            return false;
        }
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* Apply one variable's value; the origin "env VAR" is what errors name. */
static int sr_config_env_apply_one(sr_conf_t *root, const char *path, const char *var, const char *value)
{
    char origin[128];
    snprintf(origin, sizeof(origin), "env %s", var);
    size_t vl = strlen(SR_CONFIG_ENV_VHOST);
    if (strncmp(path, SR_CONFIG_ENV_VHOST, vl) == 0) {
        return sr_conf_override_blocks(root, "vhost", "__defaultVhost__", path + vl, value, origin);
    }
    return sr_conf_override(root, path, value, origin);
}

int sr_config_env_apply(sr_conf_t *root, sr_config_env_get_fn get, void *arg, sr_buf_t *report)
{
    if (!get) {
        get = sr_config_env_getenv;
    }
    int applied = 0;
    for (int i = 0; i < SR_CONFIG_ENV_COUNT; i++) {
        char var[96];
        int rc = sr_config_env_name(sr_config_env_paths[i], var, sizeof(var));
        if (rc != SR_OK) {
            return rc;
        }
        const char *value = get(var, arg);
        char name[128];
        if (value && value[0] == '$' && sr_config_env_indirect(value, name, sizeof(name))) {
            value = get(name, arg); /* SRS_RTC_SERVER_CANDIDATE=$CANDIDATE names another variable */
        }
        /* SRS treats an empty variable as unset */
        if (!value || !*value) {
            continue;
        }
        rc = sr_config_env_apply_one(root, sr_config_env_paths[i], var, value);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "environment variable %s", var);
        }
        if (report) {
            /* a secret stays out of `strand -t` output and logs */
            bool is_secret = strstr(var, "PASSWORD") || strstr(var, "PASSPHRASE");
            sr_buf_printf(report, "env %s sets %s = %s\n", var, sr_config_env_paths[i], is_secret ? "***" : value);
        }
        applied++;
    }
    return applied;
}
