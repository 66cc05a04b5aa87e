/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_cluster.c: /api/v1/forwards, /api/v1/edges and /api/v1/rtsp_pulls (ours:
 * SRS shows none of them): every forwarder link, every edge pull or push and every
 * RTSP camera pull, with its state and since when, so
 * an operator sees which upstream a stream uses and why a copy is not flowing; and
 * SRS's /api/v1/clusters, which origins of an origin cluster ask each other.
 */
#include "sr_http_api_internal.h"

#include <stdio.h>

#include "sr_consts.h"
#include "sr_coworkers.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_forward.h"
#include "sr_json.h"
#include "sr_rtsp_pull.h"
#include "sr_server.h"
#include "sr_url.h"

static void sr_http_api_forward_item(const sr_forward_info_t *f, void *arg)
{
    sr_json_writer_t *w = arg;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "vhost", f->vhost);
    sr_json_writer_kv_string(w, "app", f->app);
    sr_json_writer_kv_string(w, "stream", f->stream);
    sr_json_writer_kv_string(w, "destination", f->destination);
    sr_json_writer_kv_string(w, "url", f->url);
    sr_json_writer_kv_string(w, "state", f->state);
    sr_json_writer_kv_int(w, "state_since_ms", f->state_since_ms);
    sr_json_writer_kv_uint(w, "send_bytes", f->sent_bytes);
    sr_json_writer_kv_uint(w, "reconnects", f->reconnects);
    sr_json_writer_kv_string(w, "error", f->error);
    sr_json_writer_object_end(w);
}

void sr_http_api__write_forwards(struct sr_json_writer *w)
{
    sr_json_writer_key(w, "forwards");
    sr_json_writer_array_start(w);
    sr_forward_foreach(sr_http_api_forward_item, w);
    sr_json_writer_array_end(w);
}

static void sr_http_api_edge_item(const sr_edge_info_t *e, void *arg)
{
    sr_json_writer_t *w = arg;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "vhost", e->vhost);
    sr_json_writer_kv_string(w, "app", e->app);
    sr_json_writer_kv_string(w, "stream", e->stream);
    sr_json_writer_kv_string(w, "direction", e->direction);
    sr_json_writer_kv_string(w, "upstream", e->upstream);
    sr_json_writer_kv_string(w, "state", e->state);
    sr_json_writer_kv_int(w, "state_since_ms", e->state_since_ms);
    sr_json_writer_kv_uint(w, "bytes", e->bytes);
    sr_json_writer_kv_uint(w, "failovers", e->failovers);
    sr_json_writer_object_end(w);
}

void sr_http_api__write_edges(struct sr_json_writer *w, struct sr_server *s)
{
    sr_json_writer_key(w, "edges");
    sr_json_writer_array_start(w);
    sr_edge_foreach(s, sr_http_api_edge_item, w);
    sr_json_writer_array_end(w);
}

static void sr_http_api_rtsp_pull_item(const sr_rtsp_pull_info_t *p, void *arg)
{
    sr_json_writer_t *w = arg;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "vhost", p->vhost);
    sr_json_writer_kv_string(w, "app", p->app);
    sr_json_writer_kv_string(w, "stream", p->stream);
    sr_json_writer_kv_string(w, "url", p->url);
    sr_json_writer_kv_string(w, "transport", p->is_udp ? "udp" : "tcp");
    sr_json_writer_kv_bool(w, "on_demand", p->is_on_demand);
    sr_json_writer_kv_string(w, "state", p->state);
    sr_json_writer_kv_int(w, "state_since_ms", p->state_since_ms);
    sr_json_writer_kv_uint(w, "packets", p->packets);
    sr_json_writer_kv_uint(w, "frames", p->frames);
    sr_json_writer_kv_uint(w, "reconnects", p->reconnects);
    sr_json_writer_kv_string(w, "error", p->last_error);
    sr_json_writer_object_end(w);
}

void sr_http_api__write_rtsp_pulls(struct sr_json_writer *w, struct sr_server *s)
{
    sr_json_writer_key(w, "rtsp_pulls");
    sr_json_writer_array_start(w);
    sr_rtsp_pull_foreach(s, sr_http_api_rtsp_pull_item, w);
    sr_json_writer_array_end(w);
}

/* One query value, percent-decoded ("" when absent or malformed). */
static void sr_http_api_query_value(const char *query, const char *key, char *out, size_t size)
{
    char raw[1024];
    if (!sr_url_query_get(query, key, raw, sizeof(raw)) || sr_url_decode(raw, out, size) != SR_OK) {
        sr_err_clear();
        out[0] = '\0';
    }
}

int sr_http_api__write_clusters(struct sr_json_writer *w, struct sr_server *s, const char *query)
{
    char vhost[SR_REQUEST_VHOST_MAX + 1], app[SR_REQUEST_APP_MAX + 1], stream[SR_REQUEST_STREAM_MAX + 1];
    char ip[64], coworker[300];
    sr_http_api_query_value(query, "vhost", vhost, sizeof(vhost));
    sr_http_api_query_value(query, "app", app, sizeof(app));
    sr_http_api_query_value(query, "stream", stream, sizeof(stream));
    sr_http_api_query_value(query, "ip", ip, sizeof(ip));
    sr_http_api_query_value(query, "coworker", coworker, sizeof(coworker));
    if (!vhost[0]) {
        snprintf(vhost, sizeof(vhost), "%s", SR_DEFAULT_VHOST);
    }
    sr_json_writer_key(w, "data");
    sr_json_writer_object_start(w);
    sr_json_writer_key(w, "query");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "ip", ip);
    sr_json_writer_kv_string(w, "vhost", vhost);
    sr_json_writer_kv_string(w, "app", app);
    sr_json_writer_kv_string(w, "stream", stream);
    sr_json_writer_object_end(w);
    int code = sr_coworkers_write_origin(s, vhost, app, stream, coworker, w);
    sr_json_writer_object_end(w);
    return code;
}
