/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_floor.c: the "floor" of strand_bench, the least a streaming server could
 * do for the same viewers and so the yardstick for CPU per delivered Gbit. It
 * accepts up to N TCP connections and every batch interval appends rate x interval
 * bytes to one shared byte stream (a ring), then writes each connection's unsent part
 * with one writev. Nothing else: no protocol, no per-viewer headers, no queues. A
 * viewer that falls a whole ring behind skips ahead (counted as a drop).
 *
 * Not on ST: one plain epoll loop, because that is the floor. Readers are
 * `strand_bench tcp-read`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_bench.h"

#define SR_BENCH_RING_BYTES (4u << 20)

typedef struct sr_bench_floor {
    const sr_bench_opts_t *opts;
    int lfd, ep;
    int *fds;      /* fds[i], -1 if free */
    uint64_t *pos; /* stream position sent to fds[i] */
    int nconns, accepted, refused, closed;
    uint8_t *ring;
    uint64_t produced; /* stream bytes produced so far */
    uint64_t sent;     /* bytes written to all viewers */
    uint64_t drops;
} sr_bench_floor_t;

static int sr_bench_floor_listen(sr_bench_floor_t *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->opts->port)};
    int one = 1;
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->lfd < 0 || setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(f->lfd, 4096) < 0) {
        perror("strand_bench floor: listen");
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = -1};
    return epoll_ctl(f->ep, EPOLL_CTL_ADD, f->lfd, &ev);
}

static void sr_bench_floor_accept(sr_bench_floor_t *f)
{
    int fd, one = 1;
    while ((fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        int slot = -1;
        for (int i = 0; i < f->opts->n && slot < 0; i++) {
            slot = f->fds[i] < 0 ? i : -1;
        }
        if (slot < 0) {
            f->refused++;
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        f->fds[slot] = fd;
        f->pos[slot] = f->produced; /* live: start at the current position */
        f->nconns++;
        f->accepted++;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = slot};
        epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void sr_bench_floor_close(sr_bench_floor_t *f, int slot)
{
    if (f->fds[slot] >= 0) {
        close(f->fds[slot]); /* also leaves the epoll set */
        f->fds[slot] = -1;
        f->nconns--;
        f->closed++;
    }
}

/* One viewer: write the stream from its position to the head, one writev. */
static void sr_bench_floor_send(sr_bench_floor_t *f, int slot, uint64_t batch)
{
    uint64_t lag = f->produced - f->pos[slot];
    if (lag > SR_BENCH_RING_BYTES) {
        f->pos[slot] = f->produced - batch;
        lag = batch;
        f->drops++;
    }
    size_t at = (size_t)(f->pos[slot] % SR_BENCH_RING_BYTES);
    size_t first = SR_BENCH_RING_BYTES - at < lag ? SR_BENCH_RING_BYTES - at : (size_t)lag;
    struct iovec iov[2] = {{f->ring + at, first}, {f->ring, (size_t)lag - first}};
    ssize_t n = writev(f->fds[slot], iov, iov[1].iov_len ? 2 : 1);
    if (n > 0) {
        f->pos[slot] += (uint64_t)n;
        f->sent += (uint64_t)n;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sr_bench_floor_close(f, slot);
    }
}

static void sr_bench_floor_events(sr_bench_floor_t *f, int timeout_ms)
{
    struct epoll_event evs[64];
    char sink[256];
    int ne = epoll_wait(f->ep, evs, 64, timeout_ms);
    for (int i = 0; i < ne; i++) {
        int slot = evs[i].data.fd;
        if (slot < 0) {
            sr_bench_floor_accept(f);
            continue;
        }
        ssize_t n = read(f->fds[slot], sink, sizeof(sink));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || (evs[i].events & (EPOLLHUP | EPOLLERR))) {
            sr_bench_floor_close(f, slot);
        }
    }
}

void sr_bench_floor_report(const sr_bench_opts_t *opts, const char *mode, const char *title,
                           const sr_bench_floor_counts_t *k, sr_utime_t elapsed_us)
{
    double secs = (double)elapsed_us / 1e6;
    double mbps = secs > 0 ? (double)k->sent * 8 / 1e6 / secs : 0;
    printf("strand_bench %s :%d %s: %.1f s\n", mode, opts->port, title, secs);
    printf("  %-28s accepted %d, refused %d, closed %d, open at end %d\n", "connections", k->accepted, k->refused,
           k->closed, k->open);
    printf("  %-28s %.1f Mbit/s (%.1f MB), drops %llu\n", "delivered", mbps, (double)k->sent / 1e6,
           (unsigned long long)k->drops);
    if (opts->is_json) {
        printf("{\"mode\":\"%s\",\"n\":%d,\"seconds\":%.3f,\"accepted\":%d,\"closed\":%d,\"bytes\":%llu,"
               "\"mbps\":%.3f,\"drops\":%llu}\n",
               mode, opts->n, secs, k->accepted, k->closed, (unsigned long long)k->sent, mbps,
               (unsigned long long)k->drops);
    }
    fflush(stdout);
}

static void sr_bench_floor_loop(sr_bench_floor_t *f, volatile int *stop)
{
    const sr_bench_opts_t *o = f->opts;
    uint64_t batch = (uint64_t)o->rate_kbps * 1000 / 8 * (uint64_t)o->batch_ms / 1000;
    sr_utime_t t0 = sr_time_mono_us(), interval = (sr_utime_t)o->batch_ms * SR_UTIME_MS;
    sr_utime_t end = o->duration_s > 0 ? t0 + (sr_utime_t)(o->duration_s * 1e6) : (sr_utime_t)-1;
    sr_utime_t tick = t0 + interval, now;
    while (!*stop && (now = sr_time_mono_us()) < end) {
        if (now < tick) {
            sr_bench_floor_events(f, (int)((tick - now + 999) / 1000));
            continue;
        }
        f->produced += batch;
        for (int i = 0; i < o->n; i++) {
            if (f->fds[i] >= 0) {
                sr_bench_floor_send(f, i, batch);
            }
        }
        tick += interval;
    }
    sr_bench_floor_counts_t k = {f->accepted, f->refused, f->closed, f->nconns, f->sent, f->drops};
    char title[64];
    snprintf(title, sizeof(title), "rate %d kbit/s batch %d ms", o->rate_kbps, o->batch_ms);
    sr_bench_floor_report(o, "floor", title, &k, sr_time_mono_us() - t0);
}

int sr_bench_floor_run(const sr_bench_opts_t *opts, volatile int *stop)
{
    sr_bench_floor_t f = {.opts = opts, .lfd = -1};
    if (opts->batch_ms < 1 || opts->rate_kbps < 1) {
        fprintf(stderr, "strand_bench floor: --rate and --batch-ms must be positive\n");
        return 2;
    }
    f.ep = epoll_create1(EPOLL_CLOEXEC);
    if (f.ep < 0 || sr_bench_floor_listen(&f) < 0) {
        return 1;
    }
    f.fds = sr_malloc((size_t)opts->n * sizeof(int));
    f.pos = sr_calloc((size_t)opts->n, sizeof(uint64_t));
    f.ring = sr_malloc(SR_BENCH_RING_BYTES);
    for (int i = 0; i < opts->n; i++) {
        f.fds[i] = -1;
    }
    for (size_t i = 0; i < SR_BENCH_RING_BYTES; i++) {
        f.ring[i] = (uint8_t)(i * 31 + 7); /* any bytes: nobody parses them */
    }
    sr_bench_floor_loop(&f, stop);
    for (int i = 0; i < opts->n; i++) {
        sr_bench_floor_close(&f, i);
    }
    close(f.lfd);
    close(f.ep);
    sr_free(f.fds);
    sr_free(f.pos);
    sr_free(f.ring);
    return 0;
}
