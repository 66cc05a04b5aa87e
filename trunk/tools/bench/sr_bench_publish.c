/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_publish.c: the RTMP publisher of strand_bench. The FLV file is loaded
 * once and indexed; each publisher coroutine connects, publishes through the RTMP
 * client session (sr_rtmp_client.h), then sends the tags at real
 * time, looped, with timestamps continued across loops. Every AVC NALU packet gets
 * the latency stamp of sr_bench.h (an SEI NAL first in the packet) written at send
 * time. A second coroutine per publisher drains what the server sends.
 *
 * The WebRTC publisher (sr_bench_whip_publish.c) sends the same loaded file and stamp.
 *
 * Not for: playing (sr_bench_rtmp.c), or FLV files other than plain FLV 1 with
 * 4-byte NAL lengths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_client.h"
#include "sr_rtmp_control.h"

/* The file, shared read-only by every publisher. */
static uint8_t *sr_bench_file;
static sr_bench_tag_t *sr_bench_tags;
static size_t sr_bench_ntags;

typedef struct sr_bench_pub {
    sr_bench_conn_t *conn;
    sr_sock_t *sock;
    sr_rtmp_client_t *client;
    sr_rtmp_reader_t *rd; /* the client's */
    sr_rtmp_writer_t *wr;
    char stream[2200];
    uint32_t stream_id;
} sr_bench_pub_t;

/* ==== the file ==== */

static int sr_bench_publish_index(size_t size)
{
    size_t pos = SR_FLV_FILE_HEADER_BYTES, cap = 0;
    while (pos + SR_FLV_TAG_HEADER_BYTES <= size) {
        const uint8_t *h = sr_bench_file + pos;
        uint32_t body = sr_get_be24(h + 1);
        if (pos + SR_FLV_TAG_HEADER_BYTES + body > size) {
            break;
        }
        if (sr_bench_ntags == cap) {
            cap = cap ? cap * 2 : 1024;
            sr_bench_tag_t *t = sr_calloc(cap, sizeof(*t));
            if (sr_bench_tags) {
                memcpy(t, sr_bench_tags, sr_bench_ntags * sizeof(*t));
                sr_free(sr_bench_tags);
            }
            sr_bench_tags = t;
        }
        sr_bench_tag_t *t = &sr_bench_tags[sr_bench_ntags++];
        t->type = h[0] & 0x1f;
        t->ts = sr_get_be24(h + 4) | ((uint32_t)h[7] << 24);
        t->offset = pos + SR_FLV_TAG_HEADER_BYTES;
        t->size = body;
        pos += SR_FLV_TAG_HEADER_BYTES + body + 4;
    }
    return sr_bench_ntags ? SR_OK : sr_err_new(SR_EFORMAT, "no FLV tags");
}

int sr_bench_publish_load(const sr_bench_opts_t *opts)
{
    size_t size = 0;
    if (opts->input == NULL) {
        return sr_err_new(SR_EINVAL, "%s needs -i file.flv", opts->mode);
    }
    int rc = sr_bench_read_file(opts->input, &sr_bench_file, &size);
    if (rc != SR_OK) {
        return rc;
    }
    if (size <= SR_FLV_FILE_HEADER_BYTES || memcmp(sr_bench_file, "FLV", 3) != 0) {
        return sr_err_new(SR_EFILE_READ, "%s is not an FLV file", opts->input);
    }
    return sr_bench_publish_index(size);
}

const sr_bench_tag_t *sr_bench_publish_tags(size_t *n, const uint8_t **file)
{
    *n = sr_bench_ntags;
    *file = sr_bench_file;
    return sr_bench_tags;
}

/* ==== sending ==== */

sr_payload_t *sr_bench_publish_stamp(const uint8_t *body, uint32_t size)
{
    char hex[17];
    sr_payload_t *pl = sr_payload_new(size + 4 + SR_BENCH_SEI_NAL_BYTES);
    uint8_t *d = pl->data;
    memcpy(d, body, 5);
    sr_put_be32(d + 5, SR_BENCH_SEI_NAL_BYTES);
    d[9] = 0x06;  /* NAL type 6: SEI */
    d[10] = 0x05; /* payload type 5: user data unregistered */
    d[11] = 32;   /* uuid + 16 hex digits */
    memcpy(d + SR_BENCH_SEI_UUID_AT, SR_BENCH_SEI_UUID, 16);
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)sr_time_wall_us());
    memcpy(d + SR_BENCH_SEI_TIME_AT, hex, 16);
    d[SR_BENCH_SEI_TIME_AT + 16] = 0x80; /* rbsp trailing bits */
    memcpy(d + 5 + 4 + SR_BENCH_SEI_NAL_BYTES, body + 5, size - 5);
    return pl;
}

/* Send one tag at timestamp ts. May yield. */
static int sr_bench_pub_send_tag(sr_bench_pub_t *p, const sr_bench_tag_t *t, uint32_t ts)
{
    const uint8_t *body = sr_bench_file + t->offset;
    sr_payload_t *pl;
    uint32_t csid = t->type == 8 ? 4 : t->type == 9 ? 6 : 5;
    if (t->type == 9 && t->size > 5 && (body[0] & 0x0f) == 7 && body[1] == 1) {
        pl = sr_bench_publish_stamp(body, t->size);
    } else {
        pl = sr_payload_new_copy(body, t->size);
    }
    int rc = sr_rtmp_writer_add(p->wr, csid, t->type, p->stream_id, ts, pl);
    p->conn->bytes += pl->size;
    sr_payload_unref(pl);
    if (rc == SR_OK) {
        rc = sr_rtmp_writer_flush(p->wr);
    }
    p->conn->video += t->type == 9;
    p->conn->audio += t->type == 8;
    return rc;
}

/* Send the file at real time, looped, until stopped or a write fails. May yield. */
static int sr_bench_pub_send_loop(sr_bench_pub_t *p)
{
    sr_utime_t base = sr_time_mono_us();
    uint64_t offset_ms = 0;
    for (int loop = 0;; loop++) {
        uint32_t last = 0;
        for (size_t i = 0; i < sr_bench_ntags; i++) {
            const sr_bench_tag_t *t = &sr_bench_tags[i];
            int rc = sr_co_pull();
            if (t->type == 18 && loop > 0) {
                continue; /* metadata once */
            }
            sr_utime_t due = base + (offset_ms + t->ts) * SR_UTIME_MS, now = sr_time_mono_us();
            if (rc == SR_OK && due > now) {
                rc = sr_usleep(due - now);
            }
            if (rc == SR_OK) {
                rc = sr_bench_pub_send_tag(p, t, (uint32_t)(offset_ms + t->ts));
            }
            if (rc != SR_OK) {
                return rc;
            }
            last = t->ts > last ? t->ts : last;
        }
        offset_ms += last + SR_BENCH_PUB_FRAME_MS;
    }
}

/* Read and drop what the server sends (acks, pings), keeping the chunk size right. */
static void sr_bench_pub_drain(void *arg)
{
    sr_bench_pub_t *p = arg;
    sr_rtmp_msg_t m;
    uint32_t v;
    while (sr_co_pull() == SR_OK) {
        int rc = sr_rtmp_reader_read(p->rd, &m);
        if (sr_err_is_timeout(rc)) {
            continue;
        }
        if (rc != SR_OK) {
            return;
        }
        if (m.type == SR_RTMP_MSG_SET_CHUNK_SIZE &&
            sr_rtmp_control_parse_u32(m.payload->data, m.payload->size, &v) == 0) {
            (void)sr_rtmp_reader_set_chunk_size(p->rd, v & 0x7fffffff);
        }
        sr_payload_unref(m.payload);
    }
}

void sr_bench_publish_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_pub_t *p = SR_NEW(sr_bench_pub_t);
    sr_co_t *drain = NULL;
    int rc;
    p->conn = c;
    sr_bench_stream_name(c->opts, c->index, p->stream, sizeof(p->stream));
    if ((rc = sr_bench_connect(c->opts, &p->sock)) == SR_OK) {
        const sr_bench_opts_t *o = c->opts;
        char tc_url[1400];
        snprintf(tc_url, sizeof(tc_url), "rtmp://%s:%d/%s", o->target.host, o->target.port, o->app);
        p->client = sr_rtmp_client_new(sr_sock_io(p->sock));
        p->rd = sr_rtmp_client_reader(p->client);
        p->wr = sr_rtmp_client_writer(p->client);
        if ((rc = sr_rtmp_client_connect(p->client, o->app, tc_url, !o->is_simple)) == SR_OK &&
            (rc = sr_rtmp_client_publish(p->client, p->stream)) == SR_OK) {
            p->stream_id = sr_rtmp_client_stream_id(p->client);
        }
    }
    if (rc == SR_OK) {
        c->state = SR_BENCH_RUNNING;
        drain = sr_co_start(sr_bench_pub_drain, p, NULL);
        rc = sr_bench_pub_send_loop(p);
    }
    sr_co_stop(drain);
    sr_bench_conn_end(c, rc);
    sr_rtmp_client_free(p->client);
    sr_sock_close(p->sock);
    sr_free(p);
}
