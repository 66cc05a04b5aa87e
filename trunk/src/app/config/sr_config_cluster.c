/* SPDX-License-Identifier: MIT */
/*
 * sr_config_cluster.c: SRS's defaults: forward off; cluster mode local, token_traverse
 * off, the client's vhost upstream. `mode remote` needs at least one origin. SRS's
 * debug_srs_upnode, origin_cluster, coworkers and protocol are accepted: the first has
 * no effect on Strand, the origin cluster is the Redis registry, and edges speak RTMP.
 */
#include "sr_config_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_url.h"

static int sr_config_cluster_bad(const sr_conf_t *n, const char *text, const char *why)
{
    if (!n) { /* a URL from a service, not from the config */
        return sr_err_new(SR_EINVAL, "'%s': %s", text, why);
    }
    return sr_err_new(SR_ECONFIG, "%s:%d: %s '%s': %s", sr_conf_file(n), sr_conf_line(n), sr_conf_name(n), text, why);
}

static int sr_config_cluster_port(const sr_conf_t *n, const char *text, const char *p, int *out)
{
    char *end = NULL;
    long port = strtol(p, &end, 10);
    if (!*p || *end || port < 1 || port > 65535) {
        return sr_config_cluster_bad(n, text, "the port must be 1..65535");
    }
    *out = (int)port;
    return SR_OK;
}

static int sr_config_cluster_url(const sr_conf_t *n, const char *text, sr_cluster_addr_t *out)
{
    sr_url_t u;
    bool is_tls = false;
    if (sr_url_parse(text, &u) != SR_OK ||
        !((is_tls = strcmp(u.scheme, "rtmps") == 0) || strcmp(u.scheme, "rtmp") == 0) || !u.host[0]) {
        return sr_config_cluster_bad(n, text, "expected rtmp://HOST[:PORT]/APP/STREAM or rtmps://...");
    }
    const char *slash = strchr(u.path, '/');
    if (!slash || slash == u.path || !slash[1]) {
        return sr_config_cluster_bad(n, text, "the URL must name an app and a stream");
    }
    snprintf(out->host, sizeof(out->host), "%s", u.host);
    out->is_tls = is_tls;
    out->port = u.port ? u.port : is_tls ? SR_CLUSTER_DEFAULT_TLS_PORT : SR_CLUSTER_DEFAULT_PORT;
    snprintf(out->app, sizeof(out->app), "%.*s", (int)(slash - u.path), u.path);
    int n_stream = snprintf(out->stream, sizeof(out->stream), "%s%s%s", slash + 1, u.query[0] ? "?" : "", u.query);
    return n_stream < (int)sizeof(out->stream) ? SR_OK : sr_config_cluster_bad(n, text, "the stream is too long");
}

int sr_config_cluster_addr(const sr_conf_t *n, const char *text, bool is_url_ok, sr_cluster_addr_t *out)
{
    memset(out, 0, sizeof(*out));
    out->port = SR_CLUSTER_DEFAULT_PORT;
    if (strstr(text, "://")) {
        return is_url_ok ? sr_config_cluster_url(n, text, out)
                         : sr_config_cluster_bad(n, text, "expected HOST[:PORT], not a URL");
    }
    const char *host = text, *port = NULL;
    size_t host_len = strlen(text);
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || (close[1] && close[1] != ':')) {
            return sr_config_cluster_bad(n, text, "expected [IPv6]:PORT");
        }
        host = text + 1;
        host_len = (size_t)(close - host);
        port = close[1] ? close + 2 : NULL;
    } else {
        const char *colon = strchr(text, ':');
        if (colon && strchr(colon + 1, ':')) {
            return sr_config_cluster_bad(n, text, "write an IPv6 address as [ADDRESS]:PORT");
        }
        if (colon) {
            host_len = (size_t)(colon - text);
            port = colon + 1;
        }
    }
    if (host_len == 0 || host_len >= sizeof(out->host)) {
        return sr_config_cluster_bad(n, text, "no host, or one too long");
    }
    snprintf(out->host, sizeof(out->host), "%.*s", (int)host_len, host);
    return port ? sr_config_cluster_port(n, text, port, &out->port) : SR_OK;
}

/* Every argument of every `name` line of block b into addrs. */
static int sr_config_cluster_addrs(const sr_conf_t *b, const char *name, bool is_url_ok, sr_cluster_addr_t *addrs,
                                   int *count)
{
    *count = 0;
    for (const sr_conf_t *n = b ? sr_conf_next(b, NULL, name) : NULL; n; n = sr_conf_next(b, n, name)) {
        for (int i = 0; i < sr_conf_argc(n); i++) {
            if (*count == SR_CLUSTER_MAX_HOSTS) {
                return sr_config_cluster_bad(n, sr_conf_arg(n, i), "too many (16 at most)");
            }
            int rc = sr_config_cluster_addr(n, sr_conf_arg(n, i), is_url_ok, &addrs[*count]);
            if (rc != SR_OK) {
                return rc;
            }
            (*count)++;
        }
    }
    return SR_OK;
}

int sr_config_cluster_resolve_forward(const sr_conf_t *vhost, sr_forward_config_t *out)
{
    const sr_conf_t *b = vhost ? sr_conf_get(vhost, "forward") : NULL;
    memset(out, 0, sizeof(*out));
    if (!b) {
        return SR_OK;
    }
    int rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &out->is_enabled);
    rc = rc ? rc : sr_config_cluster_addrs(b, "destination", true, out->destinations, &out->destination_count);
    const sr_conf_t *backend = sr_conf_get(b, "backend");
    const char *url = sr_conf_str(backend, "");
    sr_url_t u;
    if (rc == SR_OK && url[0] && (sr_url_parse(url, &u) != SR_OK || strcmp(u.scheme, "http") != 0)) {
        rc = sr_config_cluster_bad(backend, url, "expected http://HOST:PORT/PATH");
    }
    snprintf(out->backend, sizeof(out->backend), "%s", url);
    return rc;
}

static int sr_config_cluster_mode(const sr_conf_t *b, sr_cluster_config_t *out)
{
    const sr_conf_t *n = sr_conf_get(b, "mode");
    const char *mode = sr_conf_str(n, "local");
    if (strcmp(mode, "local") != 0 && strcmp(mode, "remote") != 0) {
        return sr_config_cluster_bad(n, mode, "mode is local or remote");
    }
    out->is_edge = strcmp(mode, "remote") == 0;
    return SR_OK;
}

int sr_config_cluster_resolve(const sr_conf_t *vhost, sr_cluster_config_t *out)
{
    const sr_conf_t *b = vhost ? sr_conf_get(vhost, "cluster") : NULL;
    if (!b && vhost && sr_conf_get(vhost, "mode")) {
        b = vhost; /* SRS 2 wrote mode and origin in the vhost itself */
    }
    memset(out, 0, sizeof(*out));
    if (!b) {
        return SR_OK;
    }
    int rc = sr_config_cluster_mode(b, out);
    rc = rc ? rc : sr_config_cluster_addrs(b, "origin", false, out->origins, &out->origin_count);
    rc = rc ? rc : sr_conf_bool(sr_conf_get(b, "token_traverse"), false, &out->is_token_traverse);
    const sr_conf_t *reg = sr_conf_get(b, "registry");
    if (rc == SR_OK && out->is_edge && out->origin_count == 0 && !reg) {
        rc = sr_err_new(SR_ECONFIG, "%s:%d: cluster mode remote needs an origin or a registry", sr_conf_file(b),
                        sr_conf_line(b));
    }
    const sr_conf_t *pn = sr_conf_get(b, "protocol");
    if (rc == SR_OK && pn && strcmp(sr_conf_str(pn, "rtmp"), "rtmp") != 0) {
        rc = sr_config_cluster_bad(pn, sr_conf_str(pn, ""), "edges pull over rtmp only");
    }
    const sr_conf_t *vn = sr_conf_get(b, "vhost");
    snprintf(out->upstream_vhost, sizeof(out->upstream_vhost), "%s", sr_conf_str(vn, ""));
    const char *r = sr_conf_str(reg, "");
    sr_url_t u;
    if (rc == SR_OK && r[0] && (sr_url_parse(r, &u) != SR_OK || strcmp(u.scheme, "redis") != 0 || !u.host[0])) {
        rc = sr_config_cluster_bad(reg, r, "expected redis://HOST[:PORT][/DB]");
    }
    snprintf(out->registry, sizeof(out->registry), "%s", r);
    const sr_conf_t *adv = sr_conf_get(b, "advertise");
    if (rc == SR_OK && adv) {
        rc = sr_config_cluster_addr(adv, sr_conf_str(adv, ""), false, &out->advertise);
    }
    rc = rc ? rc : sr_conf_bool(sr_conf_get(b, "origin_cluster"), false, &out->is_origin_cluster);
    rc = rc ? rc : sr_config_cluster_addrs(b, "coworkers", false, out->coworkers, &out->coworker_count);
    return rc;
}
