/* SPDX-License-Identifier: MIT */
/*
 * sr_server.c: the running server: connection bookkeeping, the stats sampler, reload
 * and stop. Its listeners are sr_listener.c's.
 */
#include "sr_server.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_context.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_heartbeat.h"
#include "sr_jobs.h"
#include "sr_listener.h"
#include "sr_log.h"
#include "sr_registry.h"
#include "sr_rtsp_pull.h"
#include "sr_sinks.h"
#include "sr_st.h"
#include "sr_stream_policy.h"

struct sr_server {
    sr_server_config_t *config;
    sr_source_registry_t *sources;
    sr_source_observer_t stats_observer; /* counts publishes and watched streams */
    sr_listeners_t *listeners;
    sr_client_t *clients;
    int client_count;
    sr_server_totals_t totals;
    char id[16];
    char service_id[16];
    sr_co_t *sampler;
    bool is_stopping;
    struct sr_hooks *hooks; /* owned by sr_http_hooks */
    sr_jobs_t *jobs;        /* transcode, ingest, exec children */
    sr_heartbeat_t *heartbeat;
};

/* The server's own observer of every stream: the counters of the exporter. */
static void sr_server_on_publish(void *arg, sr_source_t *src)
{
    SR_UNUSED(src);
    ((sr_server_t *)arg)->totals.publishes++;
}

static void sr_server_on_first_player(void *arg, sr_source_t *src)
{
    SR_UNUSED(src);
    ((sr_server_t *)arg)->totals.watched++;
}

sr_server_t *sr_server_new(sr_server_config_t *config)
{
    sr_server_t *s = SR_NEW(sr_server_t);
    s->config = config;
    s->sources = sr_source_registry_new();
    s->stats_observer = (sr_source_observer_t){
        .on_publish = sr_server_on_publish, .on_first_player = sr_server_on_first_player, .arg = s};
    sr_source_registry_observe(s->sources, &s->stats_observer); /* the first: cannot fail */
    s->totals.start_ms = sr_time_wall_us() / 1000;
    char cid[SR_CID_LEN + 1];
    sr_context_new_cid(cid);
    snprintf(s->id, sizeof(s->id), "vid-%.7s", cid);
    sr_context_new_cid(s->service_id);
    return s;
}

const char *sr_server_id(const sr_server_t *s)
{
    return s->id;
}

const char *sr_server_service_id(const sr_server_t *s)
{
    return s->service_id;
}

const struct sr_jobs *sr_server_jobs(const sr_server_t *s)
{
    return s->jobs;
}

struct sr_hooks *sr_server_hooks(const sr_server_t *s)
{
    return s->hooks;
}

void sr_server_set_hooks(sr_server_t *s, struct sr_hooks *hooks)
{
    s->hooks = hooks;
}

const sr_server_config_t *sr_server_config(const sr_server_t *s)
{
    return s->config;
}

sr_source_registry_t *sr_server_sources(sr_server_t *s)
{
    return s->sources;
}

int sr_server_client_count(const sr_server_t *s)
{
    return s->client_count;
}

void sr_server_client_start(sr_server_t *s, sr_client_t *c, const char *ip, const struct sr_io *io,
                            void (*fn)(void *arg), void *arg)
{
    snprintf(c->ip, sizeof(c->ip), "%s", ip);
    c->start_ms = sr_time_wall_us() / 1000;
    c->io = io;
    c->co = sr_co_start_detached(fn, arg, "");
    /* The coroutine has not run yet (ST runs it at our next yield), so registering now is safe. */
    snprintf(c->cid, sizeof(c->cid), "%s", sr_co_cid_of(c->co));
    sr_server_client_add(s, c);
}

void sr_server_client_add(sr_server_t *s, sr_client_t *c)
{
    c->prev = NULL;
    c->next = s->clients;
    if (s->clients) {
        s->clients->prev = c;
    }
    s->clients = c;
    s->client_count++;
    s->totals.clients_total++;
    sr_kbps_sample(&c->kbps, 0, 0, c->start_ms);
}

void sr_link_totals_add(sr_link_totals_t *t, const sr_client_link_t *l)
{
    t->recv_loss += (uint64_t)SR_MAX(l->pkts_recv_loss, 0);
    t->send_loss += (uint64_t)SR_MAX(l->pkts_send_loss, 0);
    t->retrans += (uint64_t)SR_MAX(l->pkts_retrans, 0);
    t->recv_drop += (uint64_t)SR_MAX(l->pkts_recv_drop, 0);
    t->send_drop += (uint64_t)SR_MAX(l->pkts_send_drop, 0);
}

void sr_server_client_remove(sr_server_t *s, sr_client_t *c, bool is_error)
{
    if (c->io) {
        s->totals.recv_bytes += c->io->recv_bytes;
        s->totals.send_bytes += c->io->send_bytes;
    }
    sr_client_link_t link;
    if (c->link_stats && c->link_stats(c, &link) && strcmp(link.protocol, "srt") == 0) {
        sr_link_totals_add(&s->totals.srt, &link); /* the exporter's counters stay monotonic */
    }
    if (is_error) {
        s->totals.clients_errs++;
    }
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        s->clients = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = NULL;
    s->client_count--;
}

bool sr_server_admit(sr_server_t *s)
{
    if (s->client_count < s->config->max_connections) {
        return true;
    }
    s->totals.refused++;
    return false;
}

sr_client_t *sr_server_clients(sr_server_t *s)
{
    return s->clients;
}

sr_client_t *sr_server_client_find(sr_server_t *s, const char *cid)
{
    for (sr_client_t *c = s->clients; c; c = c->next) {
        if (strcmp(c->cid, cid) == 0) {
            return c;
        }
    }
    return NULL;
}

void sr_server_client_kick(sr_server_t *s, sr_client_t *c)
{
    sr_trace("kick client %s (%s %s)", c->cid, c->type ? c->type : "connecting", c->ip);
    sr_co_interrupt(c->co);
}

const sr_server_totals_t *sr_server_totals(const sr_server_t *s)
{
    return &s->totals;
}

/* Every second, wake the players of sparse streams (sr_source_registry_tick); every
 * few seconds, sample each client's byte counters for its kbps. */
static void sr_server_sampler_cycle(void *arg)
{
    sr_server_t *s = arg;
    sr_utime_t next_sample_us = sr_time_mono_us() + SR_KBPS_INTERVAL_MS * SR_UTIME_MS;
    while (sr_usleep(SR_SOURCE_TICK_US) == SR_OK) {
        sr_source_registry_tick(s->sources);
        if (sr_time_mono_us() < next_sample_us) {
            continue;
        }
        next_sample_us += SR_KBPS_INTERVAL_MS * SR_UTIME_MS;
        int64_t now_ms = sr_time_wall_us() / 1000;
        for (sr_client_t *c = s->clients; c; c = c->next) {
            if (c->io) {
                sr_kbps_sample(&c->kbps, c->io->recv_bytes, c->io->send_bytes, now_ms);
            }
        }
        sr_source_registry_sample(s->sources, now_ms);
    }
}

int sr_server_start(sr_server_t *s)
{
    s->listeners = sr_listeners_new(s, NULL, 0);
    int rc = sr_listeners_open(s->listeners, s->config);
    if (rc == SR_OK) {
        s->sampler = sr_co_start(sr_server_sampler_cycle, s, NULL);
        sr_edge_start(s);
        sr_rtsp_pull_start(s);
        sr_registry_start(s);
        s->jobs = sr_jobs_start(s);
        s->heartbeat = sr_heartbeat_start(s); /* reads heartbeat { } from the live config */
    }
    return rc;
}

/* ---- reload ---- */

static void sr_server_reload_source(sr_source_t *src, void *arg)
{
    sr_server_t *s = arg;
    const sr_vhost_config_t *v = sr_server_config_vhost(s->config, sr_source_vhost(src));
    if (!v || !v->is_enabled) {
        return; /* its clients are being closed */
    }
    sr_source_policy_t sp;
    sr_stream_policy_source(v, &sp);
    sr_source_set_policy(src, &sp);
    sr_consumer_policy_t cp;
    sr_stream_policy_player(v, &cp);
    sr_source_set_consumer_policy(src, &cp);
}

void sr_server_reload(sr_server_t *s, sr_server_config_t *config)
{
    sr_server_config_t *old = s->config;
    sr_log_set_level((sr_log_level_t)config->log_level);
    if (config->is_log_file != old->is_log_file || strcmp(config->log_file, old->log_file) != 0) {
        if (sr_log_open(config->is_log_file ? config->log_file : NULL) != 0) {
            sr_error("reload: cannot open log file %s, keeping the current log", config->log_file);
        }
    }
    sr_listeners_reload(s->listeners, config);
    s->config = config;
    /* Clients of vhosts that are gone or disabled are closed, and HTTP viewers of a
     * mount that was turned off or moved; others keep going. */
    for (sr_client_t *c = s->clients; c; c = c->next) {
        const sr_vhost_config_t *v = c->vhost[0] ? sr_server_config_vhost_exact(config, c->vhost) : NULL;
        const sr_vhost_config_t *was = c->vhost[0] ? sr_server_config_vhost_exact(old, c->vhost) : NULL;
        if (c->vhost[0] && (!v || !v->is_enabled)) {
            sr_trace("reload: close client %s of vhost %s (removed or disabled)", c->cid, c->vhost);
            sr_co_interrupt(c->co);
        } else if (v && was && c->type && strcmp(c->type, "flv-play") == 0 &&
                   (!v->http_remux.is_enabled || strcmp(v->http_remux.mount, was->http_remux.mount) != 0)) {
            sr_trace("reload: close HTTP viewer %s of vhost %s (http_remux off or moved)", c->cid, c->vhost);
            sr_co_interrupt(c->co);
        }
    }
    sr_source_registry_foreach(s->sources, sr_server_reload_source, s);
    sr_jobs_reload(s->jobs);
    sr_rtsp_pull_reload(s);
    sr_server_config_free(old);
    sr_heartbeat_reload(s->heartbeat);
    sr_server_config_print_env(config, "reload: ", NULL);
    sr_trace("reload: applied %s (%d vhosts, %d listeners, log level %s)", config->path, config->vhost_count,
             config->listen_count, sr_log_level_name((sr_log_level_t)config->log_level));
    sr_sinks_reload(s); /* last: it may yield */
}

/* ---- stop ---- */

int sr_server_reload_file(sr_server_t *s)
{
    sr_server_config_t *next = NULL;
    int rc = sr_server_config_load(s->config->path, &next);
    if (rc != SR_OK) {
        sr_error("reload refused, keeping the running config: %s", sr_err_trail());
        return rc;
    }
    sr_server_reload(s, next);
    return SR_OK;
}

void sr_server_stop(sr_server_t *s, sr_utime_t timeout_us)
{
    s->is_stopping = true;
    sr_co_stop(s->sampler);
    s->sampler = NULL;
    sr_edge_stop(s);
    sr_rtsp_pull_stop(s);
    sr_registry_stop(s); /* after the pulls: their unpublish is not ours to list */
    sr_heartbeat_stop(s->heartbeat);
    s->heartbeat = NULL;
    sr_listeners_free(s->listeners);
    s->listeners = NULL;
    sr_jobs_stop(s->jobs, SR_MIN(timeout_us, SR_SUPERVISOR_KILL_GRACE_US)); /* their connections close with them */
    s->jobs = NULL;
    for (sr_client_t *c = s->clients; c; c = c->next) {
        sr_co_interrupt(c->co);
    }
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    while (s->client_count > 0 && sr_time_mono_us() < deadline) {
        sr_usleep(10 * SR_UTIME_MS);
    }
    if (s->client_count > 0) {
        sr_warn("stop: %d connections still open after the grace period", s->client_count);
    }
}

void sr_server_free(sr_server_t *s)
{
    if (!s) {
        return;
    }
    sr_listeners_free(s->listeners); /* when start failed or stop was not called */
    sr_heartbeat_stop(s->heartbeat);
    sr_source_registry_free(s->sources);
    sr_server_config_free(s->config);
    sr_free(s);
}
