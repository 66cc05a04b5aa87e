/* SPDX-License-Identifier: MIT */
/*
 * sr_st.h: the only door to state-threads. Coroutines (sr_co_t) with a per-coroutine
 * context (cid + error trail), condition variables, sleeping, and TCP/pipe sockets
 * that implement sr_io_t with finite timeouts. Everything that can switch coroutines
 * lives here and says "May yield."
 */
#ifndef SR_ST_H
#define SR_ST_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "sr_context.h"
#include "sr_core.h"
#include "sr_io.h"
#include "sr_time.h"

SR_BEGIN_DECLS

/* Initialise ST on epoll and install the context provider. Fails with
 * -SR_EEVENTSYS when ST cannot use epoll (we refuse select: it caps at 1024 fds).
 * Once ST runs, a further call only re-installs the context provider and returns SR_OK. */
int sr_st_init(void);
/* "epoll", "poll", "select" ... as ST reports it. */
const char *sr_st_eventsys_name(void);
/* The process's open-file limit as ST sees it. */
int sr_st_fd_limit(void);

/* ---- coroutines ---- */
typedef struct sr_co sr_co_t;
typedef void (*sr_co_fn)(void *arg);

/* Start a joinable coroutine running fn(arg). cid NULL inherits the caller's context
 * id, otherwise the given id is used ("" makes a fresh one). Stop it with sr_co_stop. */
sr_co_t *sr_co_start(sr_co_fn fn, void *arg, const char *cid);
/* Start a detached coroutine: it frees its own handle when fn returns, so the caller
 * must not touch the handle after fn may have returned; sr_co_interrupt is allowed
 * only while the owner knows fn is still running (e.g. it unregisters itself last). */
sr_co_t *sr_co_start_detached(sr_co_fn fn, void *arg, const char *cid);
/* Ask co to stop (sets its flag and interrupts a blocked call), then wait for it to
 * end and free the handle. Idempotent on NULL. Never call on oneself. May yield. */
void sr_co_stop(sr_co_t *co);
/* Ask co to stop without waiting. */
void sr_co_interrupt(sr_co_t *co);
/* Coroutines started whose fn has not returned yet (the main one not counted). */
int sr_co_count(void);
/* -SR_EINTERRUPTED if the running coroutine was asked to stop, else SR_OK. Loops call it once per iteration. */
int sr_co_pull(void);
/* The running coroutine (NULL for the primordial thread). */
sr_co_t *sr_co_self(void);
/* Give back the stack pages below the caller's frame that deeper calls touched earlier
 * (a handshake, command parsing), before a long steady phase with a shallow stack:
 * each resident page, times thousands of players, is RSS. */
void sr_co_trim_stack(void);
/* The running coroutine's context id. */
const char *sr_co_cid(void);
/* The context id of co (e.g. a connection just started). */
const char *sr_co_cid_of(const sr_co_t *co);

/* ---- waiting ---- */
typedef struct sr_cond sr_cond_t;
sr_cond_t *sr_cond_new(void);
void sr_cond_free(sr_cond_t *c);
/* Wait for a signal, at most timeout_us (SR_UTIME_NO_TIMEOUT only when a stop interrupts it).
 * Returns SR_OK, -SR_ETIMEOUT, -SR_EINTERRUPTED. May yield. */
int sr_cond_timedwait(sr_cond_t *c, sr_utime_t timeout_us);
/* Like sr_cond_timedwait but also after a stop was requested, for a coroutine that must
 * wait for something it handed out (a job on another thread owns its memory). An
 * interrupt that arrives during the wait still ends it with -SR_EINTERRUPTED, once;
 * the next call waits again. timeout_us must be finite. May yield. */
int sr_cond_timedwait_through_stop(sr_cond_t *c, sr_utime_t timeout_us);
void sr_cond_signal(sr_cond_t *c);
void sr_cond_broadcast(sr_cond_t *c);
/* Sleep; returns -SR_EINTERRUPTED if interrupted. May yield. */
int sr_usleep(sr_utime_t us);

/* ---- sockets ---- */
typedef struct sr_sock sr_sock_t;

/* Listen on TCP ip:port ("0.0.0.0", "::", or NULL for IPv4 any). IPv6 sockets are
 * IPV6_V6ONLY so "::" and "0.0.0.0" can both be bound. */
int sr_sock_listen_tcp(const char *ip, int port, int backlog, sr_sock_t **out);
/* Accept one connection. May yield. */
int sr_sock_accept(sr_sock_t *listener, sr_utime_t timeout_us, sr_sock_t **out);
/* Connect to a numeric ip:port within timeout. May yield. */
int sr_sock_connect_tcp(const char *ip, int port, sr_utime_t timeout_us, sr_sock_t **out);
/* Wrap an existing descriptor (pipe, socketpair end); the sock owns it. */
int sr_sock_from_fd(int fd, sr_sock_t **out);
/* Close and free; NULL ok. A coroutine blocked on it must be stopped first. */
void sr_sock_close(sr_sock_t *s);
/* The byte-stream view used by protocol code; owned by the sock. */
sr_io_t *sr_sock_io(sr_sock_t *s);
/* Send count bytes of the file fd from offset with sendfile(2): the kernel copies from
 * the page cache, nothing passes through user space. Waits (yielding) while the socket
 * is full, at most the send timeout each time. Returns SR_OK, -SR_ETIMEOUT,
 * -SR_EPEER_CLOSED, -SR_EFILE_READ (the file shrank) or -SR_ESOCKET_WRITE. May yield. */
int sr_sock_sendfile(sr_sock_t *s, int fd, int64_t offset, int64_t count);
/* recv_us 0 makes reads poll: take what is buffered, or fail with -SR_ETIMEOUT at once
 * without yielding or entering ST's io queue. */
void sr_sock_set_timeouts(sr_sock_t *s, sr_utime_t recv_us, sr_utime_t send_us);
void sr_sock_set_nodelay(sr_sock_t *s, bool on);
/* Bytes the kernel holds for reading (0 on error, and at end of stream). No yield. */
size_t sr_sock_pending_bytes(const sr_sock_t *s);
int sr_sock_fd(const sr_sock_t *s);
/* Peer address as text ("" for pipes) and port. */
const char *sr_sock_peer_ip(const sr_sock_t *s);
int sr_sock_peer_port(const sr_sock_t *s);
/* Local port (useful after listening on port 0). */
int sr_sock_local_port(const sr_sock_t *s);

/* ---- UDP (SRT's bridge aside, WebRTC and RTSP/UDP read datagrams through these) ---- */

/* A datagram peer: a numeric address and port. Transparent value type. A peer that
 * sr_udp_recvfrom filled also remembers our address its datagram was sent to, so that
 * a socket bound to a wildcard address answers from that same address (a peer that
 * sent to 127.0.0.1 from 192.0.2.2 must see the answer come from 127.0.0.1, or ICE
 * refuses it). */
typedef struct sr_udp_peer {
    struct sockaddr_storage addr;
    socklen_t len;
    bool has_local;
    struct in6_addr local; /* IPv4 in the first 4 bytes for an AF_INET peer */
} sr_udp_peer_t;

/* A UDP socket bound to ip:port (port 0: any), in a sr_sock_t (close it with
 * sr_sock_close; sr_sock_local_port tells the port). IPv6 sockets are IPV6_V6ONLY. */
int sr_udp_bind(const char *ip, int port, sr_sock_t **out);
/* Receive one datagram into buf (cut to size), its length in *n and its sender in
 * *from (NULL: not wanted). -SR_ETIMEOUT, -SR_EINTERRUPTED. May yield. */
int sr_udp_recvfrom(sr_sock_t *s, void *buf, size_t size, size_t *n, sr_udp_peer_t *from, sr_utime_t timeout_us);
/* Send one datagram to peer. May yield (a full socket buffer). */
int sr_udp_sendto(sr_sock_t *s, const void *buf, size_t len, const sr_udp_peer_t *to, sr_utime_t timeout_us);
/* Send one datagram to peer without yielding: a full socket buffer drops it
 * (-SR_ESOCKET_WRITE), as the network would. For code that must not yield. */
int sr_udp_sendto_now(sr_sock_t *s, const void *buf, size_t len, const sr_udp_peer_t *to);
/* Room sr_udp_peer_cmsg needs: one IP_PKTINFO or IPV6_PKTINFO control message. */
#define SR_UDP_PEER_CMSG_BYTES 64
/* Write into ctl (size bytes, SR_UDP_PEER_CMSG_BYTES suffice) the sendmsg control
 * message that makes a datagram to `to` leave from the local address `to` remembers
 * (see sr_udp_peer_t); returns its length, 0 when there is none to write. For senders
 * that build their own msghdr (sr_udp_batch.h). */
size_t sr_udp_peer_cmsg(const sr_udp_peer_t *to, uint8_t *ctl, size_t size);
/* A peer from a numeric ip and a port; -SR_EINVAL for anything else. */
int sr_udp_peer_make(const char *ip, int port, sr_udp_peer_t *out);
/* The peer as text ("1.2.3.4", "::1") and its port. */
void sr_udp_peer_text(const sr_udp_peer_t *p, char *ip, size_t size, int *port);

SR_END_DECLS

#endif
