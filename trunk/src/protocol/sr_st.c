/* SPDX-License-Identifier: MIT */
/*
 * sr_st.c: state-threads glue. The one file that includes <st.h>. Each coroutine
 * carries an sr_co_t in an ST thread-specific key; the context provider installed at
 * init hands core its cid and error trail.
 */
#include "sr_st.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <st.h>

#include "sr_alloc.h"
#include "sr_error.h"

#define SR_CO_STACK_BYTES (128 * 1024)
#define SR_CO_TRIM_MARGIN_BYTES 1024

struct sr_co {
    st_thread_t thread;
    sr_co_fn fn;
    void *arg;
    bool is_detached;
    bool is_stop_requested;
    uintptr_t stack_top; /* an address near the top of the coroutine's stack */
    sr_context_t ctx;
};

struct sr_cond {
    st_cond_t cond;
};

struct sr_sock {
    st_netfd_t nfd;
    sr_io_t io;
    sr_utime_t recv_timeout_us;
    sr_utime_t send_timeout_us;
    char peer_ip[INET6_ADDRSTRLEN];
    int peer_port;
};

static int sr_st_key = -1;
static bool sr_st_is_ready;

/* ---- init ---- */

static sr_context_t *sr_st_context(void)
{
    sr_co_t *co = sr_st_key >= 0 ? st_thread_getspecific(sr_st_key) : NULL;
    return co ? &co->ctx : NULL;
}

int sr_st_init(void)
{
    if (sr_st_is_ready) {
        /* ST can start only once (st_set_eventsys would fail with EBUSY and be misreported
         * as "no epoll"); a second call puts the context provider back, e.g. after a test
         * swapped in its own. */
        sr_context_set_provider(sr_st_context);
        return SR_OK;
    }
    if (st_set_eventsys(ST_EVENTSYS_ALT) < 0) {
        return sr_err_new(SR_EEVENTSYS, "state-threads has no epoll backend (built without MD_HAVE_EPOLL)");
    }
    if (st_init() < 0) {
        return sr_err_new(SR_ESYSTEM, "st_init failed: %s", strerror(errno));
    }
    if (strcmp(st_get_eventsys_name(), "epoll") != 0) {
        return sr_err_new(SR_EEVENTSYS, "state-threads runs on %s, refusing: epoll is required",
                          st_get_eventsys_name());
    }
    if (sr_st_key < 0 && st_key_create(&sr_st_key, NULL) < 0) {
        return sr_err_new(SR_ESYSTEM, "st_key_create failed");
    }
    sr_context_set_provider(sr_st_context);
    sr_st_is_ready = true;
    return SR_OK;
}

const char *sr_st_eventsys_name(void)
{
    return st_get_eventsys_name();
}

int sr_st_fd_limit(void)
{
    return st_getfdlimit();
}

/* ---- coroutines ---- */

/* Started and not yet returned: the API shows it, so a leak is seen. */
static int sr_co_running;

int sr_co_count(void)
{
    return sr_co_running;
}

static void *sr_co_main(void *arg)
{
    sr_co_t *co = arg;
    co->stack_top = (uintptr_t)__builtin_frame_address(0);
    st_thread_setspecific(sr_st_key, co);
    co->fn(co->arg);
    sr_co_running--;
    st_thread_setspecific(sr_st_key, NULL);
    if (co->is_detached) {
        sr_free(co);
    }
    return NULL;
}

static sr_co_t *sr_co_create(sr_co_fn fn, void *arg, const char *cid, bool detached)
{
    sr_co_t *co = SR_NEW(sr_co_t);
    co->fn = fn;
    co->arg = arg;
    co->is_detached = detached;
    sr_context_init(&co->ctx);
    if (cid == NULL) {
        memcpy(co->ctx.cid, sr_context_current()->cid, sizeof(co->ctx.cid));
    } else if (cid[0] != '\0') {
        snprintf(co->ctx.cid, sizeof(co->ctx.cid), "%s", cid);
    }
    co->thread = st_thread_create(sr_co_main, co, detached ? 0 : 1, SR_CO_STACK_BYTES);
    if (!co->thread) {
        fprintf(stderr, "strand: st_thread_create failed: %s\n", strerror(errno));
        abort();
    }
    sr_co_running++;
    return co;
}

void sr_co_trim_stack(void)
{
    sr_co_t *co = sr_co_self();
    if (!co || !co->stack_top) {
        return;
    }
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    /* ST keeps its thread record above the entry frame, well within the two pages of
     * slack below; the margin is what the caller's callees will touch again anyway. */
    uintptr_t lo = (co->stack_top - SR_CO_STACK_BYTES + 2 * page + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)__builtin_frame_address(0) - SR_CO_TRIM_MARGIN_BYTES) & ~(page - 1);
    if (hi > lo) {
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
}

sr_co_t *sr_co_start(sr_co_fn fn, void *arg, const char *cid)
{
    return sr_co_create(fn, arg, cid, false);
}

sr_co_t *sr_co_start_detached(sr_co_fn fn, void *arg, const char *cid)
{
    return sr_co_create(fn, arg, cid, true);
}

void sr_co_interrupt(sr_co_t *co)
{
    if (co && !co->is_stop_requested) {
        co->is_stop_requested = true;
        st_thread_interrupt(co->thread);
    }
}

void sr_co_stop(sr_co_t *co)
{
    if (!co) {
        return;
    }
    sr_co_interrupt(co);
    /* A stopping caller has its own interrupt pending, which makes the join return
     * EINTR at once; the thread is still alive then, so join again (our stop flag,
     * unlike ST's, is not consumed by that). */
    while (st_thread_join(co->thread, NULL) < 0 && errno == EINTR) {
    }
    sr_free(co);
}

sr_co_t *sr_co_self(void)
{
    return sr_st_key >= 0 ? st_thread_getspecific(sr_st_key) : NULL;
}

int sr_co_pull(void)
{
    sr_co_t *co = sr_co_self();
    return (co && co->is_stop_requested) ? -SR_EINTERRUPTED : SR_OK;
}

const char *sr_co_cid_of(const sr_co_t *co)
{
    return co->ctx.cid;
}

const char *sr_co_cid(void)
{
    return sr_context_current()->cid;
}

/* ---- waiting ---- */

sr_cond_t *sr_cond_new(void)
{
    sr_cond_t *c = SR_NEW(sr_cond_t);
    c->cond = st_cond_new();
    return c;
}

void sr_cond_free(sr_cond_t *c)
{
    if (c) {
        st_cond_destroy(c->cond);
        sr_free(c);
    }
}

int sr_cond_timedwait(sr_cond_t *c, sr_utime_t timeout_us)
{
    if (sr_co_pull() != SR_OK) {
        return -SR_EINTERRUPTED;
    }
    if (st_cond_timedwait(c->cond, timeout_us == SR_UTIME_NO_TIMEOUT ? ST_UTIME_NO_TIMEOUT : timeout_us) == 0) {
        return SR_OK;
    }
    return errno == ETIME ? -SR_ETIMEOUT : -SR_EINTERRUPTED;
}

int sr_cond_timedwait_through_stop(sr_cond_t *c, sr_utime_t timeout_us)
{
    if (st_cond_timedwait(c->cond, timeout_us) == 0) {
        return SR_OK;
    }
    return errno == ETIME ? -SR_ETIMEOUT : -SR_EINTERRUPTED;
}

void sr_cond_signal(sr_cond_t *c)
{
    st_cond_signal(c->cond);
}

void sr_cond_broadcast(sr_cond_t *c)
{
    st_cond_broadcast(c->cond);
}

int sr_usleep(sr_utime_t us)
{
    if (sr_co_pull() != SR_OK || st_usleep(us) < 0) {
        return -SR_EINTERRUPTED;
    }
    return SR_OK;
}

/* ---- sockets ---- */

static st_utime_t sr_sock_st_timeout(sr_utime_t us)
{
    return us == SR_UTIME_NO_TIMEOUT ? ST_UTIME_NO_TIMEOUT : (st_utime_t)us;
}

static int sr_sock_map_errno(int err, int fallback)
{
    switch (err) {
    case ETIME:
        return -SR_ETIMEOUT;
    case EINTR:
        return -SR_EINTERRUPTED;
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN:
        return -SR_EPEER_CLOSED;
    default:
        return -fallback;
    }
}

/* Socket errors start a fresh trail (STYLE 4): a bare code would let the callers' frames
 * pile onto whatever an error swallowed earlier in this coroutine left in its trail. */
static int sr_sock_fail(int err, int fallback, const char *op)
{
    return sr_err_new(-sr_sock_map_errno(err, fallback), "%s: %s", op, strerror(err));
}

static int sr_sock_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    sr_sock_t *s = io->impl;
    ssize_t n;
    if (s->recv_timeout_us == 0) {
        /* Poll without parking the coroutine: st_read would add the fd to ST's io queue,
         * whose every entry each dispatch walks. ST made the fd non-blocking. */
        n = read(st_netfd_fileno(s->nfd), buf, size);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return sr_err_new(SR_ETIMEOUT, "read: nothing buffered");
        }
    } else {
        n = st_read(s->nfd, buf, size, sr_sock_st_timeout(s->recv_timeout_us));
    }
    if (n > 0) {
        *nread = (size_t)n;
        return SR_OK;
    }
    if (n == 0) {
        return sr_err_new(SR_EPEER_CLOSED, "read: end of stream");
    }
    return sr_sock_fail(errno, SR_ESOCKET_READ, "read");
}

static int sr_sock_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    sr_sock_t *s = io->impl;
    if (st_writev(s->nfd, iov, iovcnt, sr_sock_st_timeout(s->send_timeout_us)) < 0) {
        return sr_sock_fail(errno, SR_ESOCKET_WRITE, "writev");
    }
    return SR_OK;
}

static const sr_io_ops_t sr_sock_io_ops = {sr_sock_io_read, sr_sock_io_writev};

int sr_sock_sendfile(sr_sock_t *s, int fd, int64_t offset, int64_t count)
{
    off_t off = (off_t)offset;
    int64_t left = count;
    int sock = st_netfd_fileno(s->nfd); /* non-blocking: ST made it so */
    while (left > 0) {
        ssize_t n = sendfile(sock, fd, &off, (size_t)SR_MIN(left, (int64_t)1 << 30));
        if (n > 0) {
            left -= n;
        } else if (n == 0) {
            return sr_err_new(SR_EFILE_READ, "sendfile: the file ended %lld bytes early", (long long)left);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (st_netfd_poll(s->nfd, POLLOUT, sr_sock_st_timeout(s->send_timeout_us)) < 0) {
                return sr_sock_fail(errno, SR_ESOCKET_WRITE, "sendfile wait");
            }
        } else if (errno != EINTR) {
            return sr_sock_fail(errno, SR_ESOCKET_WRITE, "sendfile");
        }
    }
    s->io.send_bytes += (uint64_t)count;
    return SR_OK;
}

static sr_sock_t *sr_sock_wrap(st_netfd_t nfd)
{
    sr_sock_t *s = SR_NEW(sr_sock_t);
    s->nfd = nfd;
    s->io.ops = &sr_sock_io_ops;
    s->io.impl = s;
    s->recv_timeout_us = SR_UTIME_S * 30;
    s->send_timeout_us = SR_UTIME_S * 30;
    return s;
}

static void sr_sock_fill_peer(sr_sock_t *s, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, s->peer_ip, sizeof(s->peer_ip));
        s->peer_port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, s->peer_ip, sizeof(s->peer_ip));
        s->peer_port = ntohs(in6->sin6_port);
        /* Show v4-mapped peers as plain IPv4, as users and hooks expect. */
        if (strncmp(s->peer_ip, "::ffff:", 7) == 0 && strchr(s->peer_ip + 7, '.')) {
            memmove(s->peer_ip, s->peer_ip + 7, strlen(s->peer_ip + 7) + 1);
        }
    }
}

static int sr_sock_make_addr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (!ip || !*ip) {
        ip = "0.0.0.0";
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof(*in);
        return SR_OK;
    }
    if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        return SR_OK;
    }
    return sr_err_new(SR_EINVAL, "not a numeric address: '%s'", ip);
}

/* A socket of type (SOCK_STREAM, SOCK_DGRAM) for ip:port (family from the address),
 * registered with ST. */
static int sr_sock_open(int type, const char *ip, int port, int code, struct sockaddr_storage *ss, socklen_t *len,
                        st_netfd_t *nfd)
{
    int rc = sr_sock_make_addr(ip, port, ss, len);
    if (rc != SR_OK) {
        return rc;
    }
    int fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return sr_err_new(code, "socket: %s", strerror(errno));
    }
    if (!(*nfd = st_netfd_open_socket(fd))) {
        int err = errno;
        close(fd);
        return sr_err_new(code, "st_netfd_open_socket: %s", strerror(err));
    }
    return SR_OK;
}

/* A socket of type bound to ip:port (a TCP one reusable at once; IPv6 ones V6ONLY, so
 * "::" and "0.0.0.0" can both be bound). */
static int sr_sock_bind(int type, const char *ip, int port, st_netfd_t *nfd)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = sr_sock_open(type, ip, port, SR_ESOCKET_LISTEN, &ss, &len, nfd);
    if (rc != SR_OK) {
        return rc;
    }
    int fd = st_netfd_fileno(*nfd);
    int on = 1;
    if (type == SOCK_STREAM) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    }
    if (ss.ss_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int err = errno;
        st_netfd_close(*nfd);
        return sr_err_new(SR_ESOCKET_LISTEN, "%s bind %s:%d: %s", type == SOCK_STREAM ? "tcp" : "udp",
                          ip ? ip : "0.0.0.0", port, strerror(err));
    }
    return SR_OK;
}

int sr_sock_listen_tcp(const char *ip, int port, int backlog, sr_sock_t **out)
{
    st_netfd_t nfd = NULL;
    int rc = sr_sock_bind(SOCK_STREAM, ip, port, &nfd);
    if (rc != SR_OK) {
        return rc;
    }
    if (listen(st_netfd_fileno(nfd), backlog) < 0) {
        int err = errno;
        st_netfd_close(nfd);
        return sr_err_new(SR_ESOCKET_LISTEN, "listen %s:%d: %s", ip ? ip : "0.0.0.0", port, strerror(err));
    }
    *out = sr_sock_wrap(nfd);
    return SR_OK;
}

int sr_sock_accept(sr_sock_t *listener, sr_utime_t timeout_us, sr_sock_t **out)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    st_netfd_t nfd = st_accept(listener->nfd, (struct sockaddr *)&ss, &len, sr_sock_st_timeout(timeout_us));
    if (!nfd) {
        return sr_sock_fail(errno, SR_ESOCKET_READ, "accept");
    }
    sr_sock_t *s = sr_sock_wrap(nfd);
    sr_sock_fill_peer(s, (struct sockaddr *)&ss);
    *out = s;
    return SR_OK;
}

int sr_sock_connect_tcp(const char *ip, int port, sr_utime_t timeout_us, sr_sock_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    st_netfd_t nfd = NULL;
    int rc = sr_sock_open(SOCK_STREAM, ip, port, SR_ESOCKET_CONNECT, &ss, &len, &nfd);
    if (rc != SR_OK) {
        return rc;
    }
    if (st_connect(nfd, (struct sockaddr *)&ss, (int)len, sr_sock_st_timeout(timeout_us)) < 0) {
        int err = errno;
        st_netfd_close(nfd);
        rc = sr_sock_map_errno(err, SR_ESOCKET_CONNECT);
        return sr_err_new(-rc, "connect %s:%d: %s", ip, port, strerror(err));
    }
    sr_sock_t *s = sr_sock_wrap(nfd);
    sr_sock_fill_peer(s, (struct sockaddr *)&ss);
    *out = s;
    return SR_OK;
}

int sr_sock_from_fd(int fd, sr_sock_t **out)
{
    st_netfd_t nfd = st_netfd_open(fd);
    if (!nfd) {
        return sr_err_new(SR_ESYSTEM, "st_netfd_open(%d): %s", fd, strerror(errno));
    }
    *out = sr_sock_wrap(nfd);
    return SR_OK;
}

void sr_sock_close(sr_sock_t *s)
{
    if (s) {
        st_netfd_close(s->nfd);
        sr_free(s);
    }
}

sr_io_t *sr_sock_io(sr_sock_t *s)
{
    return &s->io;
}

size_t sr_sock_pending_bytes(const sr_sock_t *s)
{
    int n = 0;
    if (ioctl(st_netfd_fileno(s->nfd), FIONREAD, &n) < 0 || n < 0) {
        return 0;
    }
    return (size_t)n;
}

void sr_sock_set_timeouts(sr_sock_t *s, sr_utime_t recv_us, sr_utime_t send_us)
{
    s->recv_timeout_us = recv_us;
    s->send_timeout_us = send_us;
}

void sr_sock_set_nodelay(sr_sock_t *s, bool on)
{
    int v = on ? 1 : 0;
    setsockopt(st_netfd_fileno(s->nfd), IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v));
}

int sr_sock_fd(const sr_sock_t *s)
{
    return st_netfd_fileno(s->nfd);
}

const char *sr_sock_peer_ip(const sr_sock_t *s)
{
    return s->peer_ip;
}

int sr_sock_peer_port(const sr_sock_t *s)
{
    return s->peer_port;
}

int sr_sock_local_port(const sr_sock_t *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(st_netfd_fileno(s->nfd), (struct sockaddr *)&ss, &len) < 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET6) {
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- UDP ---- */

#define SR_UDP_CTL_BYTES SR_UDP_PEER_CMSG_BYTES

int sr_udp_bind(const char *ip, int port, sr_sock_t **out)
{
    st_netfd_t nfd = NULL;
    int rc = sr_sock_bind(SOCK_DGRAM, ip, port, &nfd);
    if (rc == SR_OK) {
        int on = 1, fd = st_netfd_fileno(nfd); /* where each datagram was sent to: see sr_udp_peer_t */
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
        *out = sr_sock_wrap(nfd);
    }
    return rc;
}

/* Our address a datagram was sent to, from its IP_PKTINFO / IPV6_PKTINFO. */
static void sr_udp_take_local(struct msghdr *mh, sr_udp_peer_t *p)
{
    p->has_local = false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            memset(&p->local, 0, sizeof(p->local));
            memcpy(&p->local, &pi.ipi_addr, sizeof(pi.ipi_addr));
            p->has_local = true;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            p->local = pi.ipi6_addr;
            p->has_local = true;
        }
    }
}

size_t sr_udp_peer_cmsg(const sr_udp_peer_t *to, uint8_t *ctl, size_t size)
{
    bool is_v4 = to->addr.ss_family == AF_INET;
    size_t need = is_v4 ? CMSG_SPACE(sizeof(struct in_pktinfo)) : CMSG_SPACE(sizeof(struct in6_pktinfo));
    if (!to->has_local || size < need) {
        return 0;
    }
    memset(ctl, 0, need);
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    if (is_v4) {
        struct in_pktinfo pi = {0};
        memcpy(&pi.ipi_spec_dst, &to->local, sizeof(pi.ipi_spec_dst));
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    } else {
        struct in6_pktinfo pi = {0};
        pi.ipi6_addr = to->local;
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    }
    return need;
}

/* A sendmsg header for buf to peer, from its local address when known. */
static void sr_udp_msg(const sr_udp_peer_t *to, const void *buf, size_t len, struct iovec *iov, struct msghdr *mh,
                       uint8_t *ctl, size_t ctl_size)
{
    iov->iov_base = (void *)buf;
    iov->iov_len = len;
    memset(mh, 0, sizeof(*mh));
    mh->msg_name = (void *)&to->addr;
    mh->msg_namelen = to->len;
    mh->msg_iov = iov;
    mh->msg_iovlen = 1;
    mh->msg_controllen = sr_udp_peer_cmsg(to, ctl, ctl_size);
    mh->msg_control = mh->msg_controllen ? ctl : NULL;
}

int sr_udp_recvfrom(sr_sock_t *s, void *buf, size_t size, size_t *n, sr_udp_peer_t *from, sr_utime_t timeout_us)
{
    sr_udp_peer_t any;
    sr_udp_peer_t *p = from ? from : &any;
    uint8_t ctl[SR_UDP_CTL_BYTES];
    struct iovec iov = {buf, SR_MIN(size, (size_t)INT32_MAX)};
    struct msghdr mh = {0};
    mh.msg_name = &p->addr;
    mh.msg_namelen = sizeof(p->addr);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof(ctl);
    ssize_t got = st_recvmsg(s->nfd, &mh, 0, sr_sock_st_timeout(timeout_us));
    if (got < 0) {
        return sr_sock_fail(errno, SR_ESOCKET_READ, "recvmsg");
    }
    p->len = mh.msg_namelen;
    sr_udp_take_local(&mh, p);
    *n = (size_t)got;
    return SR_OK;
}

int sr_udp_sendto(sr_sock_t *s, const void *buf, size_t len, const sr_udp_peer_t *to, sr_utime_t timeout_us)
{
    struct iovec iov;
    struct msghdr mh;
    uint8_t ctl[SR_UDP_CTL_BYTES];
    sr_udp_msg(to, buf, len, &iov, &mh, ctl, sizeof(ctl));
    if (st_sendmsg(s->nfd, &mh, 0, sr_sock_st_timeout(timeout_us)) < 0) {
        return sr_sock_fail(errno, SR_ESOCKET_WRITE, "sendmsg");
    }
    return SR_OK;
}

int sr_udp_sendto_now(sr_sock_t *s, const void *buf, size_t len, const sr_udp_peer_t *to)
{
    struct iovec iov;
    struct msghdr mh;
    uint8_t ctl[SR_UDP_CTL_BYTES];
    sr_udp_msg(to, buf, len, &iov, &mh, ctl, sizeof(ctl));
    if (sendmsg(st_netfd_fileno(s->nfd), &mh, MSG_DONTWAIT) < 0) {
        return sr_sock_fail(errno, SR_ESOCKET_WRITE, "sendmsg");
    }
    return SR_OK;
}

int sr_udp_peer_make(const char *ip, int port, sr_udp_peer_t *out)
{
    out->has_local = false;
    return sr_sock_make_addr(ip, port, &out->addr, &out->len);
}

void sr_udp_peer_text(const sr_udp_peer_t *p, char *ip, size_t size, int *port)
{
    sr_sock_t tmp = {0}; /* reuse the peer formatting (v4-mapped shown as IPv4) */
    sr_sock_fill_peer(&tmp, (const struct sockaddr *)&p->addr);
    snprintf(ip, size, "%s", tmp.peer_ip);
    *port = tmp.peer_port;
}
