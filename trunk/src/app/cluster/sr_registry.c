/* SPDX-License-Identifier: MIT */
/*
 * sr_registry.c: the observer queues each publish and unpublish (it may not yield);
 * one coroutine owns the Redis connection and applies them, and every
 * SR_REGISTRY_REFRESH_US sets every live registration again, which both refreshes the
 * TTL and catches up after Redis was down. Lookups open a short connection of their own.
 */
#include "sr_registry.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_redis.h"
#include "sr_st.h"

#define SR_REGISTRY_KEY_PREFIX "strand:stream:"
#define SR_REGISTRY_TIMEOUT_US SR_UTIME_S
/* A Redis that is down is reported this often, not on every retry. */
#define SR_REGISTRY_WARN_EVERY_US (30 * SR_UTIME_S)
/* Delete the key only if it still names us: another origin may have the stream now. */
#define SR_REGISTRY_DEL_IF_OURS                                                                                        \
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

typedef struct sr_registry_entry {
    struct sr_registry_entry *next;
    const sr_source_t *source; /* identity only: never dereferenced after unpublish */
    char url[256];             /* the registry */
    char key[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 32];
    char value[300]; /* host:port */
    bool is_set;     /* Redis has it (as far as we know) */
    bool is_gone;    /* unpublished: delete, then forget */
} sr_registry_entry_t;

typedef struct sr_registry {
    sr_server_t *server;
    sr_source_observer_t observer;
    sr_registry_entry_t *entries;
    sr_co_t *co;
    sr_cond_t *wake;
    sr_redis_t *redis;
    char redis_url[256];
    sr_utime_t next_warn_us;
} sr_registry_t;

/* The registry state of the process's one server. */
static sr_registry_t *sr_registry_state;

static void sr_registry_key(const char *vhost, const char *app, const char *stream, char *out, size_t size)
{
    snprintf(out, size, SR_REGISTRY_KEY_PREFIX "%s/%s/%s", vhost, app, stream);
}

/* host:port others reach this server at for cc. */
static void sr_registry_advertised(sr_server_t *server, const sr_cluster_config_t *cc, char *out, size_t size)
{
    if (cc->advertise.host[0]) {
        snprintf(out, size, "%s:%d", cc->advertise.host, cc->advertise.port);
        return;
    }
    char ip[64];
    sr_server_host_ip(ip, sizeof(ip));
    const sr_server_config_t *c = sr_server_config(server);
    snprintf(out, size, "%s:%d", ip, c->listen_count > 0 ? c->listens[0].port : SR_CLUSTER_DEFAULT_PORT);
}

static const sr_cluster_config_t *sr_registry_config(sr_server_t *server, const char *vhost)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), vhost);
    return v && v->cluster && v->cluster->registry[0] ? v->cluster : NULL;
}

/* ---- the observer: queue, never yield ---- */

static void sr_registry_on_publish(void *arg, sr_source_t *s)
{
    sr_registry_t *r = arg;
    const sr_cluster_config_t *cc = sr_registry_config(r->server, sr_source_vhost(s));
    if (!cc || sr_edge_is_pulled(r->server, s)) {
        return; /* not registered here, or a copy this server pulls: the origin lists it */
    }
    sr_registry_entry_t *e = SR_NEW(sr_registry_entry_t);
    e->source = s;
    snprintf(e->url, sizeof(e->url), "%s", cc->registry);
    sr_registry_key(sr_source_vhost(s), sr_source_app(s), sr_source_stream(s), e->key, sizeof(e->key));
    sr_registry_advertised(r->server, cc, e->value, sizeof(e->value));
    e->next = r->entries;
    r->entries = e;
    sr_cond_signal(r->wake);
}

static void sr_registry_on_unpublish(void *arg, sr_source_t *s)
{
    sr_registry_t *r = arg;
    for (sr_registry_entry_t *e = r->entries; e; e = e->next) {
        if (e->source == s && !e->is_gone) {
            e->is_gone = true;
            e->source = NULL;
            sr_cond_signal(r->wake);
        }
    }
}

/* ---- the coroutine: talk to Redis ---- */

static int sr_registry_redis(sr_registry_t *r, const char *url)
{
    if (r->redis && strcmp(r->redis_url, url) == 0) {
        return SR_OK;
    }
    sr_redis_close(r->redis);
    r->redis = NULL;
    snprintf(r->redis_url, sizeof(r->redis_url), "%s", url);
    return sr_redis_connect(url, SR_REGISTRY_TIMEOUT_US, &r->redis);
}

/* Set (or with is_gone delete) one entry. */
static int sr_registry_apply(sr_registry_t *r, sr_registry_entry_t *e)
{
    int rc = sr_registry_redis(r, e->url);
    if (rc == SR_OK && e->is_gone) {
        const char *argv[] = {"EVAL", SR_REGISTRY_DEL_IF_OURS, "1", e->key, e->value};
        rc = sr_redis_command(r->redis, 5, argv, SR_REGISTRY_TIMEOUT_US, NULL, 0, NULL);
    } else if (rc == SR_OK) {
        char ttl[16];
        snprintf(ttl, sizeof(ttl), "%d", SR_REGISTRY_TTL_S);
        const char *argv[] = {"SET", e->key, e->value, "EX", ttl};
        rc = sr_redis_command(r->redis, 5, argv, SR_REGISTRY_TIMEOUT_US, NULL, 0, NULL);
    }
    if (rc != SR_OK && rc != -SR_EINTERRUPTED && rc != -SR_EREDIS) {
        sr_redis_close(r->redis); /* the next try reconnects */
        r->redis = NULL;
    }
    if (rc == SR_OK && !e->is_set && !e->is_gone) {
        sr_trace("registry %s: %s = %s", e->url, e->key, e->value);
    }
    e->is_set = rc == SR_OK && !e->is_gone;
    return rc;
}

/* Apply what is pending (is_all: every entry, the refresh). Entries gone from Redis are
 * freed; with is_final, gone or not. */
static void sr_registry_sync(sr_registry_t *r, bool is_all, bool is_final)
{
    for (sr_registry_entry_t **pe = &r->entries; *pe;) {
        sr_registry_entry_t *e = *pe;
        int rc = SR_OK;
        if (is_final) {
            e->is_gone = true;
        }
        if (is_all || e->is_gone || !e->is_set) {
            rc = sr_registry_apply(r, e);
        }
        if (rc != SR_OK && rc != -SR_EINTERRUPTED && sr_time_mono_us() >= r->next_warn_us) {
            r->next_warn_us = sr_time_mono_us() + SR_REGISTRY_WARN_EVERY_US;
            sr_warn("registry %s: %s; streams keep flowing, registrations are retried", e->url, sr_err_trail());
        }
        sr_err_clear();
        if (e->is_gone && (rc == SR_OK || is_final)) {
            *pe = e->next;
            sr_free(e);
        } else {
            pe = &e->next;
        }
    }
}

static void sr_registry_run(void *arg)
{
    sr_registry_t *r = arg;
    sr_utime_t next_refresh = sr_time_mono_us() + SR_REGISTRY_REFRESH_US;
    while (sr_co_pull() == SR_OK) {
        sr_utime_t now = sr_time_mono_us();
        int rc = sr_cond_timedwait(r->wake, next_refresh > now ? next_refresh - now : 1);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        sr_err_clear();
        bool is_refresh = sr_time_mono_us() >= next_refresh;
        if (is_refresh) {
            next_refresh = sr_time_mono_us() + SR_REGISTRY_REFRESH_US;
        }
        sr_registry_sync(r, is_refresh, false);
    }
}

void sr_registry_start(sr_server_t *server)
{
    sr_registry_t *r = SR_NEW(sr_registry_t);
    r->server = server;
    r->wake = sr_cond_new();
    r->observer = (sr_source_observer_t){
        .on_publish = sr_registry_on_publish, .on_unpublish = sr_registry_on_unpublish, .arg = r};
    sr_source_registry_observe(sr_server_sources(server), &r->observer);
    r->co = sr_co_start(sr_registry_run, r, "");
    sr_registry_state = r;
}

void sr_registry_stop(sr_server_t *server)
{
    sr_registry_t *r = sr_registry_state;
    if (!r || r->server != server) {
        return;
    }
    sr_registry_state = NULL;
    sr_source_registry_unobserve(sr_server_sources(server), &r->observer);
    sr_co_stop(r->co);
    sr_registry_sync(r, false, true); /* what this server listed goes away with it */
    sr_redis_close(r->redis);
    sr_cond_free(r->wake);
    sr_free(r);
}

int sr_registry_lookup(sr_server_t *server, const sr_cluster_config_t *cc, const sr_request_t *req,
                       sr_cluster_addr_t *out)
{
    char key[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 32], value[300] = "";
    sr_registry_key(req->vhost, req->app, req->stream, key, sizeof(key));
    sr_redis_t *redis = NULL;
    bool is_nil = true;
    int rc = sr_redis_connect(cc->registry, SR_REGISTRY_TIMEOUT_US, &redis);
    if (rc == SR_OK) {
        const char *argv[] = {"GET", key};
        rc = sr_redis_command(redis, 2, argv, SR_REGISTRY_TIMEOUT_US, value, sizeof(value), &is_nil);
    }
    sr_redis_close(redis);
    if (rc != SR_OK) {
        return rc;
    }
    char self[300];
    sr_registry_advertised(server, cc, self, sizeof(self));
    if (is_nil || strcmp(value, self) == 0) {
        return sr_err_new(SR_ENOT_FOUND, "no other origin lists %s", key);
    }
    if (sr_config_cluster_addr(NULL, value, false, out) != SR_OK) {
        return sr_err_wrap(-SR_EFORMAT, "registry value of %s", key);
    }
    return SR_OK;
}
