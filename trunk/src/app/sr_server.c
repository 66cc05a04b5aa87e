/* SPDX-License-Identifier: MIT */
/*
 * sr_server.c: listeners and their accept loops, connection bookkeeping, reload and
 * stop. A listener that refuses a connection over max_connections closes just that
 * socket and keeps accepting.
 */
#include "sr_server.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_context.h"
#include "sr_error.h"
#include "sr_http_conn.h"
#include "sr_log.h"
#include "sr_rtmp_conn.h"
#include "sr_sinks.h"
#include "sr_st.h"
#include "sr_stream_policy.h"

#define SR_SERVER_MAX_LISTENERS 32

typedef struct sr_listen_want {
    sr_listen_addr_t addr;
    unsigned roles; /* SR_ROLE_* */
} sr_listen_want_t;

typedef struct sr_listener {
    struct sr_listener *next;
    sr_server_t *server;
    sr_listen_addr_t addr;
    unsigned roles;
    sr_sock_t *sock;
    sr_co_t *co;
} sr_listener_t;

struct sr_server {
    sr_server_config_t *config;
    sr_source_registry_t *sources;
    sr_source_observer_t stats_observer; /* counts publishes and watched streams */
    sr_listener_t *listeners;
    sr_client_t *clients;
    int client_count;
    sr_server_totals_t totals;
    char id[16];
    char service_id[16];
    sr_co_t *sampler;
    bool is_stopping;
    struct sr_hooks *hooks; /* owned by sr_http_hooks */
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

void sr_server_client_remove(sr_server_t *s, sr_client_t *c, bool is_error)
{
    if (c->io) {
        s->totals.recv_bytes += c->io->recv_bytes;
        s->totals.send_bytes += c->io->send_bytes;
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

/* Every few seconds, sample each client's byte counters for its kbps. */
static void sr_server_sampler_cycle(void *arg)
{
    sr_server_t *s = arg;
    while (sr_usleep(SR_KBPS_INTERVAL_MS * SR_UTIME_MS) == SR_OK) {
        int64_t now_ms = sr_time_wall_us() / 1000;
        for (sr_client_t *c = s->clients; c; c = c->next) {
            if (c->io) {
                sr_kbps_sample(&c->kbps, c->io->recv_bytes, c->io->send_bytes, now_ms);
            }
        }
        sr_source_registry_sample(s->sources, now_ms);
    }
}

/* ---- listeners ---- */

/* "ip:port", with brackets around IPv6 addresses. */
static const char *sr_listener_name(const sr_listen_addr_t *a, char *buf, size_t size)
{
    snprintf(buf, size, strchr(a->ip, ':') ? "[%s]:%d" : "%s:%d", a->ip, a->port);
    return buf;
}

static void sr_listener_cycle(void *arg)
{
    sr_listener_t *l = arg;
    sr_server_t *s = l->server;
    while (sr_co_pull() == SR_OK) {
        sr_sock_t *client = NULL;
        int rc = sr_sock_accept(l->sock, SR_UTIME_NO_TIMEOUT, &client);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        if (rc != SR_OK) {
            char name[96];
            sr_warn("accept on %s failed: %s", sr_listener_name(&l->addr, name, sizeof(name)), sr_err_trail());
            sr_usleep(10 * SR_UTIME_MS); /* e.g. EMFILE: back off, then keep serving */
            continue;
        }
        if (!sr_server_admit(s)) {
            sr_warn("refuse %s:%d: %d connections reached max_connections %d (refused %llu so far)",
                    sr_sock_peer_ip(client), sr_sock_peer_port(client), s->client_count, s->config->max_connections,
                    (unsigned long long)s->totals.refused);
            sr_sock_close(client);
            continue;
        }
        if (l->roles & SR_ROLE_RTMP) {
            sr_rtmp_conn_start(s, client);
        } else {
            sr_http_conn_start(s, client, l->roles);
        }
    }
}

static const char *sr_listener_roles_name(unsigned roles)
{
    if (roles & SR_ROLE_RTMP) {
        return "rtmp";
    }
    return roles == SR_ROLE_EXPORTER ? "exporter" : roles == SR_ROLE_HTTP_API ? "http api" : "http";
}

static int sr_listener_open(sr_server_t *s, const sr_listen_want_t *want)
{
    sr_sock_t *sock = NULL;
    int rc = sr_sock_listen_tcp(want->addr.ip, want->addr.port, 1024, &sock);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "%s listen", sr_listener_roles_name(want->roles));
    }
    sr_listener_t *l = SR_NEW(sr_listener_t);
    l->server = s;
    l->addr = want->addr;
    l->roles = want->roles;
    l->sock = sock;
    l->next = s->listeners;
    s->listeners = l;
    l->co = sr_co_start(sr_listener_cycle, l, "");
    char name[96];
    sr_trace("%s listen at %s", sr_listener_roles_name(l->roles), sr_listener_name(&l->addr, name, sizeof(name)));
    return SR_OK;
}

static void sr_listener_close(sr_listener_t *l)
{
    sr_co_stop(l->co);
    sr_sock_close(l->sock);
    char name[96];
    sr_trace("%s listener %s closed", sr_listener_roles_name(l->roles), sr_listener_name(&l->addr, name, sizeof(name)));
    sr_free(l);
}

static bool sr_listen_addr_equal(const sr_listen_addr_t *a, const sr_listen_addr_t *b)
{
    return a->port == b->port && strcmp(a->ip, b->ip) == 0;
}

/* Add addr with roles to the wanted list, merging HTTP roles that share a port
 * (http_api.listen equal to http_server.listen serves both on one port). */
static int sr_listen_want_add(sr_listen_want_t *w, int *n, const sr_listen_addr_t *addr, unsigned roles)
{
    for (int i = 0; i < *n; i++) {
        if (sr_listen_addr_equal(&w[i].addr, addr)) {
            if ((w[i].roles | roles) & SR_ROLE_RTMP) {
                return sr_err_new(SR_ECONFIG, "port %d is configured for RTMP and HTTP at once", addr->port);
            }
            w[i].roles |= roles;
            return SR_OK;
        }
    }
    if (*n >= SR_SERVER_MAX_LISTENERS) {
        return sr_err_new(SR_ECONFIG, "more than %d listen addresses", SR_SERVER_MAX_LISTENERS);
    }
    w[*n].addr = *addr;
    w[(*n)++].roles = roles;
    return SR_OK;
}

/* Every address the config wants a listener on, with its roles. */
static int sr_server_wanted(const sr_server_config_t *c, sr_listen_want_t *w, int *n)
{
    int rc = SR_OK;
    *n = 0;
    for (int i = 0; rc == SR_OK && i < c->listen_count; i++) {
        rc = sr_listen_want_add(w, n, &c->listens[i], SR_ROLE_RTMP);
    }
    if (rc == SR_OK && c->http_server.is_enabled) {
        rc = sr_listen_want_add(w, n, &c->http_server.addr, SR_ROLE_HTTP_SERVER);
    }
    if (rc == SR_OK && c->http_api.is_enabled) {
        rc = sr_listen_want_add(w, n, &c->http_api.addr, SR_ROLE_HTTP_API);
    }
    if (rc == SR_OK && c->exporter.is_enabled) {
        rc = sr_listen_want_add(w, n, &c->exporter.addr, SR_ROLE_EXPORTER);
    }
    return rc;
}

int sr_server_start(sr_server_t *s)
{
    sr_listen_want_t want[SR_SERVER_MAX_LISTENERS];
    int n = 0;
    int rc = sr_server_wanted(s->config, want, &n);
    for (int i = 0; rc == SR_OK && i < n; i++) {
        rc = sr_listener_open(s, &want[i]);
    }
    if (rc == SR_OK) {
        s->sampler = sr_co_start(sr_server_sampler_cycle, s, NULL);
    }
    return rc;
}

/* Close listeners the new config does not want, open the new ones, and update the
 * roles of those that stay (no re-bind, so connections in flight are untouched). */
static void sr_server_reload_listeners(sr_server_t *s, const sr_server_config_t *next)
{
    sr_listen_want_t want[SR_SERVER_MAX_LISTENERS];
    int n = 0;
    if (sr_server_wanted(next, want, &n) != SR_OK) {
        sr_error("reload: listeners unchanged: %s", sr_err_trail());
        return;
    }
    sr_listener_t **pp = &s->listeners;
    while (*pp) {
        sr_listener_t *l = *pp;
        int keep = -1;
        for (int i = 0; i < n && keep < 0; i++) {
            bool same_kind = ((want[i].roles & SR_ROLE_RTMP) != 0) == ((l->roles & SR_ROLE_RTMP) != 0);
            keep = sr_listen_addr_equal(&want[i].addr, &l->addr) && same_kind ? i : -1;
        }
        if (keep < 0) {
            *pp = l->next;
            sr_listener_close(l);
            continue;
        }
        l->roles = want[keep].roles;
        want[keep].roles = 0; /* already open */
        pp = &l->next;
    }
    for (int i = 0; i < n; i++) {
        if (want[i].roles && sr_listener_open(s, &want[i]) != SR_OK) {
            sr_error("reload: %s", sr_err_trail());
        }
    }
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
    sr_server_reload_listeners(s, config);
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
    sr_server_config_free(old);
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
    while (s->listeners) {
        sr_listener_t *l = s->listeners;
        s->listeners = l->next;
        sr_listener_close(l);
    }
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
    sr_source_registry_free(s->sources);
    sr_server_config_free(s->config);
    sr_free(s);
}
