// SPDX-License-Identifier: MIT
// fuzz_rtp.c: libFuzzer harness for RTP (kernel/sr_rtp.h) and the H.264 depacketizer
// (kernel/sr_rtp_h264.h). The input is a run of records: a 2-byte big-endian length, a
// time step byte, then that many bytes of one RTP packet. Every packet is parsed; the
// ones that parse go, with a clock advanced by the step, into an H.264 depacketizer
// (tiny window, so gaps, give-ups and slides all happen) and a plain reorder buffer.
// Invariants: parsed fields lie inside the input and the header written back from them
// parses to the same fields; extension elements lie inside the extension block; the
// reorder buffer releases each sequence number at most once, in order; every frame is
// AVCC whose 4-byte lengths fill it, with NAL types 1..23 other than SPS/PPS/AUD/filler;
// the first frame is a keyframe and comes with its config; every config parses as an
// AVCDecoderConfigurationRecord with 4-byte lengths; and each frame packetized again
// (with the payload size the input picks) and fed to a second depacketizer in order
// comes out byte for byte. ASan checks that everything is freed.
#include <stdlib.h>
#include <string.h>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_rtp.h"
#include "sr_rtp_h264.h"
#include "sr_rtp_nal.h"

#include "fuzz.h"

typedef struct {
    uint8_t *data;
    size_t size;
    bool is_set;
} fuzz_bytes_t;

typedef struct {
    uint64_t frames;
    fuzz_bytes_t config; /* the latest config delivered */
    fuzz_bytes_t again;  /* the frame the second depacketizer gave back */
    size_t max_payload;
    uint16_t seq2;
    sr_rtp_nal_depack_t *second;
} sink_t;

static void fuzz_bytes_set(fuzz_bytes_t *b, const uint8_t *p, size_t n)
{
    free(b->data);
    b->data = malloc(n ? n : 1);
    memcpy(b->data, p, n);
    b->size = n;
    b->is_set = true;
}

static void check_avcc(const uint8_t *p, size_t n)
{
    size_t pos = 0;
    FUZZ_CHECK(n > 0);
    while (pos < n) {
        FUZZ_CHECK(n - pos >= 4);
        size_t len = ((size_t)p[pos] << 24) | ((size_t)p[pos + 1] << 16) | ((size_t)p[pos + 2] << 8) | p[pos + 3];
        pos += 4;
        FUZZ_CHECK(len >= 1 && len <= n - pos);
        uint8_t type = p[pos] & 0x1f;
        FUZZ_CHECK(type >= 1 && type <= 23 && type != 7 && type != 8 && type != 9 && type != 12);
        pos += len;
    }
}

static void on_again(void *arg, const sr_rtp_nal_frame_t *f)
{
    sink_t *s = arg;
    fuzz_bytes_set(&s->again, f->data, f->size);
}

/* Packetize the frame with the current config and depacketize it in order again. */
static void round_trip(sink_t *s, const sr_rtp_nal_frame_t *f)
{
    sr_avc_config_t cfg;
    FUZZ_CHECK(sr_avc_parse_config(s->config.data, s->config.size, &cfg) == SR_OK);
    sr_rtp_payloads_t out = {NULL, 0, NULL, 0, 0, 0};
    FUZZ_CHECK(sr_rtp_h264_packetize(f->data, f->size, &cfg, f->is_keyframe, s->max_payload, &out) == -SR_EOVERFLOW);
    out.data = malloc(out.len);
    out.cap = out.len;
    out.items = malloc(out.nb_items * sizeof(*out.items));
    out.max_items = out.nb_items;
    FUZZ_CHECK(sr_rtp_h264_packetize(f->data, f->size, &cfg, f->is_keyframe, s->max_payload, &out) == SR_OK);
    FUZZ_CHECK(out.len == out.cap && out.nb_items == out.max_items && out.nb_items > 0);
    s->again.is_set = false;
    for (size_t i = 0; i < out.nb_items; i++) {
        FUZZ_CHECK(out.items[i].size <= s->max_payload && out.items[i].offset + out.items[i].size <= out.len);
        FUZZ_CHECK(out.items[i].is_marker == (i + 1 == out.nb_items));
        sr_rtp_packet_t p;
        memset(&p, 0, sizeof(p));
        p.seq = s->seq2++;
        p.ts = f->rtp_ts;
        p.is_marker = out.items[i].is_marker;
        p.payload = out.data + out.items[i].offset;
        p.payload_size = out.items[i].size;
        sr_rtp_nal_depack_push(s->second, &p, 0);
    }
    FUZZ_CHECK(s->again.is_set && s->again.size == f->size && memcmp(s->again.data, f->data, f->size) == 0);
    free(out.data);
    free(out.items);
}

static void on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    sink_t *s = arg;
    FUZZ_CHECK(s->frames > 0 || (f->is_keyframe && f->config));
    s->frames++;
    check_avcc(f->data, f->size);
    if (f->config) {
        sr_avc_config_t cfg;
        FUZZ_CHECK(sr_avc_parse_config(f->config, f->config_size, &cfg) == SR_OK && cfg.nal_length_size == 4);
        fuzz_bytes_set(&s->config, f->config, f->config_size);
        FUZZ_CHECK(sr_rtp_nal_depack_set_config(s->second, f->config, f->config_size) == SR_OK);
    }
    round_trip(s, f);
}

typedef struct {
    bool has_last;
    uint16_t last;
} order_t;

static void on_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    order_t *o = arg;
    if (o->has_last && lost == 0) {
        FUZZ_CHECK(pkt->seq == (uint16_t)(o->last + 1));
    } else if (o->has_last) {
        FUZZ_CHECK(sr_rtp_seq_diff(pkt->seq, o->last) > 0 || lost >= 1);
    }
    o->has_last = true;
    o->last = pkt->seq;
}

static void check_packet(const uint8_t *data, size_t size, const sr_rtp_packet_t *p)
{
    FUZZ_CHECK(p->payload >= data && p->payload + p->payload_size <= data + size);
    FUZZ_CHECK(!p->has_extension || (p->ext >= data && p->ext + p->ext_size <= p->payload));
    for (uint8_t id = 1; id < 20; id++) {
        const uint8_t *v;
        size_t n;
        if (sr_rtp_ext_find(p, id, &v, &n) == SR_OK) {
            FUZZ_CHECK(v >= p->ext && v + n <= p->ext + p->ext_size);
        }
    }
    /* the header written back parses to the same fields */
    uint8_t out[SR_RTP_HEADER_BYTES + 4 * SR_RTP_MAX_CSRC];
    size_t n;
    FUZZ_CHECK(sr_rtp_header_write(p, NULL, 0, out, sizeof(out), &n) == SR_OK);
    sr_rtp_packet_t q;
    FUZZ_CHECK(sr_rtp_parse(out, n, &q) == SR_OK);
    FUZZ_CHECK(q.pt == p->pt && q.is_marker == p->is_marker && q.seq == p->seq && q.ts == p->ts);
    FUZZ_CHECK(q.ssrc == p->ssrc && q.nb_csrc == p->nb_csrc && q.payload_size == 0);
    FUZZ_CHECK(memcmp(q.csrc, p->csrc, sizeof(q.csrc)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink_t sink;
    memset(&sink, 0, sizeof(sink));
    sink.max_payload = size > 0 ? SR_RTP_H264_MIN_PAYLOAD + data[0] * 5u : 1200;
    sink.second = sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, on_again, &sink);
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H264, 8, 30000, on_frame, &sink);
    order_t order = {false, 0};
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(4, 20000, on_packet, &order);
    int64_t now = 0;
    size_t pos = size > 0 ? 1 : 0;
    while (size - pos >= 3) {
        size_t len = ((size_t)data[pos] << 8) | data[pos + 1];
        now += data[pos + 2] * 1000;
        pos += 3;
        len = len < size - pos ? len : size - pos;
        sr_rtp_packet_t p;
        if (sr_rtp_parse(data + pos, len, &p) == SR_OK) {
            check_packet(data + pos, len, &p);
            sr_rtp_nal_depack_push(d, &p, now);
            sr_rtp_reorder_push(r, &p, now);
        } else {
            sr_rtp_nal_depack_tick(d, now);
        }
        pos += len;
    }
    sr_rtp_nal_depack_flush(d);
    sr_rtp_reorder_flush(r);
    const sr_rtp_reorder_stats_t *st = sr_rtp_reorder_stats(r);
    FUZZ_CHECK(st->held == 0 && st->released <= st->received);
    FUZZ_CHECK(sr_rtp_nal_depack_stats(d)->frames == sink.frames);
    sr_rtp_reorder_free(r);
    sr_rtp_nal_depack_free(d);
    sr_rtp_nal_depack_free(sink.second);
    free(sink.config.data);
    free(sink.again.data);
    return 0;
}
