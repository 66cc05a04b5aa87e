/* SPDX-License-Identifier: MIT */
/*
 * sr_config_server.c: resolves the config tree into sr_server_config_t. Defaults are
 * SRS's. Both the v5/v6 top-level `listen`/`chunk_size` and the v7 `rtmp { }` block
 * are read; a vhost's `play { }` block wins over the older vhost-level forms.
 */
#include "sr_config_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_config_directives.h"
#include "sr_config_env.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_jitter.h"
#include "sr_log.h"

/* ---- listen ---- */

static int sr_config_resolve_listens(const sr_conf_t *scope, sr_server_config_t *c)
{
    for (const sr_conf_t *n = sr_conf_get(scope, "listen"); n; n = sr_conf_next(scope, n, "listen")) {
        if (sr_conf_argc(n) == 0) {
            return sr_err_new(SR_ECONFIG, "%s:%d: listen needs at least one port", sr_conf_file(n), sr_conf_line(n));
        }
        for (int i = 0; i < sr_conf_argc(n); i++) {
            if (c->listen_count >= SR_CONFIG_MAX_LISTENS) {
                return sr_err_new(SR_ECONFIG, "%s:%d: more than %d listen addresses", sr_conf_file(n), sr_conf_line(n),
                                  SR_CONFIG_MAX_LISTENS);
            }
            int rc = sr_config_http_parse_listen(n, sr_conf_arg(n, i), &c->listens[c->listen_count++]);
            if (rc != SR_OK) {
                return rc;
            }
        }
    }
    return SR_OK;
}

/* ---- global ---- */

static int sr_config_resolve_log(const sr_conf_t *root, sr_server_config_t *c)
{
    const sr_conf_t *n = sr_conf_get(root, "srs_log_tank");
    const char *tank = sr_conf_str(n, "file");
    if (strcmp(tank, "console") != 0 && strcmp(tank, "file") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: srs_log_tank must be console or file, got '%s'", sr_conf_file(n),
                          sr_conf_line(n), tank);
    }
    c->is_log_file = strcmp(tank, "file") == 0;
    snprintf(c->log_file, sizeof(c->log_file), "%s",
             sr_conf_str(sr_conf_get(root, "srs_log_file"), "./objs/strand.log"));
    n = sr_conf_get(root, "srs_log_level_v2");
    if (!n) {
        n = sr_conf_get(root, "srs_log_level");
    }
    const char *level = sr_conf_str(n, "trace");
    c->log_level = sr_log_level_parse(level);
    if (c->log_level < 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: log level must be verbose, info, trace, warn or error, got '%s'",
                          sr_conf_file(n), sr_conf_line(n), level);
    }
    return SR_OK;
}

static int sr_config_resolve_global(const sr_conf_t *root, sr_server_config_t *c)
{
    const sr_conf_t *rtmp = sr_conf_get(root, "rtmp");
    /* The v7 rtmp { listen } wins over the v5/v6 top-level listen when both are given. */
    int rc = sr_config_resolve_listens(rtmp && sr_conf_get(rtmp, "listen") ? rtmp : root, c);
    if (rc != SR_OK) {
        return rc;
    }
    if (c->listen_count == 0) {
        c->listens[0].port = SR_DEFAULT_RTMP_PORT;
        snprintf(c->listens[0].ip, sizeof(c->listens[0].ip), "0.0.0.0");
        c->listen_count = 1;
    }
    const sr_conf_t *n = rtmp && sr_conf_get(rtmp, "max_connections") ? sr_conf_get(rtmp, "max_connections")
                                                                      : sr_conf_get(root, "max_connections");
    long v;
    if ((rc = sr_conf_int(n, SR_DEFAULT_MAX_CONNECTIONS, 1, 1000000, &v)) != SR_OK) {
        return rc;
    }
    c->max_connections = (int)v;
    n = rtmp && sr_conf_get(rtmp, "chunk_size") ? sr_conf_get(rtmp, "chunk_size") : sr_conf_get(root, "chunk_size");
    if ((rc = sr_conf_int(n, SR_DEFAULT_CHUNK_SIZE, 128, 65536, &v)) != SR_OK) {
        return rc;
    }
    c->chunk_size = (int)v;
    if ((rc = sr_conf_bool(sr_conf_get(root, "daemon"), true, &c->is_daemon)) != SR_OK) {
        return rc;
    }
    snprintf(c->pid_file, sizeof(c->pid_file), "%s", sr_conf_str(sr_conf_get(root, "pid"), "./objs/strand.pid"));
    snprintf(c->ff_log_dir, sizeof(c->ff_log_dir), "%s", sr_conf_str(sr_conf_get(root, "ff_log_dir"), "./objs"));
    return sr_config_resolve_log(root, c);
}

/* ---- vhosts ---- */

/* The play/publish directive: inside the block if present there, else the vhost-level alias. */
static const sr_conf_t *sr_config_vhost_get(const sr_conf_t *vhost, const char *block, const char *name)
{
    const sr_conf_t *b = sr_conf_get(vhost, block);
    const sr_conf_t *n = b ? sr_conf_get(b, name) : NULL;
    return n ? n : sr_conf_get(vhost, name);
}

static int sr_config_ms(const sr_conf_t *n, long dflt, int *out)
{
    long v;
    int rc = sr_conf_int(n, dflt, 0, 86400000, &v);
    *out = (int)v;
    return rc;
}

static int sr_config_resolve_play(const sr_conf_t *vn, sr_vhost_config_t *v)
{
    int rc;
    long l;
    double d;
    const sr_conf_t *n;
    if ((rc = sr_conf_bool(sr_config_vhost_get(vn, "play", "gop_cache"), true, &v->is_gop_cache)) != SR_OK ||
        (rc = sr_conf_int(sr_config_vhost_get(vn, "play", "gop_cache_max_frames"), 2500, 0, 1000000, &l)) != SR_OK) {
        return rc;
    }
    v->gop_cache_max_frames = (int)l;
    n = sr_config_vhost_get(vn, "play", "queue_length");
    if ((rc = sr_conf_double(n, 30, &d)) != SR_OK) {
        return rc;
    }
    if (d <= 0 || d > 3600) {
        return sr_err_new(SR_ECONFIG, "%s:%d: queue_length must be more than 0 and at most 3600 seconds",
                          sr_conf_file(n), sr_conf_line(n));
    }
    v->queue_length_ms = (int64_t)(d * 1000);
    n = sr_config_vhost_get(vn, "play", "time_jitter");
    v->time_jitter = sr_jitter_algo_parse(sr_conf_str(n, "full"));
    if (v->time_jitter < 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: time_jitter must be full, zero or off", sr_conf_file(n), sr_conf_line(n));
    }
    if ((rc = sr_conf_bool(sr_config_vhost_get(vn, "play", "atc"), false, &v->is_atc)) != SR_OK ||
        (rc = sr_conf_bool(sr_config_vhost_get(vn, "play", "mix_correct"), false, &v->is_mix_correct)) != SR_OK ||
        (rc = sr_config_ms(sr_config_vhost_get(vn, "play", "mw_latency"), 350, &v->mw_latency_ms)) != SR_OK ||
        (rc = sr_conf_int(sr_config_vhost_get(vn, "play", "mw_msgs"), 8, 0, 1024, &l)) != SR_OK) {
        return rc;
    }
    v->mw_msgs = (int)l;
    n = sr_config_vhost_get(vn, "play", "send_min_interval");
    if ((rc = sr_conf_double_range(n, 0, 0, 10000, &d)) != SR_OK) {
        return rc;
    }
    v->send_min_interval_us = (int64_t)(d * 1000);
    return SR_OK;
}

static int sr_config_resolve_publish(const sr_conf_t *vn, sr_vhost_config_t *v)
{
    int rc;
    double idle_s;
    if ((rc = sr_config_ms(sr_config_vhost_get(vn, "publish", "firstpkt_timeout"), 20000, &v->firstpkt_timeout_ms)) ||
        (rc = sr_config_ms(sr_config_vhost_get(vn, "publish", "normal_timeout"), 5000, &v->normal_timeout_ms)) ||
        (rc = sr_conf_bool(sr_config_vhost_get(vn, "publish", "parse_sps"), true, &v->is_parse_sps)) ||
        (rc = sr_conf_double_range(sr_config_vhost_get(vn, "publish", "kickoff_for_idle"), 0, 0, 86400, &idle_s))) {
        return rc;
    }
    v->kickoff_for_idle_ms = (int)(idle_s * 1000);
    return SR_OK;
}

static int sr_config_resolve_vhost(const sr_conf_t *vn, const sr_server_config_t *c, sr_vhost_config_t *v)
{
    int rc;
    long l;
    if (sr_conf_argc(vn) != 1) {
        return sr_err_new(SR_ECONFIG, "%s:%d: vhost needs exactly one name", sr_conf_file(vn), sr_conf_line(vn));
    }
    snprintf(v->name, sizeof(v->name), "%s", sr_conf_arg(vn, 0));
    v->node = vn;
    if ((rc = sr_conf_bool(sr_conf_get(vn, "enabled"), true, &v->is_enabled)) ||
        (rc = sr_conf_bool(sr_conf_get(vn, "min_latency"), false, &v->is_min_latency)) ||
        (rc = sr_conf_bool(sr_conf_get(vn, "tcp_nodelay"), false, &v->is_tcp_nodelay)) ||
        (rc = sr_conf_int(sr_conf_get(vn, "chunk_size"), c->chunk_size, 128, 65536, &l))) {
        return rc;
    }
    v->chunk_size = (int)l;
    if ((rc = sr_conf_int(sr_conf_get(vn, "in_ack_size"), 0, 0, 0x7fffffff, &v->in_ack_size)) ||
        (rc = sr_conf_int(sr_conf_get(vn, "out_ack_size"), 2500000, 0, 0x7fffffff, &v->out_ack_size))) {
        return rc;
    }
    if ((rc = sr_config_resolve_play(vn, v)) != SR_OK || (rc = sr_config_resolve_publish(vn, v)) != SR_OK) {
        return rc;
    }
    if ((rc = sr_config_srt_resolve_vhost(vn, &v->srt)) != SR_OK ||
        (rc = sr_config_rtc_resolve_vhost(vn, &v->rtc)) != SR_OK) {
        return rc;
    }
    return sr_config_http_resolve_remux(vn, &v->http_remux);
}

static int sr_config_resolve_vhosts(const sr_conf_t *root, sr_server_config_t *c)
{
    int count = 0;
    for (const sr_conf_t *n = sr_conf_get(root, "vhost"); n; n = sr_conf_next(root, n, "vhost")) {
        count++;
    }
    c->vhosts = sr_calloc((size_t)count + 1, sizeof(sr_vhost_config_t));
    c->hooks = sr_calloc((size_t)count + 1, sizeof(sr_hooks_config_t));
    c->hls = sr_calloc((size_t)count + 1, sizeof(sr_hls_config_t));
    c->dvr = sr_calloc((size_t)count + 1, sizeof(sr_dvr_config_t));
    c->forward = sr_calloc((size_t)count + 1, sizeof(sr_forward_config_t));
    c->cluster = sr_calloc((size_t)count + 1, sizeof(sr_cluster_config_t));
    c->process = sr_calloc((size_t)count + 1, sizeof(sr_process_config_t));
    c->access = sr_calloc((size_t)count + 1, sizeof(sr_access_config_t));
    c->rtsp = sr_calloc((size_t)count + 1, sizeof(sr_rtsp_vhost_config_t));
    for (const sr_conf_t *n = sr_conf_get(root, "vhost"); n; n = sr_conf_next(root, n, "vhost")) {
        sr_vhost_config_t *v = &c->vhosts[c->vhost_count];
        int rc = sr_config_resolve_vhost(n, c, v);
        if (rc != SR_OK) {
            return rc;
        }
        if (sr_server_config_vhost_exact(c, v->name)) {
            return sr_err_new(SR_ECONFIG, "%s:%d: vhost '%s' is defined twice", sr_conf_file(n), sr_conf_line(n),
                              v->name);
        }
        v->hooks = &c->hooks[c->vhost_count];
        v->hls = &c->hls[c->vhost_count];
        v->dvr = &c->dvr[c->vhost_count];
        v->forward = &c->forward[c->vhost_count];
        v->cluster = &c->cluster[c->vhost_count];
        v->process = &c->process[c->vhost_count];
        v->access = &c->access[c->vhost_count];
        v->rtsp = &c->rtsp[c->vhost_count];
        if ((rc = sr_config_media_resolve_hls(n, &c->hls[c->vhost_count])) != SR_OK ||
            (rc = sr_config_media_resolve_dvr(n, &c->dvr[c->vhost_count])) != SR_OK ||
            (rc = sr_config_cluster_resolve_forward(n, &c->forward[c->vhost_count])) != SR_OK ||
            (rc = sr_config_cluster_resolve(n, &c->cluster[c->vhost_count])) != SR_OK ||
            (rc = sr_config_rtsp_resolve_vhost(n, &c->rtsp[c->vhost_count])) != SR_OK) {
            return rc;
        }
        rc = sr_config_http_resolve_hooks(n, &c->hooks[c->vhost_count]);
        rc = rc ? rc : sr_config_process_resolve_vhost(n, &c->process[c->vhost_count]);
        rc = rc ? rc : sr_config_access_resolve(n, &c->access[c->vhost_count]);
        if (rc != SR_OK) {
            c->vhost_count++; /* so that free releases what the hooks and process allocated */
            return rc;
        }
        c->vhost_count++;
    }
    return SR_OK;
}

int sr_server_config_load(const char *path, sr_server_config_t **out)
{
    sr_server_config_t *c = SR_NEW(sr_server_config_t);
    c->path = sr_strdup(path);
    /* SRS's -e: no file, the defaults, the default vhost and the environment */
    int rc = strcmp(path, SR_CONFIG_PATH_ENV_ONLY) == 0
                 ? sr_conf_load_string("vhost " SR_DEFAULT_VHOST " {\n}\n", path, &c->root)
                 : sr_conf_load_file(path, &c->root);
    if (rc == SR_OK) {
        sr_buf_t report;
        sr_buf_init(&report);
        rc = sr_config_env_apply(c->root, NULL, NULL, &report);
        rc = rc < 0 ? rc : SR_OK;
        sr_buf_put_u8(&report, 0);
        c->env_report = (char *)report.data; /* taken */
    }
    if (rc == SR_OK) {
        rc = sr_config_resolve_global(c->root, c);
    }
    if (rc == SR_OK) {
        rc = sr_config_resolve_vhosts(c->root, c);
    }
    if (rc == SR_OK) {
        rc = sr_config_http_resolve_server(c->root, &c->http_server);
    }
    if (rc == SR_OK) {
        rc = sr_config_http_resolve_api(c->root, &c->http_api);
    }
    if (rc == SR_OK) {
        rc = sr_config_http_resolve_exporter(c->root, &c->exporter);
    }
    if (rc == SR_OK) {
        rc = sr_config_srt_resolve_server(c->root, &c->srt_server);
    }
    if (rc == SR_OK) {
        rc = sr_config_rtc_resolve_server(c->root, &c->rtc_server);
    }
    if (rc == SR_OK) {
        rc = sr_config_rtsp_resolve_server(c->root, &c->rtsp_server);
    }
    if (rc == SR_OK) {
        rc = sr_config_tls_resolve(sr_conf_get(c->root, "rtmps"), "rtmps", 1443, NULL, &c->rtmps);
    }
    if (rc == SR_OK) {
        rc = sr_config_http_resolve_heartbeat(c->root, &c->heartbeat);
    }
    if (rc != SR_OK) {
        sr_server_config_free(c);
        return rc;
    }
    c->warnings = sr_config_directives_check(c->root);
    *out = c;
    return SR_OK;
}

void sr_server_config_print_env(const sr_server_config_t *c, const char *prefix, FILE *f)
{
    const char *p = c && c->env_report ? c->env_report : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        if (f) {
            fprintf(f, "%s%.*s\n", prefix, len, p);
        } else {
            sr_trace("%s%.*s", prefix, len, p);
        }
        p += len + (nl ? 1 : 0);
    }
}

void sr_server_config_free(sr_server_config_t *c)
{
    if (!c) {
        return;
    }
    sr_conf_free(c->root);
    sr_free(c->env_report);
    sr_config_tls_deinit(&c->http_server.https);
    sr_config_tls_deinit(&c->http_api.https);
    sr_config_tls_deinit(&c->rtmps);
    for (int i = 0; c->hooks && i < c->vhost_count; i++) {
        sr_config_http_hooks_deinit(&c->hooks[i]);
        sr_config_process_deinit(&c->process[i]);
    }
    for (int i = 0; c->access && i < c->vhost_count; i++) {
        sr_config_access_deinit(&c->access[i]);
    }
    sr_free(c->hooks);
    sr_free(c->access);
    sr_free(c->rtsp);
    sr_free(c->hls);
    sr_free(c->dvr);
    sr_free(c->forward);
    sr_free(c->cluster);
    sr_free(c->process);
    sr_free(c->vhosts);
    sr_free(c->path);
    sr_free(c);
}

void sr_server_config_vhost_detach(sr_vhost_config_t *dst, const sr_vhost_config_t *src)
{
    *dst = *src;
    dst->node = NULL;
    dst->hooks = NULL;
    dst->hls = NULL;
    dst->dvr = NULL;
    dst->forward = NULL;
    dst->cluster = NULL;
    dst->process = NULL;
    dst->access = NULL;
    dst->rtsp = NULL;
}

const sr_vhost_config_t *sr_server_config_vhost_exact(const sr_server_config_t *c, const char *name)
{
    for (int i = 0; i < c->vhost_count; i++) {
        if (strcmp(c->vhosts[i].name, name) == 0) {
            return &c->vhosts[i];
        }
    }
    return NULL;
}

const sr_vhost_config_t *sr_server_config_vhost(const sr_server_config_t *c, const char *name)
{
    const sr_vhost_config_t *v = sr_server_config_vhost_exact(c, name);
    return v ? v : sr_server_config_vhost_exact(c, SR_DEFAULT_VHOST);
}
