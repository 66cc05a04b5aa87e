/* SPDX-License-Identifier: MIT */
/*
 * sr_listener.h: the server's listening sockets, driven by a table of protocols. A
 * protocol is one sr_listen_proto_t: which addresses the config asks it to listen on,
 * over TCP or UDP, and what to do with them (start a connection per accepted TCP
 * socket; serve a bound UDP socket, as SRT, WebRTC and RTSP/UDP do). A new protocol is
 * its entry in sr_listen_protocols (sr_listener.c) plus its own files.
 *
 * TCP protocols with the same accept function share a port (http_api.listen equal to
 * http_server.listen serves both, the roles of the port are OR'ed); other protocols on
 * one TCP port are a config error. A TCP and a UDP listener may use the same number.
 * A listener that refuses a connection over max_connections closes that socket only.
 */
#ifndef SR_LISTENER_H
#define SR_LISTENER_H

#include "sr_config_server.h"
#include "sr_core.h"

SR_BEGIN_DECLS

struct sr_server;
struct sr_sock;

typedef enum sr_listen_transport {
    SR_LISTEN_TCP,
    SR_LISTEN_UDP,
    SR_LISTEN_OWN, /* a socket the protocol opens itself (libsrt's): open/serve_own/close */
} sr_listen_transport_t;

typedef struct sr_listen_proto {
    const char *name; /* in logs: "rtmp", "http", ... */
    unsigned role;    /* SR_ROLE_* (sr_server.h): what the port serves */
    sr_listen_transport_t transport;
    /* Write the addresses the config asks of self into out (at most max); returns how many. */
    int (*addresses)(const struct sr_listen_proto *self, const sr_server_config_t *c, sr_listen_addr_t *out, int max);
    /* TCP: serve an accepted connection; owns client. roles: every role of the port. */
    void (*accept)(struct sr_server *s, struct sr_sock *client, unsigned roles);
    /* UDP: serve the bound socket (borrowed) until interrupted, in the listener's coroutine. */
    void (*serve)(struct sr_server *s, struct sr_sock *sock);
    /* OWN: open a listening handle on addr as config c says, serve it until
     * interrupted (in the listener's coroutine), close it. reload (may be NULL) tells
     * a handle that stays open across a reload the new config c. */
    int (*open)(struct sr_server *s, const sr_server_config_t *c, const sr_listen_addr_t *addr, void **handle);
    void (*serve_own)(struct sr_server *s, void *handle);
    void (*close)(void *handle);
    void (*reload)(void *handle, const sr_server_config_t *c);
} sr_listen_proto_t;

/* The addresses callback of a protocol with one listen address: addr when is_enabled. */
static inline int sr_listen_one(bool is_enabled, const sr_listen_addr_t *addr, sr_listen_addr_t *out, int max)
{
    if (!is_enabled || max < 1) {
        return 0;
    }
    *out = *addr;
    return 1;
}

typedef struct sr_listeners sr_listeners_t;

/* Listeners of server s for the given protocols (borrowed, static storage), none open
 * yet. NULL protos means the server's own table. */
sr_listeners_t *sr_listeners_new(struct sr_server *s, const sr_listen_proto_t *const *protos, size_t n);
/* Open every listener config c asks for. On error the ones opened stay (free closes
 * them). -SR_ECONFIG for conflicting or too many addresses, else the socket's code. */
int sr_listeners_open(sr_listeners_t *ls, const sr_server_config_t *c);
/* Bring the listeners in line with c: close those it no longer wants, open new ones,
 * update the roles of those that stay (no re-bind: connections in flight continue)
 * and give c to their protocol's reload.
 * Errors are logged; what could be opened is. May yield. */
void sr_listeners_reload(sr_listeners_t *ls, const sr_server_config_t *c);
/* Close every listener and free ls. NULL is ignored. May yield. */
void sr_listeners_free(sr_listeners_t *ls);
/* The local port of the first open listener of protocol name, 0 when none (tests). */
int sr_listeners_port(const sr_listeners_t *ls, const char *name);

SR_END_DECLS

#endif
