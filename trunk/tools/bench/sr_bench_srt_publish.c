/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_srt_publish.c: the SRT publisher of strand_bench. The TS file is loaded
 * and indexed into 1316-byte messages once (sr_bench_ts_pace.h); each publisher
 * coroutine connects as a caller with "#!::r=APP/NAME,m=publish" and sends the
 * messages straight from the shared file when the file's PCR says they are due, in
 * real time. At the end of the file it starts again from the top: the TS timestamps
 * and continuity counters jump back, which the server takes as a new timeline.
 *
 * Not for: rewriting timestamps or stamping latency into the video (the SRT rows
 * measure ingest; players measure latency behind the RTMP publisher).
 */
#include <stdio.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bench_ts_pace.h"
#include "sr_error.h"

/* The file, shared read-only by every publisher. */
static uint8_t *sr_bench_srt_file;
static sr_bench_ts_pace_t sr_bench_srt_pace;

int sr_bench_srt_publish_load(const sr_bench_opts_t *opts)
{
    size_t size = 0;
    if (opts->input == NULL) {
        return sr_err_new(SR_EINVAL, "srt-publish needs -i file.ts");
    }
    int rc = sr_bench_read_file(opts->input, &sr_bench_srt_file, &size);
    rc = rc ? rc : sr_bench_ts_pace_index(sr_bench_srt_file, size, SR_BENCH_TS_MSG_BYTES, &sr_bench_srt_pace);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "srt-publish input %s", opts->input);
}

/* Send the file's messages when due, looped, until stopped or a send fails. May yield. */
static int sr_bench_srt_send_loop(sr_bench_conn_t *c, sr_srt_sock_t *sock)
{
    const sr_bench_ts_pace_t *pace = &sr_bench_srt_pace;
    sr_utime_t base = sr_time_mono_us();
    for (;;) {
        for (size_t i = 0; i < pace->count; i++) {
            const sr_bench_ts_msg_t *m = &pace->msgs[i];
            sr_utime_t due = base + m->due_us, now = sr_time_mono_us();
            int rc = sr_co_pull();
            if (rc == SR_OK && due > now) {
                rc = sr_usleep(due - now);
            }
            if (rc == SR_OK) {
                rc = sr_srt_send(sock, sr_bench_srt_file + m->offset, m->size, c->opts->timeout_us);
            }
            if (rc != SR_OK) {
                return rc;
            }
            c->bytes += m->size;
        }
        base += pace->loop_us;
    }
}

void sr_bench_srt_publish_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_srt_sock_t *sock = NULL;
    int rc = sr_bench_srt_connect(c, "publish", &sock);
    if (rc == SR_OK) {
        c->state = SR_BENCH_RUNNING;
        c->first_media_us = sr_time_mono_us();
        rc = sr_bench_srt_send_loop(c, sock);
    }
    sr_bench_conn_end(c, rc);
    sr_srt_close(sock);
}
