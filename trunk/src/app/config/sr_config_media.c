/* SPDX-License-Identifier: MIT */
/*
 * sr_config_media.c: hls { } and dvr { } with SRS's defaults (hls_fragment 10,
 * hls_window 60, hls_path ./objs/nginx/html, dvr_plan session, dvr_duration 30, ...).
 */
#include "sr_config_media.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"
#include "sr_jitter.h"

static const sr_conf_t *sr_config_media_get(const sr_conf_t *block, const char *name)
{
    return block ? sr_conf_get(block, name) : NULL;
}

static int sr_config_media_seconds(const sr_conf_t *block, const char *name, double dflt, double min, double *out)
{
    return sr_conf_double_range(sr_config_media_get(block, name), dflt, min, 1e9, out);
}

static void sr_config_media_str(const sr_conf_t *block, const char *name, const char *dflt, char *out, size_t size)
{
    snprintf(out, size, "%s", sr_conf_str(sr_config_media_get(block, name), dflt));
}

int sr_config_media_resolve_hls(const sr_conf_t *vhost, sr_hls_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(vhost, "hls");
    memset(out, 0, sizeof(*out));
    int rc;
    if ((rc = sr_conf_bool(sr_config_media_get(b, "enabled"), false, &out->is_enabled)) ||
        (rc = sr_config_media_seconds(b, "hls_fragment", 10, 0.1, &out->fragment_s)) ||
        (rc = sr_config_media_seconds(b, "hls_td_ratio", 1.0, 1.0, &out->td_ratio)) ||
        (rc = sr_config_media_seconds(b, "hls_aof_ratio", 2.1, 0.1, &out->aof_ratio)) ||
        (rc = sr_config_media_seconds(b, "hls_window", 60, 0.1, &out->window_s)) ||
        (rc = sr_config_media_seconds(b, "hls_dispose", 120, 0, &out->dispose_s)) ||
        (rc = sr_conf_bool(sr_config_media_get(b, "hls_cleanup"), true, &out->is_cleanup)) ||
        (rc = sr_conf_bool(sr_config_media_get(b, "hls_wait_keyframe"), true, &out->is_wait_keyframe)) ||
        (rc = sr_conf_bool(sr_config_media_get(b, "hls_use_fmp4"), false, &out->is_use_fmp4)) ||
        (rc = sr_conf_bool(sr_config_media_get(b, "hls_low_latency"), false, &out->is_low_latency)) ||
        (rc = sr_config_media_seconds(b, "hls_part_duration", 0.5, 0.1, &out->part_duration_s))) {
        return rc;
    }
    const sr_conf_t *n = sr_config_media_get(b, "hls_on_error");
    const char *on_error = sr_conf_str(n, "continue");
    if (strcmp(on_error, "continue") != 0 && strcmp(on_error, "disconnect") != 0 && strcmp(on_error, "ignore") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: hls_on_error must be continue, ignore or disconnect, got '%s'",
                          sr_conf_file(n), sr_conf_line(n), on_error);
    }
    out->is_on_error_continue = strcmp(on_error, "disconnect") != 0;
    sr_config_media_str(b, "hls_path", "./objs/nginx/html", out->path, sizeof(out->path));
    sr_config_media_str(b, "hls_m3u8_file", "[app]/[stream].m3u8", out->m3u8_file, sizeof(out->m3u8_file));
    sr_config_media_str(b, "hls_ts_file", "[app]/[stream]-[seq].ts", out->ts_file, sizeof(out->ts_file));
    sr_config_media_str(b, "hls_entry_prefix", "", out->entry_prefix, sizeof(out->entry_prefix));
    sr_config_media_str(b, "hls_fmp4_file", "[app]/[stream]-[seq].m4s", out->fmp4_file, sizeof(out->fmp4_file));
    sr_config_media_str(b, "hls_init_file", "[app]/[stream]/init.mp4", out->init_file, sizeof(out->init_file));
    return SR_OK;
}

int sr_config_media_resolve_dvr(const sr_conf_t *vhost, sr_dvr_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(vhost, "dvr");
    memset(out, 0, sizeof(*out));
    int rc;
    if ((rc = sr_conf_bool(sr_config_media_get(b, "enabled"), false, &out->is_enabled)) ||
        (rc = sr_config_media_seconds(b, "dvr_duration", 30, 1, &out->duration_s)) ||
        (rc = sr_conf_bool(sr_config_media_get(b, "dvr_wait_keyframe"), true, &out->is_wait_keyframe))) {
        return rc;
    }
    const sr_conf_t *n = sr_config_media_get(b, "dvr_plan");
    const char *plan = sr_conf_str(n, "session");
    if (strcmp(plan, "session") != 0 && strcmp(plan, "segment") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: dvr_plan must be session or segment, got '%s'", sr_conf_file(n),
                          sr_conf_line(n), plan);
    }
    out->plan = strcmp(plan, "segment") == 0 ? SR_DVR_PLAN_SEGMENT : SR_DVR_PLAN_SESSION;
    n = sr_config_media_get(b, "time_jitter");
    out->time_jitter = sr_jitter_algo_parse(sr_conf_str(n, "full"));
    if (out->time_jitter < 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: time_jitter must be full, zero or off", sr_conf_file(n), sr_conf_line(n));
    }
    sr_config_media_str(b, "dvr_path", "./objs/nginx/html/[app]/[stream].[timestamp].flv", out->path,
                        sizeof(out->path));
    const char *ext = strrchr(out->path, '.');
    n = sr_config_media_get(b, "dvr_path");
    if (!ext || (strcmp(ext, ".flv") != 0 && strcmp(ext, ".mp4") != 0)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: dvr_path must end in .flv or .mp4, got '%s'", sr_conf_file(n),
                          sr_conf_line(n), out->path);
    }
    /* dvr_apply takes several arguments: "all" or app/stream names. */
    n = sr_config_media_get(b, "dvr_apply");
    out->apply[0] = '\0';
    for (int i = 0; n && i < sr_conf_argc(n); i++) {
        size_t len = strlen(out->apply);
        snprintf(out->apply + len, sizeof(out->apply) - len, "%s%s", i ? " " : "", sr_conf_arg(n, i));
    }
    if (!out->apply[0]) {
        snprintf(out->apply, sizeof(out->apply), "all");
    }
    return SR_OK;
}

bool sr_config_media_dvr_applies(const sr_dvr_config_t *c, const char *app, const char *stream)
{
    char want[512];
    snprintf(want, sizeof(want), "%s/%s", app, stream);
    const char *p = c->apply;
    while (*p) {
        size_t n = strcspn(p, " ");
        if ((n == 3 && strncmp(p, "all", 3) == 0) || (n == strlen(want) && strncmp(p, want, n) == 0)) {
            return true;
        }
        p += n;
        while (*p == ' ') {
            p++;
        }
    }
    return false;
}

bool sr_config_media_hls_equal(const sr_hls_config_t *a, const sr_hls_config_t *b)
{
    return a->is_enabled == b->is_enabled && a->fragment_s == b->fragment_s && a->td_ratio == b->td_ratio &&
           a->aof_ratio == b->aof_ratio && a->window_s == b->window_s &&
           a->is_on_error_continue == b->is_on_error_continue && strcmp(a->path, b->path) == 0 &&
           strcmp(a->m3u8_file, b->m3u8_file) == 0 && strcmp(a->ts_file, b->ts_file) == 0 &&
           strcmp(a->entry_prefix, b->entry_prefix) == 0 && a->is_cleanup == b->is_cleanup &&
           a->dispose_s == b->dispose_s && a->is_wait_keyframe == b->is_wait_keyframe &&
           a->is_use_fmp4 == b->is_use_fmp4 && strcmp(a->fmp4_file, b->fmp4_file) == 0 &&
           strcmp(a->init_file, b->init_file) == 0 && a->is_low_latency == b->is_low_latency &&
           a->part_duration_s == b->part_duration_s;
}

bool sr_config_media_dvr_equal(const sr_dvr_config_t *a, const sr_dvr_config_t *b)
{
    return a->is_enabled == b->is_enabled && strcmp(a->apply, b->apply) == 0 && a->plan == b->plan &&
           strcmp(a->path, b->path) == 0 && a->duration_s == b->duration_s &&
           a->is_wait_keyframe == b->is_wait_keyframe && a->time_jitter == b->time_jitter;
}
