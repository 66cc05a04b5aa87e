/* SPDX-License-Identifier: MIT */
/*
 * sr_config_http.c: resolves http_server, http_api, exporter, and the vhost blocks
 * http_remux and http_hooks. `http_stream` is SRS's older name of http_server.
 */
#include "sr_config_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_tls.h"

static const char *const sr_hook_names[SR_HOOK_COUNT] = {
    "on_connect", "on_close", "on_publish", "on_unpublish", "on_play", "on_stop", "on_dvr", "on_hls", "on_hls_notify",
};

const char *sr_hook_event_name(sr_hook_event_t ev)
{
    return ev < SR_HOOK_COUNT ? sr_hook_names[ev] : "on_unknown";
}

int sr_config_http_parse_listen(const sr_conf_t *n, const char *arg, sr_listen_addr_t *out)
{
    const char *port = arg;
    out->ip[0] = '\0';
    if (arg[0] == '[') { /* [::]:1935 */
        const char *close = strchr(arg, ']');
        if (!close || close[1] != ':' || (size_t)(close - arg - 1) >= sizeof(out->ip)) {
            return sr_err_new(SR_ECONFIG, "%s:%d: bad listen address '%s'", sr_conf_file(n), sr_conf_line(n), arg);
        }
        snprintf(out->ip, sizeof(out->ip), "%.*s", (int)(close - arg - 1), arg + 1);
        port = close + 2;
    } else if (strchr(arg, ':')) { /* 0.0.0.0:1935 */
        const char *colon = strrchr(arg, ':');
        snprintf(out->ip, sizeof(out->ip), "%.*s", (int)(colon - arg), arg);
        port = colon + 1;
    }
    char *end = NULL;
    long v = strtol(port, &end, 10);
    if (!*port || *end || v <= 0 || v > 65535) {
        return sr_err_new(SR_ECONFIG, "%s:%d: listen port must be 1..65535, got '%s'", sr_conf_file(n), sr_conf_line(n),
                          arg);
    }
    out->port = (int)v;
    if (!out->ip[0]) {
        snprintf(out->ip, sizeof(out->ip), "0.0.0.0");
    }
    return SR_OK;
}

int sr_config_server_block(const sr_conf_t *b, int default_port, bool *enabled, sr_listen_addr_t *addr)
{
    snprintf(addr->ip, sizeof(addr->ip), "0.0.0.0");
    addr->port = default_port;
    int rc = sr_conf_bool(b ? sr_conf_get(b, "enabled") : NULL, false, enabled);
    const sr_conf_t *l = b ? sr_conf_get(b, "listen") : NULL;
    if (rc == SR_OK && l) {
        if (sr_conf_argc(l) < 1) {
            return sr_err_new(SR_ECONFIG, "%s:%d: listen needs a port", sr_conf_file(l), sr_conf_line(l));
        }
        rc = sr_config_http_parse_listen(l, sr_conf_arg(l, 0), addr);
    }
    return rc;
}

static void sr_config_http_copy(char *dst, size_t size, const sr_conf_t *n, const char *dflt)
{
    snprintf(dst, size, "%s", sr_conf_str(n, dflt));
}

/* A TLS file directive n (NULL: the default, cited at the block b) that must be readable. */
static int sr_config_tls_file(const sr_conf_t *b, const sr_conf_t *n, const char *name, const char *path)
{
    const sr_conf_t *at = n ? n : b;
    if (!path[0] || access(path, R_OK) != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: %s %s %s: %s", sr_conf_file(at), sr_conf_line(at), name,
                          n ? sr_conf_name(n) : "default", path, path[0] ? strerror(errno) : "empty path");
    }
    return SR_OK;
}

int sr_config_tls_resolve(const sr_conf_t *b, const char *name, int default_port, const char *alpn,
                          sr_tls_listen_config_t *out)
{
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, default_port, &out->is_enabled, &out->addr);
    const sr_conf_t *key = b ? sr_conf_get(b, "key") : NULL;
    const sr_conf_t *cert = b ? sr_conf_get(b, "cert") : NULL;
    sr_config_http_copy(out->key, sizeof(out->key), key, "./conf/server.key");
    sr_config_http_copy(out->cert, sizeof(out->cert), cert, "./conf/server.crt");
    if (rc != SR_OK || !out->is_enabled) {
        return rc;
    }
    if ((rc = sr_config_tls_file(b, cert, name, out->cert)) != SR_OK ||
        (rc = sr_config_tls_file(b, key, name, out->key)) != SR_OK) {
        return rc;
    }
    rc = sr_tls_ctx_new_server(out->cert, out->key, alpn, &out->ctx);
    if (rc != SR_OK) {
        const sr_conf_t *at = cert ? cert : key ? key : b;
        return sr_err_wrap(rc, "%s:%d: %s cert %s, key %s", sr_conf_file(at), sr_conf_line(at), name, out->cert,
                           out->key);
    }
    if (!alpn) {
        sr_tls_ctx_no_tickets(out->ctx); /* not HTTP (rtmps): no client resumes, and rtmpdump trips on them */
    }
    /* at start and at each reload: which certificate the next connections get */
    sr_trace("%s: certificate %s, %s, %s", name, out->cert, sr_tls_ctx_summary(out->ctx),
             sr_tls_ctx_fingerprint(out->ctx));
    return SR_OK;
}

void sr_config_tls_deinit(sr_tls_listen_config_t *t)
{
    sr_tls_ctx_unref(t->ctx);
    t->ctx = NULL;
}

int sr_config_http_resolve_server(const sr_conf_t *root, sr_http_server_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "http_server");
    if (!b) {
        b = sr_conf_get(root, "http_stream");
    }
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 8080, &out->is_enabled, &out->addr);
    if (rc == SR_OK) {
        rc = sr_conf_bool(b ? sr_conf_get(b, "crossdomain") : NULL, true, &out->is_crossdomain);
    }
    sr_config_http_copy(out->dir, sizeof(out->dir), b ? sr_conf_get(b, "dir") : NULL, "./objs/nginx/html");
    if (rc == SR_OK) {
        rc = sr_conf_int(b ? sr_conf_get(b, "hls_memory_cache_mb") : NULL, 256, 0, 1 << 20, &out->hls_memory_cache_mb);
    }
    if (rc == SR_OK) {
        rc = sr_config_tls_resolve(b ? sr_conf_get(b, "https") : NULL, "http_server.https", 8088, "http/1.1",
                                   &out->https);
    }
    return rc;
}

int sr_config_http_resolve_api(const sr_conf_t *root, sr_http_api_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "http_api");
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 1985, &out->is_enabled, &out->addr);
    if (rc == SR_OK) {
        rc = sr_conf_bool(b ? sr_conf_get(b, "crossdomain") : NULL, true, &out->is_crossdomain);
    }
    const sr_conf_t *raw = b ? sr_conf_get(b, "raw_api") : NULL;
    if (rc == SR_OK) {
        rc = sr_conf_bool(raw ? sr_conf_get(raw, "enabled") : NULL, false, &out->is_raw_api);
    }
    if (rc == SR_OK) {
        rc = sr_conf_bool(raw ? sr_conf_get(raw, "allow_reload") : NULL, false, &out->is_allow_reload);
    }
    const sr_conf_t *auth = b ? sr_conf_get(b, "auth") : NULL;
    if (rc == SR_OK) {
        rc = sr_conf_bool(auth ? sr_conf_get(auth, "enabled") : NULL, false, &out->is_auth);
    }
    sr_config_http_copy(out->username, sizeof(out->username), auth ? sr_conf_get(auth, "username") : NULL, "");
    sr_config_http_copy(out->password, sizeof(out->password), auth ? sr_conf_get(auth, "password") : NULL, "");
    if (rc == SR_OK) {
        rc = sr_config_tls_resolve(b ? sr_conf_get(b, "https") : NULL, "http_api.https", 1990, "http/1.1", &out->https);
    }
    return rc;
}

int sr_config_http_resolve_exporter(const sr_conf_t *root, sr_exporter_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "exporter");
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 9972, &out->is_enabled, &out->addr);
    sr_config_http_copy(out->label, sizeof(out->label), b ? sr_conf_get(b, "label") : NULL, "");
    sr_config_http_copy(out->tag, sizeof(out->tag), b ? sr_conf_get(b, "tag") : NULL, "");
    return rc;
}

int sr_config_http_resolve_remux(const sr_conf_t *vhost, sr_http_remux_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(vhost, "http_remux");
    memset(out, 0, sizeof(*out));
    const sr_conf_t *n = b ? sr_conf_get(b, "mount") : NULL;
    sr_config_http_copy(out->mount, sizeof(out->mount), n, "[vhost]/[app]/[stream].flv");
    if (n && !strstr(out->mount, "[stream]")) {
        return sr_err_new(SR_ECONFIG, "%s:%d: http_remux mount must contain [stream], got '%s'", sr_conf_file(n),
                          sr_conf_line(n), out->mount);
    }
    int rc;
    if ((rc = sr_conf_bool(b ? sr_conf_get(b, "enabled") : NULL, false, &out->is_enabled)) ||
        (rc = sr_conf_bool(b ? sr_conf_get(b, "has_audio") : NULL, true, &out->has_audio)) ||
        (rc = sr_conf_bool(b ? sr_conf_get(b, "has_video") : NULL, true, &out->has_video)) ||
        (rc = sr_conf_bool(b ? sr_conf_get(b, "guess_has_av") : NULL, true, &out->is_guess_has_av)) ||
        (rc = sr_conf_bool(b ? sr_conf_get(b, "drop_if_not_match") : NULL, true, &out->is_drop_if_not_match))) {
        return rc;
    }
    return SR_OK;
}

/* Our additions to http_hooks: secret, timeout, on_hook_error. */
static int sr_config_http_hooks_options(const sr_conf_t *b, sr_hooks_config_t *out)
{
    const sr_conf_t *n = b ? sr_conf_get(b, "secret") : NULL;
    if (strlen(sr_conf_str(n, "")) > SR_HOOKS_SECRET_MAX) {
        return sr_err_new(SR_ECONFIG, "%s:%d: http_hooks secret is longer than %d bytes", sr_conf_file(n),
                          sr_conf_line(n), SR_HOOKS_SECRET_MAX);
    }
    sr_config_http_copy(out->secret, sizeof(out->secret), n, "");
    long ms = 0;
    int rc = sr_conf_int(b ? sr_conf_get(b, "timeout") : NULL, 5000, 100, 120000, &ms);
    out->timeout_ms = (int)ms;
    n = b ? sr_conf_get(b, "on_hook_error") : NULL;
    const char *v = sr_conf_str(n, "refuse");
    if (rc == SR_OK && strcmp(v, "refuse") != 0 && strcmp(v, "allow") != 0) {
        rc = sr_err_new(SR_ECONFIG, "%s:%d: on_hook_error must be refuse or allow, got '%s'", sr_conf_file(n),
                        sr_conf_line(n), v);
    }
    out->is_error_allow = strcmp(v, "allow") == 0;
    return rc;
}

int sr_config_http_resolve_hooks(const sr_conf_t *vhost, sr_hooks_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(vhost, "http_hooks");
    memset(out, 0, sizeof(*out));
    int rc = sr_conf_bool(b ? sr_conf_get(b, "enabled") : NULL, false, &out->is_enabled);
    rc = rc ? rc : sr_config_http_hooks_options(b, out);
    for (int ev = 0; rc == SR_OK && b && ev < SR_HOOK_COUNT; ev++) {
        int total = 0;
        for (const sr_conf_t *n = sr_conf_get(b, sr_hook_names[ev]); n; n = sr_conf_next(b, n, sr_hook_names[ev])) {
            total += sr_conf_argc(n);
        }
        if (total == 0) {
            continue;
        }
        out->urls[ev] = sr_calloc((size_t)total, sizeof(char *));
        for (const sr_conf_t *n = sr_conf_get(b, sr_hook_names[ev]); n; n = sr_conf_next(b, n, sr_hook_names[ev])) {
            for (int i = 0; i < sr_conf_argc(n); i++) {
                const char *url = sr_conf_arg(n, i);
                if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
                    return sr_err_new(SR_ECONFIG, "%s:%d: %s URL must start with http://, got '%s'", sr_conf_file(n),
                                      sr_conf_line(n), sr_hook_names[ev], url);
                }
                out->urls[ev][out->counts[ev]++] = sr_strdup(url);
            }
        }
    }
    return rc;
}

void sr_config_http_hooks_deinit(sr_hooks_config_t *h)
{
    for (int ev = 0; ev < SR_HOOK_COUNT; ev++) {
        for (int i = 0; i < h->counts[ev]; i++) {
            sr_free(h->urls[ev][i]);
        }
        sr_free(h->urls[ev]);
        h->urls[ev] = NULL;
        h->counts[ev] = 0;
    }
}

int sr_config_http_resolve_heartbeat(const sr_conf_t *root, sr_heartbeat_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "heartbeat");
    memset(out, 0, sizeof(*out));
    int rc = sr_conf_bool(b ? sr_conf_get(b, "enabled") : NULL, false, &out->is_enabled);
    rc = rc ? rc : sr_conf_bool(b ? sr_conf_get(b, "summaries") : NULL, false, &out->is_summaries);
    rc = rc ? rc : sr_conf_double_range(b ? sr_conf_get(b, "interval") : NULL, 10, 1, 3600, &out->interval_s);
    const sr_conf_t *u = b ? sr_conf_get(b, "url") : NULL;
    const sr_conf_t *d = b ? sr_conf_get(b, "device_id") : NULL;
    const char *url = sr_conf_str(u, "http://127.0.0.1:8085/api/v1/servers");
    if (rc == SR_OK && (strncmp(url, "http://", 7) != 0 || strlen(url) >= sizeof(out->url))) {
        rc = sr_err_new(SR_ECONFIG, "%s:%d: heartbeat url must be an http:// URL under %zu bytes, got '%.200s'",
                        sr_conf_file(u), sr_conf_line(u), sizeof(out->url), url);
    }
    if (rc == SR_OK && strlen(sr_conf_str(d, "")) >= sizeof(out->device_id)) {
        rc = sr_err_new(SR_ECONFIG, "%s:%d: heartbeat device_id is longer than %zu bytes", sr_conf_file(d),
                        sr_conf_line(d), sizeof(out->device_id) - 1);
    }
    sr_config_http_copy(out->url, sizeof(out->url), u, "http://127.0.0.1:8085/api/v1/servers");
    sr_config_http_copy(out->device_id, sizeof(out->device_id), d, "");
    return rc;
}
