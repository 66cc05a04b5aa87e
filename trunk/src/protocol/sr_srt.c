/* SPDX-License-Identifier: MIT */
/*
 * sr_srt.c: the libsrt bridge. Threads: libsrt's own (receive, send, garbage
 * collection), the bridge thread in srt_epoll_uwait, and the event loop. The bridge
 * thread only copies (socket, events) pairs into a mutex-protected array and writes a
 * byte to the wake pipe; everything else runs on the event loop: the poller coroutine
 * looks each socket up in the table of open sockets (one that closed meanwhile is not
 * there any more) and sets its ready flags before signalling its condition. Owners
 * clear a flag before the call that can report "again" (EASYNCRCV/EASYNCSND), so an
 * edge that arrives after the call is kept for the next wait.
 *
 * A listener's gate runs in libsrt's listen callback, on libsrt's receive thread: the
 * callback calls it, and queues a refused caller (under the same mutex) for the
 * poller, which writes its log line: our log is the event loop's.
 */
#include "sr_srt.h"

#include "sr_error.h"

#ifndef SR_WITH_SRT

int sr_srt_startup(void)
{
    return sr_err_new(SR_EUNSUPPORTED, "built without SRT (./configure --with-srt)");
}
void sr_srt_cleanup(void)
{
}
int sr_srt_listen(const char *ip, int port, const sr_srt_opts_t *opts, int backlog, sr_srt_gate_fn gate, void *gate_arg,
                  sr_srt_sock_t **out)
{
    return sr_srt_startup();
}
int sr_srt_accept(sr_srt_sock_t *l, sr_utime_t timeout_us, sr_srt_sock_t **out)
{
    return sr_srt_startup();
}
int sr_srt_connect(const char *ip, int port, const sr_srt_opts_t *opts, sr_utime_t timeout_us, sr_srt_sock_t **out)
{
    return sr_srt_startup();
}
int sr_srt_recv(sr_srt_sock_t *s, void *buf, size_t size, size_t *n, sr_utime_t timeout_us)
{
    return sr_srt_startup();
}
int sr_srt_send(sr_srt_sock_t *s, const void *buf, size_t n, sr_utime_t timeout_us)
{
    return sr_srt_startup();
}
void sr_srt_close(sr_srt_sock_t *s)
{
}
sr_io_t *sr_srt_io(sr_srt_sock_t *s)
{
    return NULL;
}
void sr_srt_set_timeouts(sr_srt_sock_t *s, sr_utime_t recv_us, sr_utime_t send_us, size_t max_message)
{
}
bool sr_srt_is_broken(const sr_srt_sock_t *s)
{
    return true;
}
const char *sr_srt_streamid(const sr_srt_sock_t *s)
{
    return "";
}
const char *sr_srt_peer_ip(const sr_srt_sock_t *s)
{
    return "";
}
int sr_srt_peer_port(const sr_srt_sock_t *s)
{
    return 0;
}
int sr_srt_local_port(const sr_srt_sock_t *s)
{
    return 0;
}
int sr_srt_stats(sr_srt_sock_t *s, sr_srt_stats_t *out)
{
    return sr_srt_startup();
}
uint64_t sr_srt_refused_total(void)
{
    return 0;
}

#else

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <srt/srt.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_log.h"
#include "sr_st.h"
#include "sr_wake.h"

#define SR_SRT_EVENTS_MAX 1024    /* reported, not yet taken by the poller */
#define SR_SRT_BUCKETS 256        /* open sockets by SRTSOCKET */
#define SR_SRT_BRIDGE_WAIT_MS 500 /* the bridge thread's wait: only bounds cleanup */
#define SR_SRT_WAIT_SLICE_US SR_UTIME_S
#define SR_SRT_REFUSALS_MAX 32        /* refused callers waiting for their log line */
#define SR_SRT_REFUSAL_LINES_PER_S 10 /* then one summary line a second */

/* A caller a gate refused, on its way to the log. */
typedef struct sr_srt_refusal {
    char peer_ip[64];
    int peer_port;
    int code;
    char streamid[161]; /* printable: other bytes are shown as '?' */
    char why[200];
} sr_srt_refusal_t;

struct sr_srt_sock {
    sr_io_t io; /* impl: this socket */
    sr_utime_t recv_timeout_us, send_timeout_us;
    size_t max_message;
    struct sr_srt_sock *next_in_bucket;
    SRTSOCKET u;
    sr_cond_t *cond;
    bool is_readable, is_writable, is_broken;
    char streamid[513];
    char peer_ip[64];
    int peer_port;
    sr_srt_stats_t stats;   /* as last read: libsrt has none once the connection broke */
    sr_utime_t stats_at_us; /* when; 0 never */
    sr_srt_gate_fn gate;    /* a listener's; set before srt_listen, then read-only */
    void *gate_arg;
};

static struct {
    bool is_started;
    int eid;
    pthread_t bridge;
    pthread_mutex_t mu;
    bool is_stopping;                          /* under mu */
    SRT_EPOLL_EVENT events[SR_SRT_EVENTS_MAX]; /* under mu */
    int nevents;
    bool is_overflow;                               /* under mu: events were lost, wake every socket */
    sr_srt_refusal_t refusals[SR_SRT_REFUSALS_MAX]; /* under mu */
    int nrefusals;
    uint64_t refusals_unlogged; /* under mu: refused while the queue was full */
    uint64_t refused_total;     /* event loop, as the rest below */
    sr_utime_t log_window_us;   /* the second whose refusals are being logged */
    int logged_refusals;        /* lines written in it */
    uint64_t quiet_refusals;    /* refusals in it not logged each */
    sr_wake_t *wake;
    sr_srt_sock_t *buckets[SR_SRT_BUCKETS];
} sr_srt = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ==== the table of open sockets (event loop only) ==== */

static sr_srt_sock_t **sr_srt_bucket(SRTSOCKET u)
{
    return &sr_srt.buckets[(unsigned)u % SR_SRT_BUCKETS];
}

static sr_srt_sock_t *sr_srt_find(SRTSOCKET u)
{
    sr_srt_sock_t *s = *sr_srt_bucket(u);
    while (s && s->u != u) {
        s = s->next_in_bucket;
    }
    return s;
}

static void sr_srt_unlink(sr_srt_sock_t *s)
{
    for (sr_srt_sock_t **pp = sr_srt_bucket(s->u); *pp; pp = &(*pp)->next_in_bucket) {
        if (*pp == s) {
            *pp = s->next_in_bucket;
            return;
        }
    }
}

/* ==== the bridge thread and the poller coroutine ==== */

static void *sr_srt_bridge_thread(void *unused)
{
    SR_UNUSED(unused);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    SRT_EPOLL_EVENT got[64];
    for (;;) {
        pthread_mutex_lock(&sr_srt.mu);
        bool is_stopping = sr_srt.is_stopping;
        pthread_mutex_unlock(&sr_srt.mu);
        if (is_stopping) {
            return NULL;
        }
        int n = srt_epoll_uwait(sr_srt.eid, got, 64, SR_SRT_BRIDGE_WAIT_MS);
        if (n <= 0) {
            continue;
        }
        pthread_mutex_lock(&sr_srt.mu);
        for (int i = 0; i < n; i++) {
            if (sr_srt.nevents == SR_SRT_EVENTS_MAX) {
                sr_srt.is_overflow = true; /* an edge lost would leave its owner asleep */
                break;
            }
            sr_srt.events[sr_srt.nevents++] = got[i];
        }
        pthread_mutex_unlock(&sr_srt.mu);
        sr_wake_poke(sr_srt.wake);
    }
}

/* Pop the oldest refused caller into *r (false when none), taking the count of those
 * that found the queue full into *unlogged. */
static bool sr_srt_refusal_pop(sr_srt_refusal_t *r, uint64_t *unlogged)
{
    pthread_mutex_lock(&sr_srt.mu);
    bool has = sr_srt.nrefusals > 0;
    if (has) {
        *r = sr_srt.refusals[0];
        memmove(&sr_srt.refusals[0], &sr_srt.refusals[1], (size_t)--sr_srt.nrefusals * sizeof(*r));
    }
    *unlogged += sr_srt.refusals_unlogged;
    sr_srt.refusals_unlogged = 0;
    pthread_mutex_unlock(&sr_srt.mu);
    return has;
}

/* Write the log lines of refused callers (event loop): one line each, at most
 * SR_SRT_REFUSAL_LINES_PER_S a second (a caller that retries at once, as
 * srt-live-transmit does, must not flood the log); the others are counted and told in
 * one line when the second is over. */
static void sr_srt_log_refusals(void)
{
    sr_srt_refusal_t r;
    uint64_t quiet = 0;
    for (;;) {
        bool has = sr_srt_refusal_pop(&r, &quiet);
        sr_utime_t now = sr_time_mono_us();
        if (now - sr_srt.log_window_us >= SR_UTIME_S) {
            if (sr_srt.quiet_refusals) {
                sr_warn("srt refused %llu more callers at handshake in the last second (not logged each)",
                        (unsigned long long)sr_srt.quiet_refusals);
            }
            sr_srt.log_window_us = now;
            sr_srt.logged_refusals = 0;
            sr_srt.quiet_refusals = 0;
        }
        sr_srt.refused_total += quiet + has;
        sr_srt.quiet_refusals += quiet;
        quiet = 0;
        if (!has) {
            return;
        }
        if (sr_srt.logged_refusals++ < SR_SRT_REFUSAL_LINES_PER_S) {
            sr_warn("srt refuse %s:%d streamid '%s': %s (reject %d)", r.peer_ip, r.peer_port, r.streamid, r.why,
                    r.code);
        } else {
            sr_srt.quiet_refusals++;
        }
    }
}

static void sr_srt_dispatch(void *unused)
{
    SR_UNUSED(unused);
    SRT_EPOLL_EVENT evs[SR_SRT_EVENTS_MAX];
    pthread_mutex_lock(&sr_srt.mu);
    int n = sr_srt.nevents;
    memcpy(evs, sr_srt.events, (size_t)n * sizeof(evs[0]));
    sr_srt.nevents = 0;
    bool is_overflow = sr_srt.is_overflow;
    sr_srt.is_overflow = false;
    pthread_mutex_unlock(&sr_srt.mu);
    for (size_t b = 0; is_overflow && b < SR_SRT_BUCKETS; b++) {
        for (sr_srt_sock_t *s = sr_srt.buckets[b]; s; s = s->next_in_bucket) {
            s->is_readable = s->is_writable = true; /* their calls find out what is ready */
            sr_cond_signal(s->cond);
        }
    }
    for (int i = 0; i < n; i++) {
        sr_srt_sock_t *s = sr_srt_find(evs[i].fd);
        if (!s) {
            continue; /* closed since */
        }
        s->is_readable = s->is_readable || (evs[i].events & SRT_EPOLL_IN);
        s->is_writable = s->is_writable || (evs[i].events & SRT_EPOLL_OUT);
        s->is_broken = s->is_broken || (evs[i].events & SRT_EPOLL_ERR);
        sr_cond_signal(s->cond);
    }
    sr_srt_log_refusals();
}

int sr_srt_startup(void)
{
    if (sr_srt.is_started) {
        return SR_OK;
    }
    if (srt_startup() < 0) {
        return sr_err_new(SR_ESRT, "srt_startup: %s", srt_getlasterror_str());
    }
    srt_setloglevel(2); /* LOG_CRIT: libsrt's threads must not write to our log */
    sr_srt.eid = srt_epoll_create();
    srt_epoll_set(sr_srt.eid, SRT_EPOLL_ENABLE_EMPTY);
    int rc = sr_wake_start(sr_srt_dispatch, NULL, "srt", &sr_srt.wake);
    if (rc != SR_OK) {
        srt_epoll_release(sr_srt.eid);
        srt_cleanup();
        return rc;
    }
    sr_srt.is_stopping = false;
    int err = pthread_create(&sr_srt.bridge, NULL, sr_srt_bridge_thread, NULL);
    if (err != 0) {
        sr_wake_stop(sr_srt.wake);
        srt_epoll_release(sr_srt.eid);
        srt_cleanup();
        return sr_err_new(SR_ESYSTEM, "srt bridge thread: %s", strerror(err));
    }
    sr_srt.is_started = true;
    return SR_OK;
}

void sr_srt_cleanup(void)
{
    if (!sr_srt.is_started) {
        return;
    }
    pthread_mutex_lock(&sr_srt.mu);
    sr_srt.is_stopping = true;
    pthread_mutex_unlock(&sr_srt.mu);
    pthread_join(sr_srt.bridge, NULL); /* within SR_SRT_BRIDGE_WAIT_MS */
    sr_wake_stop(sr_srt.wake);
    srt_epoll_release(sr_srt.eid);
    sr_srt.nevents = 0;
    sr_srt.nrefusals = 0; /* not logged: the server is going away */
    sr_srt.refusals_unlogged = 0;
    srt_cleanup();
    sr_srt.is_started = false;
}

/* ==== sockets ==== */

static int sr_srt_fail(const char *what)
{
    return sr_err_new(SR_ESRT, "%s: %s", what, srt_getlasterror_str());
}

static int sr_srt_set_int(SRTSOCKET u, SRT_SOCKOPT opt, int v, const char *name)
{
    return srt_setsockflag(u, opt, &v, sizeof(v)) < 0 ? sr_srt_fail(name) : SR_OK;
}

static int sr_srt_set_bool(SRTSOCKET u, SRT_SOCKOPT opt, bool v, const char *name)
{
    return srt_setsockflag(u, opt, &v, sizeof(v)) < 0 ? sr_srt_fail(name) : SR_OK;
}

/* Options that must be set before bind/connect; zero fields keep libsrt's defaults. */
static int sr_srt_apply(SRTSOCKET u, const sr_srt_opts_t *o)
{
    int rc = sr_srt_set_bool(u, SRTO_RCVSYN, false, "SRTO_RCVSYN");
    rc = rc ? rc : sr_srt_set_bool(u, SRTO_SNDSYN, false, "SRTO_SNDSYN");
    const struct {
        int v;
        SRT_SOCKOPT opt;
        const char *name;
    } ints[] = {
        {o->latency_ms, SRTO_LATENCY, "latency"},
        {o->peer_latency_ms, SRTO_PEERLATENCY, "peerlatency"},
        {o->recv_latency_ms, SRTO_RCVLATENCY, "recvlatency"},
        {o->mss, SRTO_MSS, "mss"},
        {o->payload_size, SRTO_PAYLOADSIZE, "payloadsize"},
        {o->send_buf, SRTO_SNDBUF, "sendbuf"},
        {o->recv_buf, SRTO_RCVBUF, "recvbuf"},
        {o->peer_idle_ms, SRTO_PEERIDLETIMEO, "peer_idle_timeout"},
        {o->connect_ms, SRTO_CONNTIMEO, "connect_timeout"},
        {o->pbkeylen, SRTO_PBKEYLEN, "pbkeylen"},
    };
    for (size_t i = 0; rc == SR_OK && i < SR_ARRAY_SIZE(ints); i++) {
        rc = ints[i].v > 0 ? sr_srt_set_int(u, ints[i].opt, ints[i].v, ints[i].name) : SR_OK;
    }
    if (rc == SR_OK && o->max_bw != 0 && srt_setsockflag(u, SRTO_MAXBW, &o->max_bw, sizeof(o->max_bw)) < 0) {
        rc = sr_srt_fail("maxbw");
    }
    rc = rc == SR_OK && o->has_tsbpd ? sr_srt_set_bool(u, SRTO_TSBPDMODE, o->is_tsbpd, "tsbpdmode") : rc;
    rc = rc == SR_OK && o->has_tlpktdrop ? sr_srt_set_bool(u, SRTO_TLPKTDROP, o->is_tlpktdrop, "tlpktdrop") : rc;
    if (rc == SR_OK && o->passphrase[0] &&
        srt_setsockflag(u, SRTO_PASSPHRASE, o->passphrase, (int)strlen(o->passphrase)) < 0) {
        rc = sr_srt_fail("passphrase");
    }
    if (rc == SR_OK && o->streamid[0] && srt_setsockflag(u, SRTO_STREAMID, o->streamid, (int)strlen(o->streamid)) < 0) {
        rc = sr_srt_fail("streamid");
    }
    return rc;
}

/* Track u: in the table and in the epoll set (edge-triggered). */
static int sr_srt_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    sr_srt_sock_t *s = io->impl;
    return sr_srt_recv(s, buf, size, nread, s->recv_timeout_us);
}

static int sr_srt_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    sr_srt_sock_t *s = io->impl;
    for (int i = 0; i < iovcnt; i++) {
        const uint8_t *p = iov[i].iov_base;
        for (size_t off = 0; off < iov[i].iov_len;) {
            size_t n = SR_MIN(iov[i].iov_len - off, s->max_message);
            int rc = sr_srt_send(s, p + off, n, s->send_timeout_us);
            if (rc != SR_OK) {
                return rc;
            }
            off += n;
        }
    }
    return SR_OK;
}

static const sr_io_ops_t sr_srt_io_ops = {sr_srt_io_read, sr_srt_io_writev};

static sr_srt_sock_t *sr_srt_wrap(SRTSOCKET u)
{
    sr_srt_sock_t *s = SR_NEW(sr_srt_sock_t);
    s->io.ops = &sr_srt_io_ops;
    s->io.impl = s;
    s->recv_timeout_us = s->send_timeout_us = 30 * SR_UTIME_S;
    s->max_message = 1316;
    s->u = u;
    s->cond = sr_cond_new();
    s->next_in_bucket = *sr_srt_bucket(u);
    *sr_srt_bucket(u) = s;
    int events = SRT_EPOLL_IN | SRT_EPOLL_OUT | SRT_EPOLL_ERR | SRT_EPOLL_ET;
    srt_epoll_add_usock(sr_srt.eid, u, &events);
    return s;
}

/* The numeric address ip:port as libsrt takes it (sr_st's UDP peer: same sockaddr). */
static int sr_srt_addr(const char *what, const char *ip, int port, sr_udp_peer_t *out)
{
    int rc = sr_udp_peer_make(ip, port, out);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "srt %s %s:%d", what, ip, port);
}

/* The text of an address libsrt gave. */
static void sr_srt_addr_text(const struct sockaddr_storage *ss, int len, char *ip, size_t size, int *port)
{
    sr_udp_peer_t p = {.addr = *ss, .len = (socklen_t)len};
    sr_udp_peer_text(&p, ip, size, port);
}

/* Wait until *flag (or is_broken) is set, at most until deadline (monotonic us). */
static int sr_srt_wait(sr_srt_sock_t *s, const bool *flag, sr_utime_t deadline)
{
    while (!*flag && !s->is_broken) {
        sr_utime_t now = sr_time_mono_us();
        if (now >= deadline) {
            return -SR_ETIMEOUT;
        }
        int rc = sr_cond_timedwait(s->cond, SR_MIN(deadline - now, SR_SRT_WAIT_SLICE_US));
        if (rc == -SR_EINTERRUPTED) {
            return rc;
        }
    }
    return SR_OK;
}

/* ==== the gate: libsrt's listen callback (libsrt's thread) ==== */

/* Queue r for the poller's log line. */
static void sr_srt_refusal_queue(const sr_srt_refusal_t *r)
{
    pthread_mutex_lock(&sr_srt.mu);
    if (sr_srt.nrefusals < SR_SRT_REFUSALS_MAX) {
        sr_srt.refusals[sr_srt.nrefusals++] = *r;
    } else {
        sr_srt.refusals_unlogged++;
    }
    pthread_mutex_unlock(&sr_srt.mu);
    sr_wake_poke(sr_srt.wake);
}

/* src into dst (size bytes with the NUL; src may be dst) with what the peer chose
 * made safe for a log line: bytes outside printable ASCII become '?'. */
static void sr_srt_printable(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] && i < size - 1; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
    }
    dst[i] = '\0';
}

static int sr_srt_listen_hook(void *opaque, SRTSOCKET ns, int hs_version, const struct sockaddr *peer,
                              const char *streamid)
{
    SR_UNUSED(hs_version);
    const sr_srt_sock_t *l = opaque;
    sr_srt_refusal_t r = {0};
    sr_udp_peer_t p = {.len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)};
    memcpy(&p.addr, peer, p.len);
    sr_udp_peer_text(&p, r.peer_ip, sizeof(r.peer_ip), &r.peer_port);
    sr_srt_caller_t caller = {streamid ? streamid : "", r.peer_ip, r.peer_port};
    r.code = l->gate(l->gate_arg, &caller, r.why, sizeof(r.why));
    if (r.code == 0) {
        return 0;
    }
    sr_srt_printable(r.streamid, sizeof(r.streamid), caller.streamid);
    sr_srt_printable(r.why, sizeof(r.why), r.why);
    srt_setrejectreason(ns, r.code);
    sr_srt_refusal_queue(&r);
    return -1;
}

uint64_t sr_srt_refused_total(void)
{
    return sr_srt.refused_total;
}

int sr_srt_listen(const char *ip, int port, const sr_srt_opts_t *opts, int backlog, sr_srt_gate_fn gate, void *gate_arg,
                  sr_srt_sock_t **out)
{
    sr_udp_peer_t addr;
    int rc = sr_srt_startup();
    rc = rc ? rc : sr_srt_addr("listen", ip, port, &addr);
    if (rc != SR_OK) {
        return rc;
    }
    SRTSOCKET u = srt_create_socket();
    rc = u == SRT_INVALID_SOCK ? sr_srt_fail("srt_create_socket") : sr_srt_apply(u, opts);
    if (rc == SR_OK && srt_bind(u, (struct sockaddr *)&addr.addr, (int)addr.len) < 0) {
        rc = sr_err_new(SR_ESOCKET_LISTEN, "srt bind %s:%d: %s", ip, port, srt_getlasterror_str());
    }
    sr_srt_sock_t *s = rc == SR_OK ? sr_srt_wrap(u) : NULL;
    if (s && gate) {
        s->gate = gate;
        s->gate_arg = gate_arg;
        rc = srt_listen_callback(u, sr_srt_listen_hook, s) < 0 ? sr_srt_fail("srt_listen_callback") : SR_OK;
    }
    if (rc == SR_OK && srt_listen(u, backlog) < 0) {
        rc = sr_err_new(SR_ESOCKET_LISTEN, "srt listen %s:%d: %s", ip, port, srt_getlasterror_str());
    }
    if (rc != SR_OK) {
        if (s) {
            sr_srt_close(s);
        } else {
            srt_close(u);
        }
        return rc;
    }
    *out = s;
    return SR_OK;
}

int sr_srt_accept(sr_srt_sock_t *l, sr_utime_t timeout_us, sr_srt_sock_t **out)
{
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    for (;;) {
        l->is_readable = false;
        struct sockaddr_storage ss;
        int len = sizeof(ss);
        SRTSOCKET u = srt_accept(l->u, (struct sockaddr *)&ss, &len);
        if (u != SRT_INVALID_SOCK) {
            sr_srt_sock_t *s = sr_srt_wrap(u);
            sr_srt_addr_text(&ss, len, s->peer_ip, sizeof(s->peer_ip), &s->peer_port);
            int idlen = sizeof(s->streamid) - 1;
            if (srt_getsockflag(u, SRTO_STREAMID, s->streamid, &idlen) < 0) {
                idlen = 0;
            }
            s->streamid[idlen] = '\0';
            *out = s;
            return SR_OK;
        }
        if (srt_getlasterror(NULL) != SRT_EASYNCRCV) {
            return sr_srt_fail("srt_accept");
        }
        int rc = sr_srt_wait(l, &l->is_readable, deadline);
        if (rc != SR_OK) {
            return rc;
        }
    }
}

int sr_srt_connect(const char *ip, int port, const sr_srt_opts_t *opts, sr_utime_t timeout_us, sr_srt_sock_t **out)
{
    sr_udp_peer_t addr;
    int rc = sr_srt_startup();
    rc = rc ? rc : sr_srt_addr("connect", ip, port, &addr);
    if (rc != SR_OK) {
        return rc;
    }
    SRTSOCKET u = srt_create_socket();
    rc = u == SRT_INVALID_SOCK ? sr_srt_fail("srt_create_socket") : sr_srt_apply(u, opts);
    if (rc != SR_OK) {
        srt_close(u);
        return rc;
    }
    sr_srt_sock_t *s = sr_srt_wrap(u);
    if (srt_connect(u, (struct sockaddr *)&addr.addr, (int)addr.len) < 0) {
        rc = sr_err_new(SR_ESRT_CONNECT, "srt connect %s:%d: %s", ip, port, srt_getlasterror_str());
    }
    /* non-blocking: connected when writable, refused or timed out when broken */
    rc = rc == SR_OK ? sr_srt_wait(s, &s->is_writable, sr_time_mono_us() + timeout_us) : rc;
    if (rc == SR_OK && srt_getsockstate(u) != SRTS_CONNECTED) {
        int reason = srt_getrejectreason(u);
        rc = sr_err_new(SR_ESRT_CONNECT, "srt connect %s:%d: %s (reject %d)", ip, port, srt_rejectreason_str(reason),
                        reason);
    }
    if (rc != SR_OK) {
        sr_srt_close(s);
        return rc == -SR_ETIMEOUT ? sr_err_new(SR_ETIMEOUT, "srt connect %s:%d", ip, port) : rc;
    }
    snprintf(s->peer_ip, sizeof(s->peer_ip), "%s", ip);
    s->peer_port = port;
    *out = s;
    return SR_OK;
}

/* The code for a failed recv/send: the peer gone, or libsrt's message. */
static int sr_srt_io_error(sr_srt_sock_t *s, const char *what)
{
    SRT_SOCKSTATUS st = srt_getsockstate(s->u);
    if (s->is_broken || st == SRTS_BROKEN || st == SRTS_CLOSED || st == SRTS_NONEXIST) {
        return sr_err_new(SR_EPEER_CLOSED, "srt %s: peer gone", what);
    }
    return sr_srt_fail(what);
}

/* Read libsrt's statistics into s->stats; false when libsrt has none (broken). */
static bool sr_srt_stats_read(sr_srt_sock_t *s, sr_utime_t now)
{
    SRT_TRACEBSTATS b;
    if (srt_bstats(s->u, &b, 0) < 0) {
        return false;
    }
    s->stats = (sr_srt_stats_t){
        .rtt_ms = b.msRTT,
        .mbps_recv = b.mbpsRecvRate,
        .mbps_send = b.mbpsSendRate,
        .pkts_recv = b.pktRecvTotal,
        .pkts_sent = b.pktSentTotal,
        .pkts_recv_loss = b.pktRcvLossTotal,
        .pkts_send_loss = b.pktSndLossTotal,
        .pkts_retrans = b.pktRetransTotal,
        .pkts_recv_drop = b.pktRcvDropTotal,
        .pkts_send_drop = b.pktSndDropTotal,
    };
    s->stats_at_us = now;
    return true;
}

/* Keep s->stats at most a second old while data moves, so that what a connection
 * counted survives its end. */
static void sr_srt_stats_refresh(sr_srt_sock_t *s, sr_utime_t now)
{
    if (now - s->stats_at_us >= SR_UTIME_S) {
        sr_srt_stats_read(s, now);
    }
}

int sr_srt_recv(sr_srt_sock_t *s, void *buf, size_t size, size_t *n, sr_utime_t timeout_us)
{
    sr_utime_t now = sr_time_mono_us(), deadline = now + timeout_us;
    sr_srt_stats_refresh(s, now);
    for (;;) {
        s->is_readable = false;
        int got = srt_recvmsg(s->u, buf, (int)SR_MIN(size, (size_t)INT32_MAX));
        if (got > 0) {
            *n = (size_t)got;
            return SR_OK;
        }
        if (got == 0 || srt_getlasterror(NULL) != SRT_EASYNCRCV) {
            return sr_srt_io_error(s, "recv");
        }
        int rc = sr_srt_wait(s, &s->is_readable, deadline);
        if (rc != SR_OK) {
            return rc;
        }
    }
}

int sr_srt_send(sr_srt_sock_t *s, const void *buf, size_t n, sr_utime_t timeout_us)
{
    sr_utime_t now = sr_time_mono_us(), deadline = now + timeout_us;
    sr_srt_stats_refresh(s, now);
    for (;;) {
        s->is_writable = false;
        if (srt_sendmsg(s->u, buf, (int)n, -1, 1) >= 0) {
            return SR_OK;
        }
        if (srt_getlasterror(NULL) != SRT_EASYNCSND) {
            return sr_srt_io_error(s, "send");
        }
        int rc = sr_srt_wait(s, &s->is_writable, deadline);
        if (rc != SR_OK) {
            return rc;
        }
    }
}

void sr_srt_close(sr_srt_sock_t *s)
{
    if (!s) {
        return;
    }
    sr_srt_unlink(s);
    srt_epoll_remove_usock(sr_srt.eid, s->u);
    srt_close(s->u);
    sr_cond_free(s->cond);
    sr_free(s);
}

sr_io_t *sr_srt_io(sr_srt_sock_t *s)
{
    return &s->io;
}

void sr_srt_set_timeouts(sr_srt_sock_t *s, sr_utime_t recv_us, sr_utime_t send_us, size_t max_message)
{
    s->recv_timeout_us = recv_us;
    s->send_timeout_us = send_us;
    s->max_message = max_message ? max_message : 1316;
}

bool sr_srt_is_broken(const sr_srt_sock_t *s)
{
    SRT_SOCKSTATUS st = srt_getsockstate(s->u);
    return s->is_broken || st == SRTS_BROKEN || st == SRTS_CLOSED || st == SRTS_NONEXIST;
}

const char *sr_srt_streamid(const sr_srt_sock_t *s)
{
    return s->streamid;
}

const char *sr_srt_peer_ip(const sr_srt_sock_t *s)
{
    return s->peer_ip;
}

int sr_srt_peer_port(const sr_srt_sock_t *s)
{
    return s->peer_port;
}

int sr_srt_local_port(const sr_srt_sock_t *s)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (srt_getsockname(s->u, (struct sockaddr *)&ss, &len) < 0) {
        return 0;
    }
    char ip[64];
    int port = 0;
    sr_srt_addr_text(&ss, len, ip, sizeof(ip), &port);
    return port;
}

int sr_srt_stats(sr_srt_sock_t *s, sr_srt_stats_t *out)
{
    if (!sr_srt_stats_read(s, sr_time_mono_us()) && !s->stats_at_us) {
        return sr_srt_fail("srt_bstats");
    }
    *out = s->stats;
    return SR_OK;
}

#endif
