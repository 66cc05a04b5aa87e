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
#include "sr_error.h"
#include "sr_log.h"
#include "sr_rtmp_conn.h"
#include "sr_st.h"

typedef struct sr_listener {
    struct sr_listener *next;
    sr_server_t *server;
    sr_listen_addr_t addr;
    sr_sock_t *sock;
    sr_co_t *co;
} sr_listener_t;

struct sr_server {
    sr_server_config_t *config;
    sr_source_registry_t *sources;
    sr_listener_t *listeners;
    sr_client_t *clients;
    int client_count;
    uint64_t refused;
    bool is_stopping;
};

sr_server_t *sr_server_new(sr_server_config_t *config)
{
    sr_server_t *s = SR_NEW(sr_server_t);
    s->config = config;
    s->sources = sr_source_registry_new();
    return s;
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
}

void sr_server_client_remove(sr_server_t *s, sr_client_t *c)
{
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
        if (s->client_count >= s->config->max_connections) {
            s->refused++;
            sr_warn("refuse %s:%d: %d connections reached max_connections %d (refused %llu so far)",
                    sr_sock_peer_ip(client), sr_sock_peer_port(client), s->client_count, s->config->max_connections,
                    (unsigned long long)s->refused);
            sr_sock_close(client);
            continue;
        }
        sr_rtmp_conn_start(s, client);
    }
}

static int sr_listener_open(sr_server_t *s, const sr_listen_addr_t *addr)
{
    sr_sock_t *sock = NULL;
    int rc = sr_sock_listen_tcp(addr->ip, addr->port, 1024, &sock);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "rtmp listen");
    }
    sr_listener_t *l = SR_NEW(sr_listener_t);
    l->server = s;
    l->addr = *addr;
    l->sock = sock;
    l->next = s->listeners;
    s->listeners = l;
    l->co = sr_co_start(sr_listener_cycle, l, "");
    char name[96];
    sr_trace("rtmp listen at %s", sr_listener_name(addr, name, sizeof(name)));
    return SR_OK;
}

static void sr_listener_close(sr_listener_t *l)
{
    sr_co_stop(l->co);
    sr_sock_close(l->sock);
    char name[96];
    sr_trace("rtmp listener %s closed", sr_listener_name(&l->addr, name, sizeof(name)));
    sr_free(l);
}

int sr_server_start(sr_server_t *s)
{
    for (int i = 0; i < s->config->listen_count; i++) {
        int rc = sr_listener_open(s, &s->config->listens[i]);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

static bool sr_server_has_listen(const sr_server_config_t *c, const sr_listen_addr_t *a)
{
    for (int i = 0; i < c->listen_count; i++) {
        if (c->listens[i].port == a->port && strcmp(c->listens[i].ip, a->ip) == 0) {
            return true;
        }
    }
    return false;
}

static void sr_server_reload_listeners(sr_server_t *s, const sr_server_config_t *next)
{
    sr_listener_t **pp = &s->listeners;
    while (*pp) {
        sr_listener_t *l = *pp;
        if (!sr_server_has_listen(next, &l->addr)) {
            *pp = l->next;
            sr_listener_close(l);
        } else {
            pp = &l->next;
        }
    }
    for (int i = 0; i < next->listen_count; i++) {
        bool open = false;
        for (sr_listener_t *l = s->listeners; l; l = l->next) {
            open = open || (l->addr.port == next->listens[i].port && strcmp(l->addr.ip, next->listens[i].ip) == 0);
        }
        if (!open && sr_listener_open(s, &next->listens[i]) != SR_OK) {
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
    sr_source_policy_t sp = {v->is_gop_cache, v->gop_cache_max_frames};
    sr_source_set_policy(src, &sp);
    sr_consumer_policy_t cp;
    sr_rtmp_conn_consumer_policy(v, &cp);
    sr_source_set_consumer_policy(src, &cp);
}

void sr_server_reload(sr_server_t *s, sr_server_config_t *config)
{
    sr_server_config_t *old = s->config;
    sr_log_set_level((sr_log_level_t)config->log_level);
    sr_server_reload_listeners(s, config);
    s->config = config;
    /* Clients of vhosts that are gone or disabled are closed; others keep going. */
    for (sr_client_t *c = s->clients; c; c = c->next) {
        const sr_vhost_config_t *v = c->vhost[0] ? sr_server_config_vhost(config, c->vhost) : NULL;
        if (c->vhost[0] && (!v || !v->is_enabled)) {
            sr_trace("reload: close client %s of vhost %s (removed or disabled)", c->cid, c->vhost);
            sr_co_interrupt(c->co);
        }
    }
    sr_source_registry_foreach(s->sources, sr_server_reload_source, s);
    sr_server_config_free(old);
    sr_trace("reload: applied %s (%d vhosts, %d listeners, log level %s)", config->path, config->vhost_count,
             config->listen_count, sr_log_level_name((sr_log_level_t)config->log_level));
}

/* ---- stop ---- */

void sr_server_stop(sr_server_t *s, sr_utime_t timeout_us)
{
    s->is_stopping = true;
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
