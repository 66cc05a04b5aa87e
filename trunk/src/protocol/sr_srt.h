/* SPDX-License-Identifier: MIT */
/*
 * sr_srt.h: SRT sockets (libsrt) as coroutine sockets. libsrt sockets are not kernel
 * fds, so ST cannot wait on them: a bridge thread blocks in libsrt's own epoll (edge-
 * triggered, every socket of the process in one set) and reports what became ready
 * through a pipe; one poller coroutine reads the pipe and wakes the coroutine that owns
 * each ready socket. Nothing polls while nothing happens: idle costs no CPU.
 *
 * Calls are like sr_st's: finite timeouts, "May yield", -SR_EINTERRUPTED when the
 * coroutine is stopped, -SR_ETIMEOUT, -SR_EPEER_CLOSED when the peer closed or broke
 * the connection, -SR_ESRT with libsrt's message for other failures.
 * Built only with SRT (configure --with-srt, the default); without it every call
 * returns -SR_EUNSUPPORTED.
 */
#ifndef SR_SRT_H
#define SR_SRT_H

#include "sr_core.h"
#include "sr_io.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_srt_sock sr_srt_sock_t;

/* Socket options (srt_server in the config). Zero/empty fields keep libsrt's default. */
typedef struct sr_srt_opts {
    int latency_ms;      /* SRTO_LATENCY: both directions */
    int peer_latency_ms; /* SRTO_PEERLATENCY */
    int recv_latency_ms; /* SRTO_RCVLATENCY */
    int64_t max_bw;      /* SRTO_MAXBW, bytes/s; -1 unlimited */
    int mss;             /* SRTO_MSS */
    int payload_size;    /* SRTO_PAYLOADSIZE */
    int send_buf;        /* SRTO_SNDBUF, bytes */
    int recv_buf;        /* SRTO_RCVBUF, bytes */
    int peer_idle_ms;    /* SRTO_PEERIDLETIMEO */
    int connect_ms;      /* SRTO_CONNTIMEO */
    bool has_tsbpd;      /* SRTO_TSBPDMODE set explicitly */
    bool is_tsbpd;
    bool has_tlpktdrop; /* SRTO_TLPKTDROP set explicitly */
    bool is_tlpktdrop;
    char passphrase[80]; /* SRTO_PASSPHRASE, 10..79 characters; "" none */
    int pbkeylen;        /* SRTO_PBKEYLEN: 0, 16, 24, 32 */
    char streamid[512];  /* SRTO_STREAMID (a caller's) */
} sr_srt_opts_t;

/* Statistics of one connection (libsrt's, since it started). */
typedef struct sr_srt_stats {
    double rtt_ms;
    double mbps_recv, mbps_send;
    int64_t pkts_recv, pkts_sent;
    int64_t pkts_recv_loss, pkts_send_loss;
    int64_t pkts_retrans;
    int64_t pkts_recv_drop, pkts_send_drop;
} sr_srt_stats_t;

/* Start libsrt, the bridge thread and the poller coroutine (once; later calls return
 * SR_OK). Needs ST (sr_st_init). */
int sr_srt_startup(void);
/* Stop them; every socket must be closed. May yield. */
void sr_srt_cleanup(void);

/* A caller at handshake time, as a listener's gate sees it. Borrowed for the call. */
typedef struct sr_srt_caller {
    const char *streamid; /* SRTO_STREAMID, "" when none */
    const char *peer_ip;  /* numeric */
    int peer_port;
} sr_srt_caller_t;

/* A listener's decision on a caller, before the handshake completes (SRT's listen
 * callback). It runs on libsrt's receive thread, NOT on the event loop: it must not
 * yield, log, or read anything the loop may change except under its own lock. Returns
 * 0 to let the caller in, else a reject code the caller sees (SRT access control:
 * SR_SRT_REJECT_* below, 1000..1999 standard, 2000.. user), with a short reason in why.
 * The listener logs each refusal once, on the event loop: peer, stream id, reason. */
typedef int (*sr_srt_gate_fn)(void *arg, const sr_srt_caller_t *caller, char *why, size_t why_size);

/* Reject codes (SRT AccessControl.md, HTTP-like, + 1000). */
enum {
    SR_SRT_REJECT_BAD_REQUEST = 1400, /* the stream id does not parse */
    SR_SRT_REJECT_FORBIDDEN = 1403,   /* not served here (vhost disabled, SRT off) */
    SR_SRT_REJECT_NOT_FOUND = 1404,   /* no such vhost */
};

/* A listener on ip:port (port 0: any) with opts (copied; accepted sockets inherit).
 * gate (may be NULL: every caller gets in) decides on each caller at handshake time;
 * gate_arg must stay valid until sr_srt_close(*out) returns. */
int sr_srt_listen(const char *ip, int port, const sr_srt_opts_t *opts, int backlog, sr_srt_gate_fn gate, void *gate_arg,
                  sr_srt_sock_t **out);
/* The next connection. May yield. */
int sr_srt_accept(sr_srt_sock_t *l, sr_utime_t timeout_us, sr_srt_sock_t **out);
/* Connect to ip:port (numeric) with opts (streamid, passphrase, latency ...). May yield. */
int sr_srt_connect(const char *ip, int port, const sr_srt_opts_t *opts, sr_utime_t timeout_us, sr_srt_sock_t **out);
/* Receive one message (live mode: up to 1456 bytes of TS) into buf; *n its size. May yield. */
int sr_srt_recv(sr_srt_sock_t *s, void *buf, size_t size, size_t *n, sr_utime_t timeout_us);
/* Send one message of n bytes (n <= payload size, 1316 by default). May yield. */
int sr_srt_send(sr_srt_sock_t *s, const void *buf, size_t n, sr_utime_t timeout_us);
/* Close and free; NULL is ignored. Never yields. */
void sr_srt_close(sr_srt_sock_t *s);

/* s as an sr_io_t (byte counters for the API): a read is one message, a write sends
 * its bytes as messages of at most max_message bytes (1316: seven TS packets). Reads
 * and writes use the timeouts of sr_srt_set_timeouts (default 30 s). Borrowed from s. */
sr_io_t *sr_srt_io(sr_srt_sock_t *s);
void sr_srt_set_timeouts(sr_srt_sock_t *s, sr_utime_t recv_us, sr_utime_t send_us, size_t max_message);

/* Whether libsrt has given up on s (the peer closed, or was idle for peer_idle_timeout). */
bool sr_srt_is_broken(const sr_srt_sock_t *s);
/* The stream id the caller sent (SRTO_STREAMID), "" when none. Borrowed from s. */
const char *sr_srt_streamid(const sr_srt_sock_t *s);
/* The peer's numeric address and port. */
const char *sr_srt_peer_ip(const sr_srt_sock_t *s);
int sr_srt_peer_port(const sr_srt_sock_t *s);
/* The bound local port. */
int sr_srt_local_port(const sr_srt_sock_t *s);
/* libsrt's statistics of s. Once the connection broke libsrt has none: then the last
 * ones read (recv and send read them once a second) are given. -SR_ESRT when there are
 * none. */
int sr_srt_stats(sr_srt_sock_t *s, sr_srt_stats_t *out);
/* Callers refused at handshake time by a gate since start (counted on the event loop
 * as their log lines are written, including those not logged when too many came at
 * once). */
uint64_t sr_srt_refused_total(void);

SR_END_DECLS

#endif
