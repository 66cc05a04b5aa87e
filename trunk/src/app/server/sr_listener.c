/* SPDX-License-Identifier: MIT */
/*
 * sr_listener.c: the wanted list (every address the config asks of every protocol,
 * TCP ports shared by protocols with the same accept function merged into one entry),
 * the listeners that are open (one coroutine each: an accept loop for TCP, the
 * protocol's serve function for UDP), and reload as the difference of the two.
 */
#include "sr_listener.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_http_conn.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtmp_conn.h"
#include "sr_rtsp.h"
#include "sr_server.h"
#include "sr_srt_conn.h"
#include "sr_st.h"

#define SR_LISTENER_MAX 32

/* The protocols the server listens for: one line each. */
static const sr_listen_proto_t *const sr_listen_protocols[] = {
    &sr_rtmp_listen_proto,      /* listen */
    &sr_http_listen_protos[0],  /* http_server */
    &sr_http_listen_protos[1],  /* http_api */
    &sr_http_listen_protos[2],  /* exporter */
    &sr_http_listen_protos[3],  /* http_server.https */
    &sr_http_listen_protos[4],  /* http_api.https */
    &sr_rtmps_listen_proto,     /* rtmps */
    &sr_srt_listen_proto,       /* srt_server */
    &sr_rtc_listen_proto,       /* rtc_server */
    &sr_rtc_tcp_listen_proto,   /* rtc_server tcp { } */
    &sr_rtsp_listen_proto,      /* rtsp_server (ours) */
    &sr_rtsp_rtp_listen_proto,  /* rtsp_server rtp_port */
    &sr_rtsp_rtcp_listen_proto, /* rtsp_server rtcp_port */
};

typedef struct sr_listen_want {
    const sr_listen_proto_t *proto; /* the first protocol on the address: its transport and handlers */
    sr_listen_addr_t addr;
    unsigned roles;
} sr_listen_want_t;

typedef struct sr_listener {
    struct sr_listener *next;
    sr_server_t *server;
    sr_listen_want_t want;
    sr_sock_t *sock; /* TCP, UDP */
    void *handle;    /* OWN */
    sr_co_t *co;
} sr_listener_t;

struct sr_listeners {
    sr_server_t *server;
    const sr_listen_proto_t *const *protos;
    size_t nprotos;
    sr_listener_t *open;
};

/* ==== the wanted list ==== */

static bool sr_listen_addr_equal(const sr_listen_addr_t *a, const sr_listen_addr_t *b)
{
    return a->port == b->port && strcmp(a->ip, b->ip) == 0;
}

/* Two entries are one listener: same address and transport, and the same protocol or,
 * for TCP, the same accept function (the HTTP roles); -1 for a conflict (another
 * protocol on the address), 0 for different listeners. */
static int sr_listen_want_same(const sr_listen_want_t *w, const sr_listen_proto_t *p, const sr_listen_addr_t *a)
{
    if (!sr_listen_addr_equal(&w->addr, a) || w->proto->transport != p->transport) {
        return 0;
    }
    bool is_shared = w->proto == p || (p->transport == SR_LISTEN_TCP && w->proto->accept == p->accept);
    return is_shared ? 1 : -1;
}

static int sr_listen_want_add(sr_listen_want_t *w, int *n, const sr_listen_proto_t *p, const sr_listen_addr_t *a)
{
    for (int i = 0; i < *n; i++) {
        int same = sr_listen_want_same(&w[i], p, a);
        if (same < 0) {
            return sr_err_new(SR_ECONFIG, "port %d is configured for %s and %s at once", a->port, w[i].proto->name,
                              p->name);
        }
        if (same > 0) {
            w[i].roles |= p->role;
            return SR_OK;
        }
    }
    if (*n >= SR_LISTENER_MAX) {
        return sr_err_new(SR_ECONFIG, "more than %d listen addresses", SR_LISTENER_MAX);
    }
    w[*n] = (sr_listen_want_t){p, *a, p->role};
    (*n)++;
    return SR_OK;
}

/* Every address the config wants a listener on, with its roles. */
static int sr_listeners_wanted(const sr_listeners_t *ls, const sr_server_config_t *c, sr_listen_want_t *w, int *n)
{
    *n = 0;
    for (size_t i = 0; i < ls->nprotos; i++) {
        sr_listen_addr_t addrs[SR_LISTENER_MAX];
        int count = ls->protos[i]->addresses(ls->protos[i], c, addrs, SR_LISTENER_MAX);
        for (int k = 0; k < count; k++) {
            int rc = sr_listen_want_add(w, n, ls->protos[i], &addrs[k]);
            if (rc != SR_OK) {
                return rc;
            }
        }
    }
    return SR_OK;
}

/* ==== open listeners ==== */

/* "0.0.0.0:1935", "[::]:1935", "0.0.0.0:10080/udp". */
static const char *sr_listener_name(const sr_listener_t *l, char *buf, size_t size)
{
    const char *ip = l->want.addr.ip;
    const char *transport = l->want.proto->transport != SR_LISTEN_TCP ? "/udp" : "";
    snprintf(buf, size, strchr(ip, ':') ? "[%s]:%d%s" : "%s:%d%s", ip, l->want.addr.port, transport);
    return buf;
}

static void sr_listener_accept_cycle(sr_listener_t *l)
{
    sr_server_t *s = l->server;
    while (sr_co_pull() == SR_OK) {
        sr_sock_t *client = NULL;
        int rc = sr_sock_accept(l->sock, SR_UTIME_NO_TIMEOUT, &client);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        if (rc != SR_OK) {
            char name[128];
            sr_warn("%s accept on %s failed: %s", l->want.proto->name, sr_listener_name(l, name, sizeof(name)),
                    sr_err_trail());
            sr_usleep(10 * SR_UTIME_MS); /* e.g. EMFILE: back off, then keep serving */
            continue;
        }
        if (!sr_server_admit(s)) {
            sr_warn("refuse %s:%d: %d connections reached max_connections %d (refused %llu so far)",
                    sr_sock_peer_ip(client), sr_sock_peer_port(client), sr_server_client_count(s),
                    sr_server_config(s)->max_connections, (unsigned long long)sr_server_totals(s)->refused);
            sr_sock_close(client);
            continue;
        }
        l->want.proto->accept(s, client, l->want.roles);
    }
}

static void sr_listener_cycle(void *arg)
{
    sr_listener_t *l = arg;
    if (l->want.proto->transport == SR_LISTEN_OWN) {
        l->want.proto->serve_own(l->server, l->handle);
    } else if (l->want.proto->transport == SR_LISTEN_UDP) {
        l->want.proto->serve(l->server, l->sock);
    } else {
        sr_listener_accept_cycle(l);
    }
}

static int sr_listener_open(sr_listeners_t *ls, const sr_server_config_t *c, const sr_listen_want_t *want)
{
    sr_sock_t *sock = NULL;
    void *handle = NULL;
    int rc = SR_OK;
    switch (want->proto->transport) {
    case SR_LISTEN_OWN:
        rc = want->proto->open(ls->server, c, &want->addr, &handle);
        break;
    case SR_LISTEN_UDP:
        rc = sr_udp_bind(want->addr.ip, want->addr.port, &sock);
        break;
    default:
        rc = sr_sock_listen_tcp(want->addr.ip, want->addr.port, 1024, &sock);
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "%s listen", want->proto->name);
    }
    sr_listener_t *l = SR_NEW(sr_listener_t);
    l->server = ls->server;
    l->want = *want;
    l->sock = sock;
    l->handle = handle;
    l->next = ls->open;
    ls->open = l;
    l->co = sr_co_start(sr_listener_cycle, l, "");
    char name[128];
    sr_trace("%s listen at %s", want->proto->name, sr_listener_name(l, name, sizeof(name)));
    return SR_OK;
}

static void sr_listener_close(sr_listener_t *l)
{
    sr_co_stop(l->co);
    sr_sock_close(l->sock);
    if (l->handle) {
        l->want.proto->close(l->handle);
    }
    char name[128];
    sr_trace("%s listener %s closed", l->want.proto->name, sr_listener_name(l, name, sizeof(name)));
    sr_free(l);
}

/* ==== the set ==== */

sr_listeners_t *sr_listeners_new(sr_server_t *s, const sr_listen_proto_t *const *protos, size_t n)
{
    sr_listeners_t *ls = SR_NEW(sr_listeners_t);
    ls->server = s;
    ls->protos = protos ? protos : sr_listen_protocols;
    ls->nprotos = protos ? n : SR_ARRAY_SIZE(sr_listen_protocols);
    return ls;
}

int sr_listeners_open(sr_listeners_t *ls, const sr_server_config_t *c)
{
    sr_listen_want_t want[SR_LISTENER_MAX];
    int n = 0;
    int rc = sr_listeners_wanted(ls, c, want, &n);
    for (int i = 0; rc == SR_OK && i < n; i++) {
        rc = sr_listener_open(ls, c, &want[i]);
    }
    return rc;
}

void sr_listeners_reload(sr_listeners_t *ls, const sr_server_config_t *c)
{
    sr_listen_want_t want[SR_LISTENER_MAX];
    int n = 0;
    if (sr_listeners_wanted(ls, c, want, &n) != SR_OK) {
        sr_error("reload: listeners unchanged: %s", sr_err_trail());
        return;
    }
    sr_listener_t **pp = &ls->open;
    while (*pp) {
        sr_listener_t *l = *pp;
        int keep = -1;
        for (int i = 0; i < n && keep < 0; i++) {
            keep = want[i].roles && sr_listen_want_same(&l->want, want[i].proto, &want[i].addr) > 0 ? i : -1;
        }
        if (keep < 0) {
            *pp = l->next;
            sr_listener_close(l);
            continue;
        }
        l->want.roles = want[keep].roles;
        want[keep].roles = 0; /* already open */
        if (l->handle && l->want.proto->reload) {
            l->want.proto->reload(l->handle, c);
        }
        pp = &l->next;
    }
    for (int i = 0; i < n; i++) {
        if (want[i].roles && sr_listener_open(ls, c, &want[i]) != SR_OK) {
            sr_error("reload: %s", sr_err_trail());
        }
    }
}

void sr_listeners_free(sr_listeners_t *ls)
{
    if (!ls) {
        return;
    }
    while (ls->open) {
        sr_listener_t *l = ls->open;
        ls->open = l->next;
        sr_listener_close(l);
    }
    sr_free(ls);
}

int sr_listeners_port(const sr_listeners_t *ls, const char *name)
{
    for (const sr_listener_t *l = ls->open; l; l = l->next) {
        if (strcmp(l->want.proto->name, name) == 0) {
            return l->sock ? sr_sock_local_port(l->sock) : l->want.addr.port;
        }
    }
    return 0;
}
