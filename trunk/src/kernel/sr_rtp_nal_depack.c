/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_nal_depack.c: the H.264 (RFC 6184 packetization-mode 1) and H.265 (RFC 7798,
 * no DONL) RTP depacketizer. Packets go through a reorder buffer (sr_rtp_reorder.c); in
 * order, they are assembled into frames by RTP timestamp (the marker, or a new
 * timestamp, ends one), aggregation packets (STAP-A, AP) split and fragments (FU-A, FU)
 * joined into canonical frames. The parameter sets seen in-band leave the frame and
 * become a decoder configuration record when they change, as the MPEG-TS demuxer does.
 * A loss breaks the frame it falls in (and the one starting right after it, whose head
 * may be what was lost) and makes every frame wait for the next keyframe, since later
 * frames reference what was lost. What differs between the two formats is in
 * sr_rtp_nal_internal.h. Not for packetizing (sr_rtp_nal_pack.c), H.264 modes 0/2,
 * H.265 DONL, or concealment.
 */
#include "sr_rtp_nal.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_rtp_nal_internal.h"

#define SR_H264_STAP_B 25
#define SR_H264_FU_B 29
/* What a record may hold beyond the NAL units: header, counts, lengths, arrays. */
#define SR_NAL_RECORD_OVERHEAD 48

struct sr_rtp_nal_depack {
    const sr_nal_format_t *f;
    sr_rtp_reorder_t *reorder;
    sr_rtp_nal_frame_fn on_frame;
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
    sr_rtp_nal_stats_t stats;
};

static void sr_nal_depack_on_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost);

sr_rtp_nal_depack_t *sr_rtp_nal_depack_new(sr_codec_id_t codec, size_t window, int64_t max_delay_us,
                                           sr_rtp_nal_frame_fn on_frame, void *arg)
{
    const sr_nal_format_t *f = sr_nal_format_of(codec);
    if (!f) {
        return NULL;
    }
    sr_rtp_nal_depack_t *d = SR_NEW(sr_rtp_nal_depack_t);
    d->f = f;
    d->reorder = sr_rtp_reorder_new(window, max_delay_us, sr_nal_depack_on_packet, d);
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

void sr_rtp_nal_depack_free(sr_rtp_nal_depack_t *d)
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

int sr_rtp_nal_depack_set_config(sr_rtp_nal_depack_t *d, const uint8_t *record, size_t size)
{
    sr_avc_config_t avc;
    sr_hevc_config_t hevc;
    bool is_avc = d->f->codec == SR_CODEC_H264;
    int rc = is_avc ? sr_avc_parse_config(record, size, &avc) : sr_hevc_parse_config(record, size, &hevc);
    if (rc != SR_OK) {
        return rc;
    }
    if ((is_avc ? avc.nal_length_size : hevc.nal_length_size) != SR_CODEC_NAL_LENGTH_BYTES) {
        return -SR_EFORMAT; /* frames here are canonical: 4-byte lengths */
    }
    sr_buf_reset(&d->record);
    sr_buf_put_bytes(&d->record, record, size);
    d->is_config_pending = true;
    return SR_OK;
}

/* ==== assembling a frame ==== */

static bool sr_nal_depack_fits(const sr_rtp_nal_depack_t *d, size_t n)
{
    return n <= SR_RTP_NAL_MAX_FRAME_BYTES - SR_CODEC_NAL_LENGTH_BYTES - d->frame.len;
}

static int sr_nal_depack_nal(sr_rtp_nal_depack_t *d, const uint8_t *nal, size_t n)
{
    if (n < d->f->header_bytes || !sr_nal_depack_fits(d, n)) {
        return -SR_EFORMAT;
    }
    if (!sr_nal_is_nal_type(d->f, sr_nal_type(d->f, nal[0]))) {
        return SR_OK; /* in an aggregation: skipped like a top-level one */
    }
    sr_buf_put_be32(&d->frame, (uint32_t)n);
    sr_buf_put_bytes(&d->frame, nal, n);
    return SR_OK;
}

/* RFC 6184 5.7.1 STAP-A, RFC 7798 4.4.2 AP: the payload header, then 16-bit size and
 * NAL unit, repeated; at least one. */
static int sr_nal_depack_aggregation(sr_rtp_nal_depack_t *d, const uint8_t *p, size_t n)
{
    size_t pos = d->f->header_bytes;
    if (n <= pos) {
        return -SR_EFORMAT;
    }
    while (pos < n) {
        if (n - pos < 2) {
            return -SR_EFORMAT;
        }
        size_t len = sr_get_be16(p + pos);
        pos += 2;
        if (len > n - pos || sr_nal_depack_nal(d, p + pos, len) != SR_OK) {
            return -SR_EFORMAT;
        }
        pos += len;
    }
    return SR_OK;
}

/* RFC 6184 5.8 FU-A, RFC 7798 4.4.3 FU: the payload header, the FU header (S, E,
 * type), then the fragment; the NAL header is rebuilt from the payload header with the
 * FU header's type. The fragments must come start, middles, end. */
static int sr_nal_depack_fragment(sr_rtp_nal_depack_t *d, const uint8_t *p, size_t n)
{
    size_t hb = d->f->header_bytes;
    if (n < hb + 1) {
        return -SR_EFORMAT;
    }
    uint8_t fu = p[hb];
    uint8_t type = fu & d->f->type_mask;
    bool is_start = (fu & 0x80) != 0, is_end = (fu & 0x40) != 0;
    if (is_start == d->in_fu || (!is_start && type != d->fu_type) || !sr_nal_is_nal_type(d->f, type) ||
        !sr_nal_depack_fits(d, n)) {
        return -SR_EFORMAT;
    }
    if (is_start) {
        d->in_fu = true;
        d->fu_type = type;
        d->fu_start = d->frame.len;
        sr_buf_put_be32(&d->frame, 0);
        if (d->f->codec == SR_CODEC_H264) {
            sr_buf_put_u8(&d->frame, (uint8_t)((p[0] & 0xe0) | type)); /* F, NRI */
        } else {
            sr_buf_put_u8(&d->frame, (uint8_t)((p[0] & 0x81) | (type << 1))); /* F, layer id's top bit */
            sr_buf_put_u8(&d->frame, p[1]);                                   /* layer id, TID */
        }
    }
    sr_buf_put_bytes(&d->frame, p + hb + 1, n - hb - 1);
    if (is_end) {
        d->in_fu = false;
        sr_put_be32(d->frame.data + d->fu_start, (uint32_t)(d->frame.len - d->fu_start - SR_CODEC_NAL_LENGTH_BYTES));
    }
    return SR_OK;
}

static int sr_nal_depack_payload(sr_rtp_nal_depack_t *d, const uint8_t *p, size_t n)
{
    const sr_nal_format_t *f = d->f;
    if (n < f->header_bytes) {
        return -SR_EFORMAT;
    }
    uint8_t type = sr_nal_type(f, p[0]);
    if (type == f->fragment) {
        return sr_nal_depack_fragment(d, p, n);
    }
    if (d->in_fu) {
        return -SR_EFORMAT; /* a fragmented unit cut short */
    }
    if (sr_nal_is_nal_type(f, type)) {
        return sr_nal_depack_nal(d, p, n);
    }
    if (type == f->aggregation) {
        return sr_nal_depack_aggregation(d, p, n);
    }
    if (f->codec == SR_CODEC_H264 && type >= SR_H264_STAP_B && type <= SR_H264_FU_B) {
        return -SR_EFORMAT; /* STAP-B, MTAP16/24, FU-B: packetization-mode 2 only */
    }
    return SR_OK; /* undefined types (H.264 0, 30, 31; H.265 PACI 50 and 51..63): ignored */
}

/* ==== finishing a frame ==== */

/* The parameter sets of kind k (0 VPS, 1 SPS, 2 PPS) in ps, or those of the current
 * record when the frame has none of that kind. */
static void sr_nal_depack_sets(const sr_codec_param_sets_t *ps, const sr_codec_param_sets_t *cur, int k,
                               const sr_codec_nalu_t **sets, size_t *nb)
{
    const sr_codec_nalu_t *lists[] = {ps->vps, ps->sps, ps->pps, cur->vps, cur->sps, cur->pps};
    size_t counts[] = {ps->nb_vps, ps->nb_sps, ps->nb_pps, cur->nb_vps, cur->nb_sps, cur->nb_pps};
    bool has_own = counts[k] > 0;
    *sets = lists[has_own ? k : k + 3];
    *nb = counts[has_own ? k : k + 3];
}

/* The parameter sets of the current record into *cur (pointing into it); false when none. */
static bool sr_nal_depack_current(const sr_rtp_nal_depack_t *d, sr_codec_param_sets_t *cur)
{
    memset(cur, 0, sizeof(*cur));
    if (d->record.len == 0) {
        return false;
    }
    if (d->f->codec == SR_CODEC_H264) {
        sr_avc_config_t c;
        if (sr_avc_parse_config(d->record.data, d->record.len, &c) != SR_OK) {
            return false;
        }
        cur->nb_sps = c.nb_sps;
        cur->nb_pps = c.nb_pps;
        memcpy(cur->sps, c.sps, sizeof(c.sps));
        memcpy(cur->pps, c.pps, sizeof(c.pps));
        return true;
    }
    sr_hevc_config_t c;
    if (sr_hevc_parse_config(d->record.data, d->record.len, &c) != SR_OK) {
        return false;
    }
    cur->nb_vps = c.nb_vps;
    cur->nb_sps = c.nb_sps;
    cur->nb_pps = c.nb_pps;
    memcpy(cur->vps, c.vps, sizeof(c.vps));
    memcpy(cur->sps, c.sps, sizeof(c.sps));
    memcpy(cur->pps, c.pps, sizeof(c.pps));
    return true;
}

/* A record from the frame's parameter sets, or the current ones for a kind it lacks;
 * delivered with the next frame when it differs from the current. */
static void sr_nal_depack_config(sr_rtp_nal_depack_t *d, const sr_codec_param_sets_t *ps)
{
    sr_codec_param_sets_t cur;
    sr_nal_depack_current(d, &cur);
    const sr_codec_nalu_t *sets[3];
    size_t nb[3], need = SR_NAL_RECORD_OVERHEAD;
    for (int k = 0; k < 3; k++) {
        sr_nal_depack_sets(ps, &cur, k, &sets[k], &nb[k]);
        for (size_t i = 0; i < nb[k]; i++) {
            need += 3 + sets[k][i].size;
        }
    }
    sr_buf_reset(&d->scratch);
    sr_buf_reserve(&d->scratch, need);
    size_t n = 0;
    bool is_avc = d->f->codec == SR_CODEC_H264;
    int rc = nb[1] == 0 || nb[2] == 0 || (!is_avc && nb[0] == 0) ? -SR_EFORMAT
             : is_avc ? sr_avc_config_write(sets[1], nb[1], sets[2], nb[2], d->scratch.data, d->scratch.cap, &n)
                      : sr_hevc_config_write(sets[0], nb[0], sets[1], nb[1], sets[2], nb[2], d->scratch.data,
                                             d->scratch.cap, &n);
    if (rc != SR_OK) {
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

/* Take the parameter sets out of the frame (into *ps, pointing into the frame) and drop
 * AUD and filler, compacting in place; tell whether a keyframe picture is in it. */
static void sr_nal_depack_strip(sr_rtp_nal_depack_t *d, sr_codec_param_sets_t *ps, bool *has_key)
{
    const sr_nal_format_t *fm = d->f;
    memset(ps, 0, sizeof(*ps));
    *has_key = false;
    uint8_t *f = d->frame.data;
    size_t r = 0, w = 0;
    while (r < d->frame.len) {
        size_t len = sr_get_be32(f + r);
        size_t whole = SR_CODEC_NAL_LENGTH_BYTES + len;
        const uint8_t *nal = f + r + SR_CODEC_NAL_LENGTH_BYTES;
        uint8_t type = sr_nal_type(fm, nal[0]);
        *has_key = *has_key || (type >= fm->key_first && type <= fm->key_last);
        uint8_t *nb = type == fm->vps   ? &ps->nb_vps
                      : type == fm->sps ? &ps->nb_sps
                      : type == fm->pps ? &ps->nb_pps
                                        : NULL;
        sr_codec_nalu_t *list = type == fm->vps ? ps->vps : type == fm->sps ? ps->sps : ps->pps;
        if (nb && *nb < SR_CODEC_MAX_PARAM_SETS) {
            list[(*nb)++] = (sr_codec_nalu_t){nal, len};
        }
        r += whole;
    }
    if (ps->nb_vps + ps->nb_sps + ps->nb_pps > 0) {
        sr_nal_depack_config(d, ps); /* before compacting moves the bytes they point to */
    }
    for (r = 0; r < d->frame.len;) {
        size_t whole = SR_CODEC_NAL_LENGTH_BYTES + sr_get_be32(f + r);
        uint8_t type = sr_nal_type(fm, f[r + SR_CODEC_NAL_LENGTH_BYTES]);
        bool is_kept = !(fm->drop_types & SR_NAL_TYPE_BIT(type));
        if (is_kept && w != r) {
            memmove(f + w, f + r, whole);
        }
        w += is_kept ? whole : 0;
        r += whole;
    }
    d->frame.len = w;
}

static void sr_nal_depack_finish(sr_rtp_nal_depack_t *d)
{
    d->in_frame = false;
    if (d->is_broken || d->in_fu) {
        d->stats.dropped_broken++;
        d->need_keyframe = true;
        return;
    }
    sr_codec_param_sets_t ps;
    bool has_idr;
    sr_nal_depack_strip(d, &ps, &has_idr);
    if (d->frame.len == 0) {
        return; /* parameter sets only: they wait for the frame they describe */
    }
    if (d->record.len == 0 || (d->need_keyframe && !has_idr)) {
        d->stats.dropped_waiting++;
        return;
    }
    d->need_keyframe = false;
    sr_rtp_nal_frame_t f = {d->frame.data, d->frame.len, d->frame_ts, has_idr, NULL, 0};
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
static void sr_nal_depack_on_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    sr_rtp_nal_depack_t *d = arg;
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
        sr_nal_depack_finish(d); /* its marker never came: a sender that sets none */
    }
    if (!d->in_frame) {
        d->in_frame = true;
        d->frame_ts = pkt->ts;
        d->is_broken = d->next_broken;
        d->next_broken = false;
        d->in_fu = false;
        sr_buf_reset(&d->frame);
    }
    if (!d->is_broken && sr_nal_depack_payload(d, pkt->payload, pkt->payload_size) != SR_OK) {
        d->stats.malformed++;
        d->is_broken = true;
    }
    if (pkt->is_marker) {
        sr_nal_depack_finish(d);
    }
}

void sr_rtp_nal_depack_push(sr_rtp_nal_depack_t *d, const sr_rtp_packet_t *pkt, int64_t now_us)
{
    sr_rtp_reorder_push(d->reorder, pkt, now_us);
}

void sr_rtp_nal_depack_tick(sr_rtp_nal_depack_t *d, int64_t now_us)
{
    sr_rtp_reorder_tick(d->reorder, now_us);
}

void sr_rtp_nal_depack_flush(sr_rtp_nal_depack_t *d)
{
    sr_rtp_reorder_flush(d->reorder);
    if (d->in_frame) {
        d->in_frame = false;
        d->stats.dropped_broken++;
        d->need_keyframe = true;
    }
}

bool sr_rtp_nal_depack_need_keyframe(const sr_rtp_nal_depack_t *d)
{
    return d->need_keyframe;
}

sr_rtp_reorder_t *sr_rtp_nal_depack_reorder(sr_rtp_nal_depack_t *d)
{
    return d->reorder;
}

const sr_rtp_nal_stats_t *sr_rtp_nal_depack_stats(const sr_rtp_nal_depack_t *d)
{
    return &d->stats;
}
