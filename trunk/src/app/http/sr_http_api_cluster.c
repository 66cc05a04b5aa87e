/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_cluster.c: /api/v1/forwards and /api/v1/edges (ours: SRS shows neither):
 * every forwarder link and every edge pull or push, with its state and since when, so
 * an operator sees which upstream a stream uses and why a copy is not flowing.
 */
#include "sr_http_api_internal.h"

#include "sr_edge.h"
#include "sr_forward.h"
#include "sr_json.h"
#include "sr_server.h"

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
