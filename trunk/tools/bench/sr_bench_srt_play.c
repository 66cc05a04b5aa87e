/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_srt_play.c: the SRT player of strand_bench. It connects as a caller with
 * "#!::r=APP/NAME,m=request", receives TS messages into the shared scratch buffer and
 * feeds them to its own TS demuxer (the server's, kernel/sr_ts_demux.h), whose frames
 * carry the FLV tag-body header in front of their codec bytes: the same view the
 * RTMP and FLV players count, so frames %, first keyframe and the latency stamp are
 * measured the same way. A video frame leaves the demuxer when the next one starts
 * (TS video PES are unbounded), one frame interval after its last byte arrived.
 *
 * Not for: playing other programs than the first, or keeping any media.
 */
#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_error.h"
#include "sr_ts_demux.h"

/* A live-mode SRT message is at most 1456 bytes; the scratch buffer is far larger. */
#define SR_BENCH_SRT_RECV_MAX 1500

static void sr_bench_srt_on_frame(void *arg, sr_packet_t *pkt)
{
    sr_bench_conn_t *c = arg;
    const sr_payload_t *pl = pkt->payload;
    sr_bench_stats_media(c, pkt->type, (uint32_t)pkt->dts, pl->data, SR_MIN(pl->size, (size_t)SR_BENCH_HEAD));
    sr_packet_deinit(pkt);
}

static int sr_bench_srt_play_loop(sr_bench_conn_t *c, sr_srt_sock_t *sock, sr_ts_demuxer_t *demux)
{
    int rc;
    size_t n;
    while ((rc = sr_co_pull()) == SR_OK) {
        rc = sr_srt_recv(sock, sr_bench_scratch, SR_BENCH_SRT_RECV_MAX, &n, c->opts->timeout_us);
        if (rc != SR_OK) {
            return rc;
        }
        c->bytes += n;
        /* scratch is shared: demux everything before anything that may yield */
        sr_ts_demux_feed(demux, sr_bench_scratch, n);
    }
    return rc;
}

void sr_bench_srt_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_srt_sock_t *sock = NULL;
    sr_ts_demuxer_t *demux = sr_ts_demux_new(sr_bench_srt_on_frame, c);
    int rc = sr_bench_srt_connect(c, "request", &sock);
    if (rc == SR_OK) {
        rc = sr_bench_srt_play_loop(c, sock, demux);
    }
    sr_bench_conn_end(c, rc);
    sr_ts_demux_free(demux);
    sr_srt_close(sock);
}
