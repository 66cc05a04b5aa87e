/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_h264_depack.c: the H.264 RTP depacketizer (RFC 6184 packetization-mode 1).
 * Packets go through a reorder buffer (sr_rtp_reorder.c); in order, they are
 * assembled into frames by RTP timestamp (the marker, or a new timestamp, ends one),
 * STAP-A split and FU-A joined into canonical AVCC. The SPS and PPS seen in-band leave
 * the frame and become an AVCDecoderConfigurationRecord when they change, as the
 * MPEG-TS demuxer does. A loss breaks the frame it falls in (and the one starting right
 * after it, whose head may be what was lost) and makes every frame wait for the next
 * IDR, since later frames reference what was lost. Not for packetizing
 * (sr_rtp_h264.c), modes 0/2, or concealment.
 */
#include "sr_rtp_h264.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#define SR_H264_NAL_FILLER 12
#define SR_H264_NAL_TYPE(b) ((b)&0x1f)
#define SR_H264_STAP_B 25
#define SR_H264_MTAP24 27
#define SR_H264_FU_B 29
/* What a record may hold beyond the NAL units: header, counts, lengths, extension. */
#define SR_H264_RECORD_OVERHEAD 16

struct sr_rtp_h264_depack {
    sr_rtp_reorder_t *reorder;
    sr_rtp_h264_frame_fn on_frame;
    void *arg;
    sr_buf_t frame; /* AVCC being assembled */
    bool in_frame;
    bool is_broken;   /* the frame being assembled is dropped at its end */
    bool next_broken; /* the next frame to start lost its head */
    uint32_t frame_ts;
    bool in_fu;
    size_t fu_start; /* where the FU-A's length prefix is */
    uint8_t fu_type;
    bool need_keyframe;
    sr_buf_t record; /* the current config, len 0 if none */
    bool is_config_pending;
    sr_buf_t scratch; /* a record being built */
    sr_rtp_h264_stats_t stats;
};

static void sr_h264_depack_on_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost);

sr_rtp_h264_depack_t *sr_rtp_h264_depack_new(size_t window, int64_t max_delay_us, sr_rtp_h264_frame_fn on_frame,
                                             void *arg)
{
    sr_rtp_h264_depack_t *d = SR_NEW(sr_rtp_h264_depack_t);
    d->reorder = sr_rtp_reorder_new(window, max_delay_us, sr_h264_depack_on_packet, d);
    if (!d->reorder || !on_frame) {
        sr_rtp_reorder_free(d->reorder);
        sr_free(d);
        return NULL;
    }
    d->on_frame = on_frame;
    d->arg = arg;
    d->need_keyframe = true;
    sr_buf_init(&d->frame);
    sr_buf_init(&d->record);
    sr_buf_init(&d->scratch);
    return d;
}

void sr_rtp_h264_depack_free(sr_rtp_h264_depack_t *d)
{
    if (!d) {
        return;
    }
    sr_rtp_reorder_free(d->reorder);
    sr_buf_deinit(&d->frame);
    sr_buf_deinit(&d->record);
    sr_buf_deinit(&d->scratch);
    sr_free(d);
}

int sr_rtp_h264_depack_set_config(sr_rtp_h264_depack_t *d, const uint8_t *record, size_t size)
{
    sr_avc_config_t c;
    int rc = sr_avc_parse_config(record, size, &c);
    if (rc != SR_OK) {
        return rc;
    }
    if (c.nal_length_size != SR_CODEC_NAL_LENGTH_BYTES) {
        return -SR_EFORMAT; /* frames here are canonical: 4-byte lengths */
    }
    sr_buf_reset(&d->record);
    sr_buf_put_bytes(&d->record, record, size);
    d->is_config_pending = true;
    return SR_OK;
}

/* ==== assembling a frame ==== */

static bool sr_h264_depack_fits(const sr_rtp_h264_depack_t *d, size_t n)
{
    return n <= SR_RTP_H264_MAX_FRAME_BYTES - SR_CODEC_NAL_LENGTH_BYTES - d->frame.len;
}

/* Whether a NAL unit type can be in a frame: 0 and 24..31 are RFC 6184's own (5.2). */
static bool sr_h264_depack_is_nal_type(uint8_t type)
{
    return type != 0 && type < SR_RTP_H264_STAP_A;
}

static int sr_h264_depack_nal(sr_rtp_h264_depack_t *d, const uint8_t *nal, size_t n)
{
    if (n == 0 || !sr_h264_depack_fits(d, n)) {
        return -SR_EFORMAT;
    }
    if (!sr_h264_depack_is_nal_type(SR_H264_NAL_TYPE(nal[0]))) {
        return SR_OK; /* in a STAP-A: skipped like a top-level one */
    }
    sr_buf_put_be32(&d->frame, (uint32_t)n);
    sr_buf_put_bytes(&d->frame, nal, n);
    return SR_OK;
}

/* RFC 6184 5.7.1: 16-bit size, NAL unit, repeated; at least one. */
static int sr_h264_depack_stap_a(sr_rtp_h264_depack_t *d, const uint8_t *p, size_t n)
{
    size_t pos = 1;
    if (n <= pos) {
        return -SR_EFORMAT;
    }
    while (pos < n) {
        if (n - pos < 2) {
            return -SR_EFORMAT;
        }
        size_t len = sr_get_be16(p + pos);
        pos += 2;
        if (len > n - pos || sr_h264_depack_nal(d, p + pos, len) != SR_OK) {
            return -SR_EFORMAT;
        }
        pos += len;
    }
    return SR_OK;
}

/* RFC 6184 5.8: the NAL header is rebuilt from the FU indicator's F/NRI and the FU
 * header's type; the fragments must come start, middles, end. */
static int sr_h264_depack_fu_a(sr_rtp_h264_depack_t *d, const uint8_t *p, size_t n)
{
    if (n < 2) {
        return -SR_EFORMAT;
    }
    uint8_t type = SR_H264_NAL_TYPE(p[1]);
    bool is_start = (p[1] & 0x80) != 0, is_end = (p[1] & 0x40) != 0;
    if (is_start == d->in_fu || (!is_start && type != d->fu_type) || !sr_h264_depack_is_nal_type(type) ||
        !sr_h264_depack_fits(d, n)) {
        return -SR_EFORMAT;
    }
    if (is_start) {
        d->in_fu = true;
        d->fu_type = type;
        d->fu_start = d->frame.len;
        sr_buf_put_be32(&d->frame, 0);
        sr_buf_put_u8(&d->frame, (uint8_t)((p[0] & 0xe0) | type));
    }
    sr_buf_put_bytes(&d->frame, p + 2, n - 2);
    if (is_end) {
        d->in_fu = false;
        sr_put_be32(d->frame.data + d->fu_start, (uint32_t)(d->frame.len - d->fu_start - SR_CODEC_NAL_LENGTH_BYTES));
    }
    return SR_OK;
}

static int sr_h264_depack_payload(sr_rtp_h264_depack_t *d, const uint8_t *p, size_t n)
{
    uint8_t type = SR_H264_NAL_TYPE(p[0]);
    if (type == SR_RTP_H264_FU_A) {
        return sr_h264_depack_fu_a(d, p, n);
    }
    if (d->in_fu) {
        return -SR_EFORMAT; /* a FU-A cut short */
    }
    if (sr_h264_depack_is_nal_type(type)) {
        return sr_h264_depack_nal(d, p, n);
    }
    if (type == SR_RTP_H264_STAP_A) {
        return sr_h264_depack_stap_a(d, p, n);
    }
    if (type >= SR_H264_STAP_B && type <= SR_H264_FU_B) {
        return -SR_EFORMAT; /* STAP-B, MTAP16/24, FU-B: packetization-mode 2 only */
    }
    return SR_OK; /* 0, 30, 31: undefined, ignored (RFC 6184 5.2) */
}

/* ==== finishing a frame ==== */

/* A record from the frame's SPS/PPS, or the current ones for a kind it lacks;
 * delivered with the next frame when it differs from the current. */
static void sr_h264_depack_config(sr_rtp_h264_depack_t *d, const sr_codec_param_sets_t *ps)
{
    sr_avc_config_t cur;
    bool has_cur = d->record.len > 0 && sr_avc_parse_config(d->record.data, d->record.len, &cur) == SR_OK;
    const sr_codec_nalu_t *sps = ps->sps, *pps = ps->pps;
    size_t nb_sps = ps->nb_sps, nb_pps = ps->nb_pps;
    if (nb_sps == 0 && has_cur) {
        sps = cur.sps;
        nb_sps = cur.nb_sps;
    }
    if (nb_pps == 0 && has_cur) {
        pps = cur.pps;
        nb_pps = cur.nb_pps;
    }
    size_t need = SR_H264_RECORD_OVERHEAD;
    for (size_t i = 0; i < nb_sps; i++) {
        need += 2 + sps[i].size;
    }
    for (size_t i = 0; i < nb_pps; i++) {
        need += 2 + pps[i].size;
    }
    sr_buf_reset(&d->scratch);
    sr_buf_reserve(&d->scratch, need);
    size_t n = 0;
    if (nb_sps == 0 || nb_pps == 0 ||
        sr_avc_config_write(sps, nb_sps, pps, nb_pps, d->scratch.data, d->scratch.cap, &n) != SR_OK) {
        d->stats.bad_param_sets++;
        return;
    }
    if (n == d->record.len && memcmp(d->scratch.data, d->record.data, n) == 0) {
        return;
    }
    sr_buf_t t = d->record;
    d->record = d->scratch;
    d->record.len = n;
    d->scratch = t;
    d->is_config_pending = true;
}

/* Take SPS/PPS out of the frame (into *ps, pointing into the frame) and drop AUD and
 * filler, compacting in place; tell whether an IDR is in it. */
static void sr_h264_depack_strip(sr_rtp_h264_depack_t *d, sr_codec_param_sets_t *ps, bool *has_idr)
{
    memset(ps, 0, sizeof(*ps));
    *has_idr = false;
    uint8_t *f = d->frame.data;
    size_t r = 0, w = 0;
    while (r < d->frame.len) {
        size_t len = sr_get_be32(f + r);
        size_t whole = SR_CODEC_NAL_LENGTH_BYTES + len;
        uint8_t type = SR_H264_NAL_TYPE(f[r + SR_CODEC_NAL_LENGTH_BYTES]);
        *has_idr = *has_idr || type == SR_AVC_NAL_IDR;
        if (type == SR_AVC_NAL_SPS && ps->nb_sps < SR_CODEC_MAX_PARAM_SETS) {
            ps->sps[ps->nb_sps++] = (sr_codec_nalu_t){f + r + SR_CODEC_NAL_LENGTH_BYTES, len};
        } else if (type == SR_AVC_NAL_PPS && ps->nb_pps < SR_CODEC_MAX_PARAM_SETS) {
            ps->pps[ps->nb_pps++] = (sr_codec_nalu_t){f + r + SR_CODEC_NAL_LENGTH_BYTES, len};
        }
        r += whole;
    }
    if (ps->nb_sps + ps->nb_pps > 0) {
        sr_h264_depack_config(d, ps); /* before compacting moves the bytes they point to */
    }
    for (r = 0; r < d->frame.len;) {
        size_t whole = SR_CODEC_NAL_LENGTH_BYTES + sr_get_be32(f + r);
        uint8_t type = SR_H264_NAL_TYPE(f[r + SR_CODEC_NAL_LENGTH_BYTES]);
        bool is_kept = !(SR_AVC_NAL_CONFIG_TYPES & SR_NAL_TYPE_BIT(type)) && type != SR_H264_NAL_FILLER;
        if (is_kept && w != r) {
            memmove(f + w, f + r, whole);
        }
        w += is_kept ? whole : 0;
        r += whole;
    }
    d->frame.len = w;
}

static void sr_h264_depack_finish(sr_rtp_h264_depack_t *d)
{
    d->in_frame = false;
    if (d->is_broken || d->in_fu) {
        d->stats.dropped_broken++;
        d->need_keyframe = true;
        return;
    }
    sr_codec_param_sets_t ps;
    bool has_idr;
    sr_h264_depack_strip(d, &ps, &has_idr);
    if (d->frame.len == 0) {
        return; /* parameter sets only: they wait for the frame they describe */
    }
    if (d->record.len == 0 || (d->need_keyframe && !has_idr)) {
        d->stats.dropped_waiting++;
        return;
    }
    d->need_keyframe = false;
    sr_rtp_h264_frame_t f = {d->frame.data, d->frame.len, d->frame_ts, has_idr, NULL, 0};
    if (d->is_config_pending) {
        f.config = d->record.data;
        f.config_size = d->record.len;
        d->is_config_pending = false;
        d->stats.configs++;
    }
    d->stats.frames++;
    d->on_frame(d->arg, &f);
}

/* In sequence order from the reorder buffer. */
static void sr_h264_depack_on_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    sr_rtp_h264_depack_t *d = arg;
    if (lost > 0) {
        d->need_keyframe = true;
        d->is_broken = d->is_broken || d->in_frame;
        /* unless the packet continues the frame, the lost ones may be the next frame's head */
        d->next_broken = d->next_broken || !d->in_frame || pkt->ts != d->frame_ts || pkt->payload_size == 0;
    }
    if (pkt->payload_size == 0) {
        return;
    }
    if (d->in_frame && pkt->ts != d->frame_ts) {
        sr_h264_depack_finish(d); /* its marker never came: a sender that sets none */
    }
    if (!d->in_frame) {
        d->in_frame = true;
        d->frame_ts = pkt->ts;
        d->is_broken = d->next_broken;
        d->next_broken = false;
        d->in_fu = false;
        sr_buf_reset(&d->frame);
    }
    if (!d->is_broken && sr_h264_depack_payload(d, pkt->payload, pkt->payload_size) != SR_OK) {
        d->stats.malformed++;
        d->is_broken = true;
    }
    if (pkt->is_marker) {
        sr_h264_depack_finish(d);
    }
}

void sr_rtp_h264_depack_push(sr_rtp_h264_depack_t *d, const sr_rtp_packet_t *pkt, int64_t now_us)
{
    sr_rtp_reorder_push(d->reorder, pkt, now_us);
}

void sr_rtp_h264_depack_tick(sr_rtp_h264_depack_t *d, int64_t now_us)
{
    sr_rtp_reorder_tick(d->reorder, now_us);
}

void sr_rtp_h264_depack_flush(sr_rtp_h264_depack_t *d)
{
    sr_rtp_reorder_flush(d->reorder);
    if (d->in_frame) {
        d->in_frame = false;
        d->stats.dropped_broken++;
        d->need_keyframe = true;
    }
}

bool sr_rtp_h264_depack_need_keyframe(const sr_rtp_h264_depack_t *d)
{
    return d->need_keyframe;
}

sr_rtp_reorder_t *sr_rtp_h264_depack_reorder(sr_rtp_h264_depack_t *d)
{
    return d->reorder;
}

const sr_rtp_h264_stats_t *sr_rtp_h264_depack_stats(const sr_rtp_h264_depack_t *d)
{
    return &d->stats;
}
