/* SPDX-License-Identifier: MIT */
/*
 * sr_rtcp.c: compound RTCP packets (RFC 3550 6), the sender and receiver reports and
 * the receive statistics behind them (A.3, A.8), SDES CNAME, BYE, and the feedback
 * messages a WebRTC server sends and receives: generic NACK and PLI (RFC 4585), FIR
 * (RFC 5104) and REMB. Not for TWCC (sr_rtcp_twcc.c), SDES items other than CNAME, APP
 * or XR bodies (the iterator hands them over, nothing reads them).
 */
#include "sr_rtcp.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_error.h"

#define SR_RTCP_VERSION 2
#define SR_RTCP_REPORT_BYTES 24
#define SR_RTCP_SR_INFO_BYTES 24                     /* sender SSRC, NTP, RTP ts, packet and octet counts */
#define SR_RTCP_FB_BYTES 8                           /* sender and media SSRC */
#define SR_RTCP_NTP_UNIX_OFFSET UINT64_C(2208988800) /* seconds from 1900 to 1970 */
#define SR_RTCP_SDES_CNAME 1
#define SR_RTCP_NACK_BLP_BITS 16
#define SR_RTCP_REMB_ID 0x52454d42 /* "REMB" */
#define SR_RTCP_REMB_MANTISSA_BITS 18
#define SR_RTCP_LOST_MAX 0x7fffff /* cumulative lost, 24 bits signed */
#define SR_RTCP_LOST_MIN (-0x800000)
#define SR_US_PER_S 1000000
#define SR_RTCP_JITTER_MAX_STEP 0x0fffffff

/* ==== compound packets ==== */

void sr_rtcp_iter_init(sr_rtcp_iter_t *it, const uint8_t *data, size_t size)
{
    it->data = data;
    it->size = size;
    it->pos = 0;
}

static int sr_rtcp_stop(sr_rtcp_iter_t *it, int rc)
{
    it->pos = it->size;
    return rc;
}

int sr_rtcp_next(sr_rtcp_iter_t *it, sr_rtcp_packet_t *pkt)
{
    memset(pkt, 0, sizeof(*pkt));
    if (it->pos >= it->size) {
        return -SR_ENOT_FOUND;
    }
    const uint8_t *p = it->data + it->pos;
    size_t left = it->size - it->pos;
    if (left < SR_RTCP_HEADER_BYTES) {
        return sr_rtcp_stop(it, -SR_ETRUNCATED);
    }
    if ((p[0] >> 6) != SR_RTCP_VERSION) {
        return sr_rtcp_stop(it, -SR_EFORMAT);
    }
    size_t size = ((size_t)sr_get_be16(p + 2) + 1) * 4;
    if (size > left) {
        return sr_rtcp_stop(it, -SR_ETRUNCATED);
    }
    size_t body_size = size - SR_RTCP_HEADER_BYTES;
    if (p[0] & 0x20) {
        uint8_t pad = p[size - 1];
        if (pad == 0 || pad > body_size) {
            return sr_rtcp_stop(it, -SR_EFORMAT);
        }
        body_size -= pad;
    }
    pkt->pt = p[1];
    pkt->count = p[0] & 0x1f;
    pkt->data = p;
    pkt->size = size;
    pkt->body = p + SR_RTCP_HEADER_BYTES;
    pkt->body_size = body_size;
    pkt->ssrc = body_size >= 4 ? sr_get_be32(pkt->body) : 0;
    it->pos += size;
    return SR_OK;
}

/* The 4-byte header of a packet of size bytes (a multiple of 4). */
static void sr_rtcp_put_header(uint8_t *out, uint8_t pt, uint8_t count, size_t size, bool has_padding)
{
    out[0] = (uint8_t)((SR_RTCP_VERSION << 6) | (has_padding ? 0x20 : 0) | count);
    out[1] = pt;
    sr_put_be16(out + 2, (uint16_t)(size / 4 - 1));
}

/* Check cap for a packet of size bytes and set *written; size must fit the 16-bit
 * length field. */
static int sr_rtcp_reserve(size_t size, size_t cap, size_t *written)
{
    *written = 0;
    if (size / 4 - 1 > UINT16_MAX || size > cap) {
        return -SR_EOVERFLOW;
    }
    *written = size;
    return SR_OK;
}

/* ==== sender and receiver reports ==== */

static void sr_rtcp_get_report(const uint8_t *p, sr_rtcp_report_t *r)
{
    r->ssrc = sr_get_be32(p);
    r->fraction_lost = p[4];
    uint32_t lost = sr_get_be24(p + 5);
    r->cumulative_lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    r->ext_highest_seq = sr_get_be32(p + 8);
    r->jitter = sr_get_be32(p + 12);
    r->lsr = sr_get_be32(p + 16);
    r->dlsr = sr_get_be32(p + 20);
}

static void sr_rtcp_put_report(uint8_t *p, const sr_rtcp_report_t *r)
{
    int32_t lost = r->cumulative_lost;
    lost = lost > SR_RTCP_LOST_MAX ? SR_RTCP_LOST_MAX : lost < SR_RTCP_LOST_MIN ? SR_RTCP_LOST_MIN : lost;
    sr_put_be32(p, r->ssrc);
    p[4] = r->fraction_lost;
    sr_put_be24(p + 5, (uint32_t)lost & 0xffffff);
    sr_put_be32(p + 8, r->ext_highest_seq);
    sr_put_be32(p + 12, r->jitter);
    sr_put_be32(p + 16, r->lsr);
    sr_put_be32(p + 20, r->dlsr);
}

int sr_rtcp_parse_sr(const sr_rtcp_packet_t *pkt, sr_rtcp_sr_t *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->pt != SR_RTCP_SR) {
        return -SR_EFORMAT;
    }
    const uint8_t *b = pkt->body;
    if (pkt->body_size < SR_RTCP_SR_INFO_BYTES + (size_t)pkt->count * SR_RTCP_REPORT_BYTES) {
        return -SR_ETRUNCATED;
    }
    out->ssrc = sr_get_be32(b);
    out->ntp = ((uint64_t)sr_get_be32(b + 4) << 32) | sr_get_be32(b + 8);
    out->rtp_ts = sr_get_be32(b + 12);
    out->packet_count = sr_get_be32(b + 16);
    out->octet_count = sr_get_be32(b + 20);
    out->nb_reports = pkt->count;
    for (unsigned i = 0; i < pkt->count; i++) {
        sr_rtcp_get_report(b + SR_RTCP_SR_INFO_BYTES + i * SR_RTCP_REPORT_BYTES, &out->reports[i]);
    }
    return SR_OK;
}

int sr_rtcp_parse_rr(const sr_rtcp_packet_t *pkt, sr_rtcp_rr_t *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->pt != SR_RTCP_RR) {
        return -SR_EFORMAT;
    }
    if (pkt->body_size < 4 + (size_t)pkt->count * SR_RTCP_REPORT_BYTES) {
        return -SR_ETRUNCATED;
    }
    out->ssrc = sr_get_be32(pkt->body);
    out->nb_reports = pkt->count;
    for (unsigned i = 0; i < pkt->count; i++) {
        sr_rtcp_get_report(pkt->body + 4 + i * SR_RTCP_REPORT_BYTES, &out->reports[i]);
    }
    return SR_OK;
}

int sr_rtcp_write_sr(const sr_rtcp_sr_t *sr, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    if (sr->nb_reports > SR_RTCP_MAX_REPORTS) {
        return -SR_EINVAL;
    }
    size_t size = SR_RTCP_HEADER_BYTES + SR_RTCP_SR_INFO_BYTES + (size_t)sr->nb_reports * SR_RTCP_REPORT_BYTES;
    int rc = sr_rtcp_reserve(size, cap, written);
    if (rc != SR_OK) {
        return rc;
    }
    sr_rtcp_put_header(out, SR_RTCP_SR, sr->nb_reports, size, false);
    sr_put_be32(out + 4, sr->ssrc);
    sr_put_be32(out + 8, (uint32_t)(sr->ntp >> 32));
    sr_put_be32(out + 12, (uint32_t)sr->ntp);
    sr_put_be32(out + 16, sr->rtp_ts);
    sr_put_be32(out + 20, sr->packet_count);
    sr_put_be32(out + 24, sr->octet_count);
    for (unsigned i = 0; i < sr->nb_reports; i++) {
        sr_rtcp_put_report(out + 28 + i * SR_RTCP_REPORT_BYTES, &sr->reports[i]);
    }
    return SR_OK;
}

int sr_rtcp_write_rr(const sr_rtcp_rr_t *rr, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    if (rr->nb_reports > SR_RTCP_MAX_REPORTS) {
        return -SR_EINVAL;
    }
    size_t size = SR_RTCP_HEADER_BYTES + 4 + (size_t)rr->nb_reports * SR_RTCP_REPORT_BYTES;
    int rc = sr_rtcp_reserve(size, cap, written);
    if (rc != SR_OK) {
        return rc;
    }
    sr_rtcp_put_header(out, SR_RTCP_RR, rr->nb_reports, size, false);
    sr_put_be32(out + 4, rr->ssrc);
    for (unsigned i = 0; i < rr->nb_reports; i++) {
        sr_rtcp_put_report(out + 8 + i * SR_RTCP_REPORT_BYTES, &rr->reports[i]);
    }
    return SR_OK;
}

/* ==== NTP time and round trips ==== */

uint64_t sr_rtcp_ntp_from_us(int64_t unix_us)
{
    int64_t secs = unix_us / SR_US_PER_S;
    int64_t us = unix_us % SR_US_PER_S;
    if (us < 0) {
        secs--;
        us += SR_US_PER_S;
    }
    uint64_t frac = ((uint64_t)us << 32) / SR_US_PER_S;
    return ((uint64_t)(secs + (int64_t)SR_RTCP_NTP_UNIX_OFFSET) << 32) | frac;
}

int64_t sr_rtcp_ntp_to_us(uint64_t ntp)
{
    int64_t secs = (int64_t)(ntp >> 32) - (int64_t)SR_RTCP_NTP_UNIX_OFFSET;
    int64_t us = (int64_t)((((ntp & 0xffffffff) * SR_US_PER_S) + (UINT64_C(1) << 31)) >> 32);
    return secs * SR_US_PER_S + us;
}

uint32_t sr_rtcp_dlsr_from_us(int64_t us)
{
    if (us <= 0) {
        return 0;
    }
    if (us / SR_US_PER_S > UINT16_MAX) {
        return UINT32_MAX; /* 65536 s and more: past what 16.16 fixed point holds */
    }
    return (uint32_t)(((uint64_t)us << 16) / SR_US_PER_S);
}

int64_t sr_rtcp_rtt_us(uint64_t now_ntp, uint32_t lsr, uint32_t dlsr)
{
    if (lsr == 0) {
        return -1;
    }
    int32_t rtt = (int32_t)(sr_rtcp_ntp_mid32(now_ntp) - lsr - dlsr);
    if (rtt < 0) {
        return -1;
    }
    return ((int64_t)rtt * SR_US_PER_S) >> 16;
}

/* ==== receive statistics ==== */

void sr_rtcp_rx_stats_init(sr_rtcp_rx_stats_t *s, uint32_t clock_rate)
{
    memset(s, 0, sizeof(*s));
    s->clock_rate = clock_rate;
}

/* The arrival time in the media clock, mod 2^32 (only differences are used). */
static uint32_t sr_rtcp_rx_clock(const sr_rtcp_rx_stats_t *s, int64_t arrival_us)
{
    int64_t secs = arrival_us / SR_US_PER_S;
    int64_t us = arrival_us % SR_US_PER_S;
    return (uint32_t)((uint64_t)secs * s->clock_rate + (uint64_t)(us * s->clock_rate / SR_US_PER_S));
}

void sr_rtcp_rx_stats_update(sr_rtcp_rx_stats_t *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us)
{
    uint32_t transit = sr_rtcp_rx_clock(s, arrival_us) - rtp_ts;
    s->received++;
    if (!s->is_started) {
        s->is_started = true;
        s->last_seq = s->base_seq = s->max_seq = seq;
        s->transit = transit;
        s->last_ts = rtp_ts;
        return;
    }
    int64_t ext = s->last_seq + (int16_t)(uint16_t)(seq - (uint16_t)s->last_seq);
    s->last_seq = ext;
    if (ext <= s->max_seq) {
        return;
    }
    s->max_seq = ext;
    if (rtp_ts != s->last_ts) {
        /* A.8: J += (|D| - J) / 16, kept times 16 */
        int32_t d = (int32_t)(transit - s->transit);
        uint32_t abs_d = d < 0 ? (uint32_t) - (int64_t)d : (uint32_t)d;
        abs_d = abs_d > SR_RTCP_JITTER_MAX_STEP ? SR_RTCP_JITTER_MAX_STEP : abs_d; /* J * 16 stays in 32 bits */
        s->jitter_q4 += abs_d - ((s->jitter_q4 + 8) >> 4);
        s->transit = transit;
        s->last_ts = rtp_ts;
    }
}

void sr_rtcp_rx_stats_report(sr_rtcp_rx_stats_t *s, uint32_t ssrc, uint32_t lsr, uint32_t dlsr, sr_rtcp_report_t *out)
{
    memset(out, 0, sizeof(*out));
    out->ssrc = ssrc;
    out->lsr = lsr;
    out->dlsr = dlsr;
    if (!s->is_started) {
        return;
    }
    int64_t expected = s->max_seq - s->base_seq + 1;
    int64_t lost = expected - (int64_t)s->received;
    out->cumulative_lost = (int32_t)(lost > SR_RTCP_LOST_MAX   ? SR_RTCP_LOST_MAX
                                     : lost < SR_RTCP_LOST_MIN ? SR_RTCP_LOST_MIN
                                                               : lost);
    out->ext_highest_seq = (uint32_t)s->max_seq;
    out->jitter = s->jitter_q4 >> 4;
    /* A.3: the fraction over the interval since the previous report */
    int64_t expected_interval = (int64_t)(uint32_t)((uint32_t)expected - s->expected_prior);
    int64_t lost_interval = expected_interval - (int64_t)(uint32_t)(s->received - s->received_prior);
    s->expected_prior = (uint32_t)expected;
    s->received_prior = s->received;
    if (expected_interval > 0 && lost_interval > 0) {
        out->fraction_lost = (uint8_t)((lost_interval << 8) / expected_interval);
    }
}

/* ==== SDES and BYE ==== */

int sr_rtcp_write_sdes_cname(uint32_t ssrc, const char *cname, size_t cname_size, uint8_t *out, size_t cap,
                             size_t *written)
{
    *written = 0;
    if (cname_size == 0 || cname_size > UINT8_MAX) {
        return -SR_EINVAL;
    }
    /* chunk: SSRC, CNAME item, then at least one null octet up to a 4-byte boundary */
    size_t chunk = (4 + 2 + cname_size + 1 + 3) / 4 * 4;
    size_t size = SR_RTCP_HEADER_BYTES + chunk;
    int rc = sr_rtcp_reserve(size, cap, written);
    if (rc != SR_OK) {
        return rc;
    }
    memset(out, 0, size);
    sr_rtcp_put_header(out, SR_RTCP_SDES, 1, size, false);
    sr_put_be32(out + 4, ssrc);
    out[8] = SR_RTCP_SDES_CNAME;
    out[9] = (uint8_t)cname_size;
    memcpy(out + 10, cname, cname_size);
    return SR_OK;
}

int sr_rtcp_parse_bye(const sr_rtcp_packet_t *pkt, sr_rtcp_bye_t *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->pt != SR_RTCP_BYE) {
        return -SR_EFORMAT;
    }
    size_t list = (size_t)pkt->count * 4;
    if (pkt->body_size < list) {
        return -SR_ETRUNCATED;
    }
    out->nb_ssrc = pkt->count;
    for (unsigned i = 0; i < pkt->count; i++) {
        out->ssrc[i] = sr_get_be32(pkt->body + i * 4);
    }
    if (pkt->body_size > list) {
        size_t len = pkt->body[list];
        if (pkt->body_size - list - 1 < len) {
            return -SR_ETRUNCATED;
        }
        out->reason = pkt->body + list + 1;
        out->reason_size = len;
    }
    return SR_OK;
}

/* ==== feedback ==== */

int sr_rtcp_parse_fb(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->pt != SR_RTCP_RTPFB && pkt->pt != SR_RTCP_PSFB) {
        return -SR_EFORMAT;
    }
    if (pkt->body_size < SR_RTCP_FB_BYTES) {
        return -SR_ETRUNCATED;
    }
    out->sender_ssrc = sr_get_be32(pkt->body);
    out->media_ssrc = sr_get_be32(pkt->body + 4);
    return SR_OK;
}

/* The common header of a feedback packet of type pt and FMT fmt. */
static int sr_rtcp_parse_fb_of(const sr_rtcp_packet_t *pkt, uint8_t pt, uint8_t fmt, sr_rtcp_fb_t *fb)
{
    if (pkt->pt != pt || pkt->count != fmt) {
        memset(fb, 0, sizeof(*fb));
        return -SR_EFORMAT;
    }
    return sr_rtcp_parse_fb(pkt, fb);
}

/* Start a feedback packet of size bytes: header and both SSRCs. */
static int sr_rtcp_put_fb(uint8_t pt, uint8_t fmt, uint32_t sender_ssrc, uint32_t media_ssrc, size_t size, uint8_t *out,
                          size_t cap, size_t *written)
{
    int rc = sr_rtcp_reserve(size, cap, written);
    if (rc != SR_OK) {
        return rc;
    }
    sr_rtcp_put_header(out, pt, fmt, size, false);
    sr_put_be32(out + 4, sender_ssrc);
    sr_put_be32(out + 8, media_ssrc);
    return SR_OK;
}

int sr_rtcp_parse_nack(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb, uint16_t *seqs, size_t max, size_t *nb)
{
    *nb = 0;
    int rc = sr_rtcp_parse_fb_of(pkt, SR_RTCP_RTPFB, SR_RTCP_RTPFB_NACK, fb);
    if (rc != SR_OK) {
        return rc;
    }
    size_t fci = pkt->body_size - SR_RTCP_FB_BYTES;
    if (fci < 4) {
        return -SR_ETRUNCATED;
    }
    /* RFC 4585 6.2.1: PID, then bit i of BLP names PID + i + 1 */
    for (size_t off = SR_RTCP_FB_BYTES; off + 4 <= pkt->body_size; off += 4) {
        uint16_t pid = sr_get_be16(pkt->body + off);
        uint16_t blp = sr_get_be16(pkt->body + off + 2);
        for (unsigned bit = 0; bit <= SR_RTCP_NACK_BLP_BITS; bit++) {
            if (bit > 0 && !(blp & (1u << (bit - 1)))) {
                continue;
            }
            if (*nb == max) {
                return -SR_EOVERFLOW;
            }
            seqs[(*nb)++] = (uint16_t)(pid + bit);
        }
    }
    return SR_OK;
}

/* PID/BLP pairs for seqs; writes them at out when out is not NULL. */
static size_t sr_rtcp_nack_pairs(const uint16_t *seqs, size_t nb, uint8_t *out)
{
    size_t pairs = 0;
    uint16_t pid = seqs[0];
    uint16_t blp = 0;
    for (size_t i = 1; i <= nb; i++) {
        uint16_t d = i < nb ? (uint16_t)(seqs[i] - pid) : 0;
        if (i < nb && d <= SR_RTCP_NACK_BLP_BITS) {
            blp |= d ? (uint16_t)(1u << (d - 1)) : 0;
            continue;
        }
        if (out) {
            sr_put_be16(out + pairs * 4, pid);
            sr_put_be16(out + pairs * 4 + 2, blp);
        }
        pairs++;
        if (i < nb) {
            pid = seqs[i];
            blp = 0;
        }
    }
    return pairs;
}

int sr_rtcp_write_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t nb, uint8_t *out,
                       size_t cap, size_t *written)
{
    *written = 0;
    if (nb == 0) {
        return -SR_EINVAL;
    }
    size_t pairs = sr_rtcp_nack_pairs(seqs, nb, NULL);
    size_t size = SR_RTCP_HEADER_BYTES + SR_RTCP_FB_BYTES + pairs * 4;
    int rc = sr_rtcp_put_fb(SR_RTCP_RTPFB, SR_RTCP_RTPFB_NACK, sender_ssrc, media_ssrc, size, out, cap, written);
    if (rc == SR_OK) {
        sr_rtcp_nack_pairs(seqs, nb, out + 12);
    }
    return rc;
}

int sr_rtcp_parse_pli(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb)
{
    return sr_rtcp_parse_fb_of(pkt, SR_RTCP_PSFB, SR_RTCP_PSFB_PLI, fb);
}

int sr_rtcp_write_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out, size_t cap, size_t *written)
{
    return sr_rtcp_put_fb(SR_RTCP_PSFB, SR_RTCP_PSFB_PLI, sender_ssrc, media_ssrc, 12, out, cap, written);
}

int sr_rtcp_parse_fir(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb, sr_rtcp_fir_entry_t *entries, size_t max,
                      size_t *nb)
{
    *nb = 0;
    int rc = sr_rtcp_parse_fb_of(pkt, SR_RTCP_PSFB, SR_RTCP_PSFB_FIR, fb);
    if (rc != SR_OK) {
        return rc;
    }
    if (pkt->body_size < SR_RTCP_FB_BYTES + 8) {
        return -SR_ETRUNCATED;
    }
    for (size_t off = SR_RTCP_FB_BYTES; off + 8 <= pkt->body_size; off += 8) {
        if (*nb == max) {
            return -SR_EOVERFLOW;
        }
        entries[*nb].ssrc = sr_get_be32(pkt->body + off);
        entries[*nb].seq_nr = pkt->body[off + 4];
        (*nb)++;
    }
    return SR_OK;
}

int sr_rtcp_write_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr, uint8_t *out, size_t cap,
                      size_t *written)
{
    /* RFC 5104 4.3.1.2: the header's media SSRC is 0, the FCI names the stream */
    int rc = sr_rtcp_put_fb(SR_RTCP_PSFB, SR_RTCP_PSFB_FIR, sender_ssrc, 0, 20, out, cap, written);
    if (rc == SR_OK) {
        sr_put_be32(out + 12, media_ssrc);
        out[16] = seq_nr;
        out[17] = out[18] = out[19] = 0;
    }
    return rc;
}

int sr_rtcp_parse_remb(const sr_rtcp_packet_t *pkt, sr_rtcp_remb_t *out)
{
    memset(out, 0, sizeof(*out));
    sr_rtcp_fb_t fb;
    int rc = sr_rtcp_parse_fb_of(pkt, SR_RTCP_PSFB, SR_RTCP_PSFB_AFB, &fb);
    if (rc != SR_OK) {
        return rc;
    }
    const uint8_t *b = pkt->body + SR_RTCP_FB_BYTES;
    size_t n = pkt->body_size - SR_RTCP_FB_BYTES;
    if (n < 4) {
        return -SR_ETRUNCATED;
    }
    if (sr_get_be32(b) != SR_RTCP_REMB_ID) {
        return -SR_EUNSUPPORTED;
    }
    if (n < 8 || n - 8 < (size_t)b[4] * 4) {
        return -SR_ETRUNCATED;
    }
    out->sender_ssrc = fb.sender_ssrc;
    out->nb_ssrc = b[4];
    unsigned exp = b[5] >> 2;
    uint64_t mantissa = sr_get_be24(b + 5) & 0x3ffff;
    out->bitrate_bps = mantissa > (UINT64_MAX >> exp) ? UINT64_MAX : mantissa << exp;
    for (unsigned i = 0; i < out->nb_ssrc && i < SR_RTCP_REMB_MAX_SSRC; i++) {
        out->ssrc[i] = sr_get_be32(b + 8 + i * 4);
    }
    return SR_OK;
}

int sr_rtcp_write_remb(uint32_t sender_ssrc, uint64_t bitrate_bps, const uint32_t *ssrcs, size_t nb, uint8_t *out,
                       size_t cap, size_t *written)
{
    *written = 0;
    if (nb > UINT8_MAX) {
        return -SR_EINVAL;
    }
    size_t size = SR_RTCP_HEADER_BYTES + SR_RTCP_FB_BYTES + 8 + nb * 4;
    int rc = sr_rtcp_put_fb(SR_RTCP_PSFB, SR_RTCP_PSFB_AFB, sender_ssrc, 0, size, out, cap, written);
    if (rc != SR_OK) {
        return rc;
    }
    unsigned exp = 0;
    while (bitrate_bps >> SR_RTCP_REMB_MANTISSA_BITS) {
        bitrate_bps >>= 1;
        exp++;
    }
    sr_put_be32(out + 12, SR_RTCP_REMB_ID);
    out[16] = (uint8_t)nb;
    sr_put_be24(out + 17, (uint32_t)(exp << SR_RTCP_REMB_MANTISSA_BITS) | (uint32_t)bitrate_bps);
    for (size_t i = 0; i < nb; i++) {
        sr_put_be32(out + 20 + i * 4, ssrcs[i]);
    }
    return SR_OK;
}
