/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_srt_floor.c: "srt-floor", the least an SRT server could do for the same
 * players, the yardstick of SRT fan-out as "floor" is of TCP. libsrt alone: a live-mode
 * listener that accepts up to N callers (any stream id) and sends every one of them
 * the messages of a TS file (1316 bytes, paced by the file's PCR as srt-publish does,
 * looped) with srt_sendmsg2 from one thread. No demuxing, no queues, no coroutines:
 * what remains is libsrt's own per-packet cost (its send, receive and timer threads),
 * which bounds what Strand's SRT players can cost. Players are `strand_bench srt-play`.
 *
 * A player whose send buffer is full loses that message (counted as a drop), as a live
 * server would.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bench_ts_pace.h"
#include "sr_error.h"

#ifdef SR_WITH_SRT

#include <arpa/inet.h>
#include <srt/srt.h>
#include <syslog.h>

typedef struct sr_bench_srt_floor {
    const sr_bench_opts_t *opts;
    SRTSOCKET lsock;
    int ep;
    SRTSOCKET *socks; /* socks[i], SRT_INVALID_SOCK if free */
    int nconns, accepted, refused, closed;
    uint64_t sent, drops;
} sr_bench_srt_floor_t;

static int sr_bench_srt_floor_listen(sr_bench_srt_floor_t *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->opts->port)};
    int no = 0;
    f->lsock = srt_create_socket();
    if (f->lsock == SRT_INVALID_SOCK || srt_setsockflag(f->lsock, SRTO_RCVSYN, &no, sizeof(no)) != 0 ||
        srt_bind(f->lsock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || srt_listen(f->lsock, 1024) != 0) {
        fprintf(stderr, "strand_bench srt-floor: listen on %d: %s\n", f->opts->port, srt_getlasterror_str());
        return -1;
    }
    int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
    f->ep = srt_epoll_create();
    return srt_epoll_add_usock(f->ep, f->lsock, &events);
}

static void sr_bench_srt_floor_accept(sr_bench_srt_floor_t *f)
{
    SRTSOCKET s;
    while ((s = srt_accept(f->lsock, NULL, NULL)) != SRT_INVALID_SOCK) {
        int slot = -1;
        for (int i = 0; i < f->opts->n && slot < 0; i++) {
            slot = f->socks[i] == SRT_INVALID_SOCK ? i : -1;
        }
        if (slot < 0) {
            f->refused++;
            srt_close(s);
            continue;
        }
        int no = 0;
        srt_setsockflag(s, SRTO_SNDSYN, &no, sizeof(no)); /* a full buffer drops, never blocks */
        f->socks[slot] = s;
        f->nconns++;
        f->accepted++;
    }
}

/* One message to every player; a broken one is closed. */
static void sr_bench_srt_floor_send(sr_bench_srt_floor_t *f, const uint8_t *msg, int size)
{
    for (int i = 0; i < f->opts->n; i++) {
        SRTSOCKET s = f->socks[i];
        if (s == SRT_INVALID_SOCK) {
            continue;
        }
        if (srt_sendmsg2(s, (const char *)msg, size, NULL) == size) {
            f->sent += (uint64_t)size;
        } else if (srt_getlasterror(NULL) == SRT_EASYNCSND) {
            f->drops++;
        } else {
            if (f->closed < 5) {
                fprintf(stderr, "strand_bench srt-floor: player %d closed: %s\n", i, srt_getlasterror_str());
            }
            srt_close(s);
            f->socks[i] = SRT_INVALID_SOCK;
            f->nconns--;
            f->closed++;
        }
    }
}

/* Until the next message is due: accept callers (the listener is the only socket in
 * the epoll set). */
static void sr_bench_srt_floor_wait(sr_bench_srt_floor_t *f, sr_utime_t until)
{
    sr_utime_t now;
    while ((now = sr_time_mono_us()) < until) {
        SRTSOCKET ready[4];
        int nr = 4;
        int64_t ms = (int64_t)((until - now) / SR_UTIME_MS);
        if (srt_epoll_wait(f->ep, ready, &nr, NULL, NULL, ms, NULL, NULL, NULL, NULL) > 0) {
            sr_bench_srt_floor_accept(f);
        } else if (ms == 0) {
            struct timespec ts = {0, (long)(until - now) * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static void sr_bench_srt_floor_loop(sr_bench_srt_floor_t *f, const uint8_t *file, const sr_bench_ts_pace_t *pace,
                                    volatile int *stop)
{
    const sr_bench_opts_t *o = f->opts;
    sr_utime_t t0 = sr_time_mono_us(), base = t0;
    sr_utime_t end = o->duration_s > 0 ? t0 + (sr_utime_t)(o->duration_s * 1e6) : (sr_utime_t)-1;
    while (!*stop && sr_time_mono_us() < end) {
        for (size_t i = 0; i < pace->count && !*stop; i++) {
            const sr_bench_ts_msg_t *m = &pace->msgs[i];
            sr_bench_srt_floor_wait(f, base + m->due_us);
            sr_bench_srt_floor_send(f, file + m->offset, (int)m->size);
        }
        base += pace->loop_us;
    }
    sr_bench_floor_counts_t k = {f->accepted, f->refused, f->closed, f->nconns, f->sent, f->drops};
    sr_bench_floor_report(o, "srt-floor", "(libsrt " SRT_VERSION_STRING ")", &k, sr_time_mono_us() - t0);
}

int sr_bench_srt_floor_run(const sr_bench_opts_t *opts, volatile int *stop)
{
    uint8_t *file = NULL;
    size_t size = 0;
    sr_bench_ts_pace_t pace = {0};
    if (!opts->input || sr_bench_read_file(opts->input, &file, &size) != SR_OK ||
        sr_bench_ts_pace_index(file, size, SR_BENCH_TS_MSG_BYTES, &pace) != SR_OK) {
        fprintf(stderr, "strand_bench srt-floor: needs -i file.ts with PCRs (%s)\n",
                opts->input ? opts->input : "none");
        sr_free(file);
        return 2;
    }
    srt_startup();
    srt_setloglevel(LOG_CRIT); /* a non-blocking accept with nothing pending is no error here */
    sr_bench_srt_floor_t f = {.opts = opts, .lsock = SRT_INVALID_SOCK, .ep = -1};
    int status = 1;
    if (sr_bench_srt_floor_listen(&f) == 0) {
        f.socks = sr_malloc((size_t)opts->n * sizeof(SRTSOCKET));
        for (int i = 0; i < opts->n; i++) {
            f.socks[i] = SRT_INVALID_SOCK;
        }
        sr_bench_srt_floor_loop(&f, file, &pace, stop);
        for (int i = 0; i < opts->n; i++) {
            if (f.socks[i] != SRT_INVALID_SOCK) {
                srt_close(f.socks[i]);
            }
        }
        sr_free(f.socks);
        status = 0;
    }
    if (f.ep >= 0) {
        srt_epoll_release(f.ep);
    }
    srt_close(f.lsock);
    srt_cleanup();
    sr_bench_ts_pace_deinit(&pace);
    sr_free(file);
    return status;
}

#else

int sr_bench_srt_floor_run(const sr_bench_opts_t *opts, volatile int *stop)
{
    (void)opts;
    (void)stop;
    fprintf(stderr, "strand_bench srt-floor: built without SRT (configure --without-srt)\n");
    return 2;
}

#endif
