/* SPDX-License-Identifier: MIT */
/*
 * sr_exporter.c: GET /metrics on exporter listeners, in the Prometheus text format
 * 0.0.4. The srs_* families carry SRS's names, types and units (srs_memory in KiB, as
 * SRS), so SRS dashboards keep working; Strand's own families (strand_*) add refusals,
 * per-stream bitrate, clients, frames and drops, labelled {vhost, app, stream} with
 * escaped values, and SRT's: clients by mode, handshake refusals, the packets libsrt
 * retransmitted, lost and dropped (closed connections included, so they only grow) and
 * the round-trip times of the open connections, the transcode/ingest/exec children
 * running and restarted, and each forward link and edge pull/push (up, bytes,
 * reconnects or failovers, labelled with the stream and the upstream). Part of the HTTP API module: it shares the
 * samplers of sr_http_api_internal.h.
 *
 * Not here: push gateways, OpenMetrics, histograms.
 */
#include "sr_http_conn.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_forward.h"
#include "sr_http_api_internal.h"
#include "sr_jobs.h"
#include "sr_rtc.h"
#include "sr_srt.h"

#define SR_EXPORTER_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Per-stream values, gathered in one pass with nothing yielding until they are written. */
enum {
    SR_EXPORTER_RECV_KBPS,
    SR_EXPORTER_SEND_KBPS,
    SR_EXPORTER_CLIENTS,
    SR_EXPORTER_PUBLISHING,
    SR_EXPORTER_FRAMES,
    SR_EXPORTER_RECV_BYTES,
    SR_EXPORTER_DROPPED,
    SR_EXPORTER_STREAM_FAMILIES,
};

typedef struct sr_exporter_family {
    const char *name;
    const char *type;
    const char *help;
} sr_exporter_family_t;

static const sr_exporter_family_t sr_exporter_stream_families[SR_EXPORTER_STREAM_FAMILIES] = {
    {"strand_stream_recv_kbps", "gauge", "Kbit/s received from the publisher over the last 30 s."},
    {"strand_stream_send_kbps", "gauge", "Kbit/s sent to the stream's clients over the last 30 s."},
    {"strand_stream_clients", "gauge", "Clients of the stream, the publisher included."},
    {"strand_stream_publishing", "gauge", "1 when the stream has a publisher."},
    {"strand_stream_frames_total", "counter", "Video frames received from publishers."},
    {"strand_stream_recv_bytes_total", "counter", "Media payload bytes received from publishers."},
    {"strand_consumer_dropped_total", "counter", "Packets dropped for players that fell behind."},
};

typedef struct sr_exporter_stream {
    sr_source_t *src;
    uint64_t v[SR_EXPORTER_STREAM_FAMILIES];
} sr_exporter_stream_t;

typedef struct sr_exporter_gather {
    sr_server_t *server;
    sr_exporter_stream_t *rows;
    size_t n;
    size_t cap;
} sr_exporter_gather_t;

/* ---- output ---- */

static void sr_exporter_head(sr_buf_t *out, const char *name, const char *type, const char *help)
{
    sr_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sr_exporter_u64(sr_buf_t *out, const char *name, const char *type, const char *help, uint64_t v)
{
    sr_exporter_head(out, name, type, help);
    sr_buf_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* One label pair: name="escaped value", with a leading comma unless first. */
static void sr_exporter_label(sr_buf_t *out, const char *name, const char *value, bool is_first)
{
    sr_buf_printf(out, "%s%s=\"", is_first ? "" : ",", name);
    sr_http_api__prom_escape(out, value);
    sr_buf_put_str(out, "\"");
}

static void sr_exporter_build_info(sr_buf_t *out, sr_server_t *s)
{
    const sr_exporter_config_t *e = &sr_server_config(s)->exporter;
    char pid[24];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    sr_exporter_head(out, "srs_build_info", "gauge", "A constant 1 labelled with the server's ids and version.");
    sr_buf_put_str(out, "srs_build_info{");
    sr_exporter_label(out, "server", sr_server_id(s), true);
    sr_exporter_label(out, "service", sr_server_service_id(s), false);
    sr_exporter_label(out, "pid", pid, false);
    sr_exporter_label(out, "major", SR_VERSION_MAJOR == 1 ? "1" : "?", false);
    sr_exporter_label(out, "version", SR_VERSION_STRING, false);
    sr_exporter_label(out, "code", SR_SERVER_NAME, false);
    if (e->label[0]) {
        sr_exporter_label(out, "label", e->label, false);
    }
    if (e->tag[0]) {
        sr_exporter_label(out, "tag", e->tag, false);
    }
    sr_buf_put_str(out, "} 1\n");
}

/* The SRS families (srs_app_http_api.cpp SrsGoApiMetrics). */
static void sr_exporter_srs(sr_buf_t *out, sr_server_t *s, const sr_proc_usage_t *u)
{
    const sr_server_totals_t *t = sr_server_totals(s);
    uint64_t recv = 0, send = 0;
    sr_http_api__server_bytes(s, &recv, &send);
    sr_exporter_build_info(out, s);
    sr_exporter_head(out, "srs_cpu_percent", "gauge", "SRS cpu used percent.");
    sr_buf_printf(out, "srs_cpu_percent %.2f\n", u->cpu_self * 100);
    sr_exporter_u64(out, "srs_memory", "gauge", "SRS memory used (resident, KiB).", u->rss_kb);
    sr_exporter_u64(out, "process_open_fds", "gauge", "Open file descriptors.", (uint64_t)SR_MAX(u->open_fds, 0));
    sr_exporter_u64(out, "strand_coroutines", "gauge", "Coroutines running (connections, sinks, timers).",
                    (uint64_t)SR_MAX(u->coroutines, 0));
    sr_exporter_u64(out, "srs_send_bytes_total", "counter", "SRS total sent bytes.", send);
    sr_exporter_u64(out, "srs_receive_bytes_total", "counter", "SRS total received bytes.", recv);
    sr_exporter_u64(out, "srs_streams", "gauge", "The number of SRS concurrent streams.",
                    sr_source_registry_count(sr_server_sources(s)));
    sr_exporter_u64(out, "srs_clients", "gauge", "The number of SRS concurrent clients.",
                    (uint64_t)sr_server_client_count(s));
    sr_exporter_u64(out, "srs_clients_total", "counter", "The total counts of SRS clients.", t->clients_total);
    sr_exporter_u64(out, "srs_clients_errs_total", "counter", "The total errors of SRS clients.", t->clients_errs);
    sr_exporter_u64(out, "strand_refused_total", "counter", "Connections refused over max_connections.", t->refused);
    sr_exporter_u64(out, "strand_publishes_total", "counter", "Streams published (a republish counts again).",
                    t->publishes);
    sr_exporter_u64(out, "strand_watched_total", "counter", "Times a stream went from no player to one.", t->watched);
}

/* ---- per stream ---- */

static void sr_exporter_gather_one(sr_source_t *src, void *arg)
{
    sr_exporter_gather_t *g = arg;
    if (g->n == g->cap) {
        return; /* the registry cannot grow while we do not yield; be safe anyway */
    }
    sr_exporter_stream_t *row = &g->rows[g->n++];
    sr_source_stats_t st;
    sr_source_get_stats(src, &st);
    memset(row, 0, sizeof(*row));
    row->src = src;
    row->v[SR_EXPORTER_RECV_KBPS] = (uint64_t)SR_MAX(sr_source_kbps_recv(src), 0);
    row->v[SR_EXPORTER_PUBLISHING] = st.is_publishing;
    row->v[SR_EXPORTER_FRAMES] = st.frames;
    row->v[SR_EXPORTER_RECV_BYTES] = st.recv_bytes;
    row->v[SR_EXPORTER_DROPPED] = sr_source_dropped(src);
}

/* Add the client table's share: clients and send kbps per stream. */
static void sr_exporter_gather_clients(sr_exporter_gather_t *g)
{
    for (sr_client_t *c = sr_server_clients(g->server); c; c = c->next) {
        sr_source_t *src = c->type ? sr_http_api__client_source(g->server, c) : NULL;
        for (size_t i = 0; src && i < g->n; i++) {
            if (g->rows[i].src == src) {
                g->rows[i].v[SR_EXPORTER_CLIENTS]++;
                g->rows[i].v[SR_EXPORTER_SEND_KBPS] += (uint64_t)SR_MAX(sr_kbps_send(&c->kbps), 0);
                break;
            }
        }
    }
}

static void sr_exporter_streams(sr_buf_t *out, sr_server_t *s)
{
    sr_source_registry_t *reg = sr_server_sources(s);
    sr_exporter_gather_t g = {s, NULL, 0, sr_source_registry_count(reg)};
    g.rows = sr_malloc(sizeof(*g.rows) * (g.cap ? g.cap : 1));
    sr_source_registry_foreach(reg, sr_exporter_gather_one, &g);
    sr_exporter_gather_clients(&g);
    /* all samples of a family together, as the text format requires */
    for (int f = 0; f < SR_EXPORTER_STREAM_FAMILIES; f++) {
        const sr_exporter_family_t *fam = &sr_exporter_stream_families[f];
        sr_exporter_head(out, fam->name, fam->type, fam->help);
        for (size_t i = 0; i < g.n; i++) {
            sr_buf_printf(out, "%s{", fam->name);
            sr_exporter_label(out, "vhost", sr_source_vhost(g.rows[i].src), true);
            sr_exporter_label(out, "app", sr_source_app(g.rows[i].src), false);
            sr_exporter_label(out, "stream", sr_source_stream(g.rows[i].src), false);
            sr_buf_printf(out, "} %llu\n", (unsigned long long)g.rows[i].v[f]);
        }
    }
    sr_free(g.rows);
}

/* ---- SRT: libsrt's statistics of each connection (sr_client_t.link_stats) ---- */

typedef struct sr_exporter_srt {
    uint64_t publishers, players;
    sr_link_totals_t links; /* closed connections' and open ones' */
    double rtt_sum_ms, rtt_max_ms;
} sr_exporter_srt_t;

static void sr_exporter_srt_gather(sr_server_t *s, sr_exporter_srt_t *g)
{
    memset(g, 0, sizeof(*g));
    g->links = sr_server_totals(s)->srt;
    for (sr_client_t *c = sr_server_clients(s); c; c = c->next) {
        sr_client_link_t l;
        if (!c->link_stats || !c->link_stats(c, &l) || strcmp(l.protocol, "srt") != 0) {
            continue;
        }
        if (c->is_publish) {
            g->publishers++;
        } else {
            g->players++;
        }
        sr_link_totals_add(&g->links, &l);
        g->rtt_sum_ms += l.rtt_ms;
        g->rtt_max_ms = SR_MAX(g->rtt_max_ms, l.rtt_ms);
    }
}

/* One family with a sample per value of one label. */
static void sr_exporter_labelled(sr_buf_t *out, const char *name, const char *type, const char *help, const char *label,
                                 const char *v1, uint64_t n1, const char *v2, uint64_t n2)
{
    sr_exporter_head(out, name, type, help);
    sr_buf_printf(out, "%s{%s=\"%s\"} %llu\n%s{%s=\"%s\"} %llu\n", name, label, v1, (unsigned long long)n1, name, label,
                  v2, (unsigned long long)n2);
}

static void sr_exporter_srt(sr_buf_t *out, sr_server_t *s)
{
    sr_exporter_srt_t g;
    sr_exporter_srt_gather(s, &g);
    const sr_link_totals_t *t = &g.links;
    uint64_t n = g.publishers + g.players;
    sr_exporter_labelled(out, "strand_srt_clients", "gauge", "SRT connections by mode.", "mode", "publish",
                         g.publishers, "play", g.players);
    sr_exporter_u64(out, "strand_srt_refused_total", "counter", "SRT callers refused during the handshake.",
                    sr_srt_refused_total());
    sr_exporter_u64(out, "strand_srt_packets_retransmitted_total", "counter",
                    "SRT packets the server sent again (to players).", t->retrans);
    sr_exporter_labelled(out, "strand_srt_packets_lost_total", "counter",
                         "SRT packets lost on the way: recv from publishers, send as players reported.", "direction",
                         "recv", t->recv_loss, "send", t->send_loss);
    sr_exporter_labelled(out, "strand_srt_packets_dropped_total", "counter",
                         "SRT packets dropped too late to play: recv from publishers, send to players.", "direction",
                         "recv", t->recv_drop, "send", t->send_drop);
    sr_exporter_head(out, "strand_srt_rtt_mean_seconds", "gauge", "Mean round-trip time of the open SRT connections.");
    sr_buf_printf(out, "strand_srt_rtt_mean_seconds %.6f\n", n ? g.rtt_sum_ms / (double)n / 1000 : 0.0);
    sr_exporter_head(out, "strand_srt_rtt_max_seconds", "gauge",
                     "Largest round-trip time of the open SRT connections.");
    sr_buf_printf(out, "strand_srt_rtt_max_seconds %.6f\n", g.rtt_max_ms / 1000);
}

/* ---- WebRTC ---- */

static void sr_exporter_rtc(sr_buf_t *out, sr_server_t *s)
{
    uint64_t publishers = 0, players = 0;
    for (sr_client_t *c = sr_server_clients(s); c; c = c->next) {
        publishers += c->type && strcmp(c->type, "rtc-publish") == 0;
        players += c->type && strcmp(c->type, "rtc-play") == 0;
    }
    const sr_rtc_stats_t *st = sr_rtc_stats();
    sr_exporter_labelled(out, "strand_rtc_sessions", "gauge", "WebRTC sessions by mode (WHIP, WHEP).", "mode",
                         "publish", publishers, "play", players);
    sr_exporter_u64(out, "strand_rtc_sessions_total", "counter", "WebRTC sessions started.", st->sessions);
    sr_exporter_u64(out, "strand_rtc_connected_total", "counter", "WebRTC sessions whose ICE and DTLS completed.",
                    st->connected);
    sr_exporter_u64(out, "strand_rtc_stun_refused_total", "counter",
                    "STUN binding requests for no session or failing the integrity check.", st->stun_refused);
    sr_exporter_u64(out, "strand_rtc_unclaimed_datagrams_total", "counter",
                    "Datagrams on the rtc port from an address no session has.", st->unclaimed);
    sr_exporter_u64(out, "strand_rtc_srtp_refused_total", "counter",
                    "SRTP/SRTCP packets refused (authentication failed or replayed).", st->srtp_refused);
    sr_exporter_u64(out, "strand_rtc_retransmitted_total", "counter", "RTP packets sent again for players' NACKs.",
                    st->retransmitted);
    sr_exporter_u64(out, "strand_rtc_tcp_dropped_total", "counter",
                    "Packets dropped because an ICE-TCP connection was too far behind.", st->tcp_dropped);
}

/* ---- transcode, ingest, exec ---- */

static void sr_exporter_children(sr_buf_t *out, sr_server_t *s)
{
    const sr_supervisor_t *sup = sr_jobs_supervisor(sr_server_jobs(s));
    int running[SR_CHILD_KIND_COUNT] = {0};
    uint64_t restarts[SR_CHILD_KIND_COUNT] = {0};
    for (int k = 0; sup && k < SR_CHILD_KIND_COUNT; k++) {
        sr_supervisor_counts(sup, (sr_child_kind_t)k, &running[k], &restarts[k]);
    }
    const char *families[][3] = {
        {"strand_transcoders", "gauge", "External programs running, by kind (transcode, ingest, exec)."},
        {"strand_transcoder_restarts_total", "counter", "Times an external program was started again after it ended."},
    };
    for (size_t f = 0; f < SR_ARRAY_SIZE(families); f++) {
        sr_exporter_head(out, families[f][0], families[f][1], families[f][2]);
        for (int k = 0; k < SR_CHILD_KIND_COUNT; k++) {
            sr_buf_printf(out, "%s{kind=\"%s\"} %llu\n", families[f][0], sr_child_kind_name((sr_child_kind_t)k),
                          f == 0 ? (unsigned long long)running[k] : (unsigned long long)restarts[k]);
        }
    }
}

/* ---- forward links and edge pulls/pushes: one sample per link ---- */

typedef struct sr_exporter_links {
    sr_buf_t *out;
    const char *family;
    int field; /* 0 up, 1 bytes, 2 reconnects or failovers */
} sr_exporter_links_t;

static void sr_exporter_link_row(sr_exporter_links_t *g, const char *vhost, const char *app, const char *stream,
                                 const char *label, const char *upstream, const char *direction, uint64_t v)
{
    sr_buf_printf(g->out, "%s{", g->family);
    sr_exporter_label(g->out, "vhost", vhost, true);
    sr_exporter_label(g->out, "app", app, false);
    sr_exporter_label(g->out, "stream", stream, false);
    sr_exporter_label(g->out, label, upstream, false);
    if (direction) {
        sr_exporter_label(g->out, "direction", direction, false);
    }
    sr_buf_printf(g->out, "} %llu\n", (unsigned long long)v);
}

static void sr_exporter_forward_row(const sr_forward_info_t *f, void *arg)
{
    sr_exporter_links_t *g = arg;
    uint64_t v[] = {strcmp(f->state, "forwarding") == 0, f->sent_bytes, f->reconnects};
    sr_exporter_link_row(g, f->vhost, f->app, f->stream, "destination", f->destination, NULL, v[g->field]);
}

static void sr_exporter_edge_row(const sr_edge_info_t *e, void *arg)
{
    sr_exporter_links_t *g = arg;
    uint64_t v[] = {strcmp(e->state, "pulling") == 0 || strcmp(e->state, "pushing") == 0, e->bytes, e->failovers};
    sr_exporter_link_row(g, e->vhost, e->app, e->stream, "upstream", e->upstream, e->direction, v[g->field]);
}

static void sr_exporter_cluster(sr_buf_t *out, sr_server_t *s)
{
    static const char *const forward[][3] = {
        {"strand_forward_up", "gauge", "1 while a forward link is publishing to its destination."},
        {"strand_forward_send_bytes_total", "counter", "Bytes a forward link sent to its destination."},
        {"strand_forward_reconnects_total", "counter", "Times a forward link connected again."},
    };
    static const char *const edge[][3] = {
        {"strand_edge_up", "gauge", "1 while an edge pull or push is flowing with its origin."},
        {"strand_edge_bytes_total", "counter", "Bytes an edge pulled from (or pushed to) its origin."},
        {"strand_edge_failovers_total", "counter", "Times an edge pull or push moved to another origin."},
    };
    for (int f = 0; f < 3; f++) {
        sr_exporter_links_t g = {out, forward[f][0], f};
        sr_exporter_head(out, forward[f][0], forward[f][1], forward[f][2]);
        sr_forward_foreach(sr_exporter_forward_row, &g);
    }
    for (int f = 0; f < 3; f++) {
        sr_exporter_links_t g = {out, edge[f][0], f};
        sr_exporter_head(out, edge[f][0], edge[f][1], edge[f][2]);
        sr_edge_foreach(s, sr_exporter_edge_row, &g);
    }
}

int sr_exporter_serve(sr_http_ctx_t *ctx)
{
    const char *method = ctx->req->method_name;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char body[] = "Method Not Allowed\n";
        return sr_http_conn_reply(ctx, 405, "text/plain; charset=utf-8", body, sizeof(body) - 1, false);
    }
    sr_proc_usage_t u;
    int rc = sr_http_api__proc_sample(&u); /* yields for the CPU window */
    if (rc != SR_OK) {
        return rc; /* the connection is being stopped */
    }
    sr_buf_t out;
    sr_buf_init(&out);
    sr_exporter_srs(&out, ctx->server, &u);
    sr_exporter_streams(&out, ctx->server);
    sr_exporter_srt(&out, ctx->server);
    sr_exporter_rtc(&out, ctx->server);
    sr_exporter_children(&out, ctx->server);
    sr_exporter_cluster(&out, ctx->server);
    rc = sr_http_conn_reply(ctx, 200, SR_EXPORTER_CONTENT_TYPE, out.data, out.len, false);
    sr_buf_deinit(&out);
    return rc;
}
