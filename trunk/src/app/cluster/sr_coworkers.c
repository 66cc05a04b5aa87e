/* SPDX-License-Identifier: MIT */
#include "sr_coworkers.h"

#include <stdio.h>
#include <string.h>

#include "sr_edge.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_log.h"
#include "sr_resolve.h"
#include "sr_source.h"

/* Percent-encode everything but RFC 3986's unreserved characters. */
static void sr_coworkers_escape(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s && n + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        bool is_plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '~';
        if (is_plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

/* {"code":0,"data":{"origin":{"ip":"A","port":N,...}}} into out. */
static int sr_coworkers_parse(const sr_buf_t *body, sr_cluster_addr_t *out)
{
    sr_json_t *root = NULL;
    int rc = sr_json_parse((const char *)body->data, body->len, &root);
    if (rc != SR_OK) {
        return rc;
    }
    int64_t code = -1, port = 0;
    const sr_json_t *origin = sr_json_get(sr_json_get(root, "data"), "origin");
    const char *ip = sr_json_string(sr_json_get(origin, "ip"), NULL);
    if (!sr_json_int(sr_json_get(root, "code"), &code) || code != 0) {
        rc = sr_err_new(SR_ENOT_FOUND, "answered code %lld", (long long)code);
    } else if (!ip || !ip[0] || !sr_json_int(sr_json_get(origin, "port"), &port) || port < 1 || port > 65535) {
        rc = sr_err_new(SR_EFORMAT, "the answer names no origin ip and port");
    } else {
        memset(out, 0, sizeof(*out));
        snprintf(out->host, sizeof(out->host), "%s", ip);
        out->port = (int)port;
    }
    sr_json_free(root);
    return rc;
}

static int sr_coworkers_ask(const sr_cluster_addr_t *api, const sr_request_t *req, sr_cluster_addr_t *out)
{
    char ip[64];
    int rc = sr_resolve_host(api->host, ip, sizeof(ip));
    if (rc != SR_OK) {
        return rc;
    }
    char vhost[3 * SR_REQUEST_VHOST_MAX + 1], app[3 * SR_REQUEST_APP_MAX + 1], stream[3 * SR_REQUEST_STREAM_MAX + 1];
    char client[3 * 64 + 1], coworker[3 * 300 + 1], self[300], url[4096];
    sr_coworkers_escape(req->vhost, vhost, sizeof(vhost));
    sr_coworkers_escape(req->app, app, sizeof(app));
    sr_coworkers_escape(req->stream, stream, sizeof(stream));
    sr_coworkers_escape(req->ip, client, sizeof(client));
    snprintf(self, sizeof(self), "%s:%d", api->host, api->port);
    sr_coworkers_escape(self, coworker, sizeof(coworker));
    bool is_v6 = strchr(ip, ':') != NULL;
    snprintf(url, sizeof(url), "http://%s%s%s:%d/api/v1/clusters?vhost=%s&ip=%s&app=%s&stream=%s&coworker=%s",
             is_v6 ? "[" : "", ip, is_v6 ? "]" : "", api->port, vhost, client, app, stream, coworker);
    sr_buf_t body;
    sr_buf_init(&body);
    int status = 0;
    rc = sr_http_client_request("GET", url, NULL, NULL, 0, SR_COWORKERS_TIMEOUT_US, &status, &body);
    if (rc == SR_OK && status != 200) {
        rc = sr_err_new(SR_ENOT_FOUND, "HTTP %d", status);
    }
    rc = rc == SR_OK ? sr_coworkers_parse(&body, out) : rc;
    sr_buf_deinit(&body);
    return rc;
}

/* The RTMP port origins are told to pull from: the first listen. */
static int sr_coworkers_rtmp_port(sr_server_t *server)
{
    const sr_server_config_t *c = sr_server_config(server);
    return c->listen_count > 0 ? c->listens[0].port : SR_CLUSTER_DEFAULT_PORT;
}

/* Whether addr is this server's RTMP address (a coworker list may include us). */
static bool sr_coworkers_is_self(sr_server_t *server, const sr_cluster_addr_t *addr)
{
    char own_ip[64];
    sr_server_host_ip(own_ip, sizeof(own_ip));
    return addr->port == sr_coworkers_rtmp_port(server) &&
           (strcmp(addr->host, own_ip) == 0 || strcmp(addr->host, "127.0.0.1") == 0 ||
            strcmp(addr->host, "localhost") == 0 || strcmp(addr->host, "::1") == 0);
}

int sr_coworkers_lookup(sr_server_t *server, const sr_cluster_config_t *cc, const sr_request_t *req,
                        sr_cluster_addr_t *out)
{
    for (int i = 0; i < cc->coworker_count; i++) {
        const sr_cluster_addr_t *api = &cc->coworkers[i];
        int rc = sr_coworkers_ask(api, req, out);
        if (rc == SR_OK && sr_coworkers_is_self(server, out)) {
            rc = sr_err_new(SR_ENOT_FOUND, "it names this server"); /* a coworker list that includes us */
        }
        if (rc == SR_OK) {
            return SR_OK;
        }
        sr_info("coworker %s:%d for %s/%s/%s: %s", api->host, api->port, req->vhost, req->app, req->stream,
                sr_err_trail());
        sr_err_clear();
    }
    return sr_err_new(SR_ENOT_FOUND, "no coworker publishes %s/%s/%s", req->vhost, req->app, req->stream);
}

int sr_coworkers_write_origin(sr_server_t *server, const char *vhost, const char *app, const char *stream,
                              const char *coworker, sr_json_writer_t *w)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), vhost);
    sr_source_t *s = v ? sr_source_fetch(sr_server_sources(server), v->name, app, stream, false) : NULL;
    bool is_here = s && sr_source_is_publishing(s) && !sr_edge_is_pulled(server, s);
    sr_source_unref(s);
    if (!is_here) {
        return SR_ENOT_FOUND;
    }
    /* the address the asker reached our API at is the one it can reach us at */
    sr_cluster_addr_t asked;
    char host[256] = "";
    if (coworker[0] && sr_config_cluster_addr(NULL, coworker, false, &asked) == SR_OK) {
        snprintf(host, sizeof(host), "%s", asked.host);
    }
    sr_err_clear();
    if (!host[0]) {
        sr_server_host_ip(host, sizeof(host));
    }
    char api[300];
    snprintf(api, sizeof(api), "%s", coworker[0] ? coworker : host);
    sr_json_writer_key(w, "origin");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "ip", host);
    sr_json_writer_kv_int(w, "port", sr_coworkers_rtmp_port(server));
    sr_json_writer_kv_string(w, "vhost", v->name);
    sr_json_writer_kv_string(w, "api", api);
    sr_json_writer_key(w, "routers");
    sr_json_writer_array_start(w);
    sr_json_writer_string(w, api);
    sr_json_writer_array_end(w);
    sr_json_writer_object_end(w);
    return SR_OK;
}
