/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_aac.c: RFC 3640 3.2 in both directions. A payload is AU-headers-length (16
 * bits: the AU-headers' total in bits), the AU-headers padded to a byte, then the AUs
 * back to back. A payload whose single AU-header says more bytes than follow is a
 * fragment (3.2.3): the next ones, with the same RTP time, carry the rest.
 */
#include "sr_rtp_aac.h"

#include <stdlib.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

/* ==== packetizer ==== */

int sr_rtp_aac_packetize(const uint8_t *au, size_t size, size_t max_payload, sr_rtp_payloads_t *out)
{
    if (size == 0 || size >= SR_RTP_AAC_MAX_AU || max_payload <= SR_RTP_AAC_HEADER_BYTES || max_payload > 65535) {
        return -SR_EINVAL;
    }
    size_t room = max_payload - SR_RTP_AAC_HEADER_BYTES;
    size_t n = (size + room - 1) / room;
    out->len = size + n * SR_RTP_AAC_HEADER_BYTES;
    out->nb_items = n;
    if (out->len > out->cap || n > out->max_items) {
        return -SR_EOVERFLOW;
    }
    size_t at = 0, done = 0;
    for (size_t i = 0; i < n; i++) {
        size_t part = SR_MIN(room, size - done);
        uint8_t *p = out->data + at;
        sr_put_be16(p, 16);                        /* one 16-bit AU-header */
        sr_put_be16(p + 2, (uint16_t)(size << 3)); /* AU-size (13 bits), AU-Index 0 */
        memcpy(p + SR_RTP_AAC_HEADER_BYTES, au + done, part);
        out->items[i] = (sr_rtp_payload_t){(uint32_t)at, (uint32_t)(part + SR_RTP_AAC_HEADER_BYTES), i == n - 1};
        at += part + SR_RTP_AAC_HEADER_BYTES;
        done += part;
    }
    return SR_OK;
}

/* ==== format ==== */

static int sr_rtp_aac_param(const char *fmtp, size_t len, const char *key, long dflt, long max, uint8_t *out)
{
    const char *v = NULL;
    size_t vl = 0;
    long x = dflt;
    if (fmtp && sr_codec_fmtp_find(fmtp, len, key, &v, &vl)) {
        char buf[16];
        if (vl == 0 || vl >= sizeof(buf)) {
            return -SR_EUNSUPPORTED;
        }
        memcpy(buf, v, vl);
        buf[vl] = '\0';
        char *end = NULL;
        x = strtol(buf, &end, 10);
        if (*end) {
            return -SR_EUNSUPPORTED;
        }
    }
    if (x < 0 || x > max) {
        return -SR_EUNSUPPORTED;
    }
    *out = (uint8_t)x;
    return SR_OK;
}

int sr_rtp_aac_format(const char *fmtp, size_t len, sr_rtp_aac_format_t *out)
{
    int rc = sr_rtp_aac_param(fmtp, len, "sizelength", 13, 16, &out->size_length);
    rc = rc ? rc : sr_rtp_aac_param(fmtp, len, "indexlength", 3, 8, &out->index_length);
    rc = rc ? rc : sr_rtp_aac_param(fmtp, len, "indexdeltalength", 3, 8, &out->index_delta_length);
    if (rc == SR_OK && out->size_length == 0) {
        rc = -SR_EUNSUPPORTED;
    }
    return rc;
}

/* ==== depacketizer ==== */

void sr_rtp_aac_depack_init(sr_rtp_aac_depack_t *d, const sr_rtp_aac_format_t *format, uint32_t samples_per_au,
                            sr_rtp_aac_au_fn on_au, void *arg)
{
    memset(d, 0, sizeof(*d));
    d->format = *format;
    d->samples_per_au = samples_per_au ? samples_per_au : 1024;
    d->on_au = on_au;
    d->arg = arg;
}

/* The rest of a fragmented AU; delivered when it is whole. */
static void sr_rtp_aac_continue(sr_rtp_aac_depack_t *d, const sr_rtp_packet_t *pkt, const uint8_t *data, size_t n)
{
    if (pkt->ts != d->frag_ts || d->frag_len + n > d->frag_size) {
        d->dropped_fragments++;
        d->frag_size = 0; /* the AU it belonged to is gone */
        return;
    }
    memcpy(d->frag + d->frag_len, data, n);
    d->frag_len += n;
    if (d->frag_len == d->frag_size) {
        d->frag_size = 0;
        if (!d->is_fragment_broken) {
            d->aus++;
            d->on_au(d->arg, d->frag, d->frag_len, d->frag_ts);
        }
    }
}

void sr_rtp_aac_depack_push(sr_rtp_aac_depack_t *d, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    if (lost && d->frag_size) {
        d->is_fragment_broken = true;
    }
    if (pkt->payload_size < 2) {
        if (pkt->payload_size) {
            d->malformed++;
        }
        return;
    }
    uint32_t header_bits = sr_get_be16(pkt->payload);
    size_t header_bytes = (header_bits + 7) / 8;
    if (2 + header_bytes > pkt->payload_size) {
        d->malformed++;
        return;
    }
    const uint8_t *data = pkt->payload + 2 + header_bytes;
    size_t left = pkt->payload_size - 2 - header_bytes;
    const sr_rtp_aac_format_t *f = &d->format;
    unsigned first_bits = f->size_length + f->index_length, next_bits = f->size_length + f->index_delta_length;
    /* Sizes first: a packet that does not add up is dropped whole. */
    uint32_t sizes[64];
    size_t nb = 0, total = 0;
    sr_bits_t b;
    sr_bits_init(&b, pkt->payload + 2, header_bytes);
    for (uint32_t used = 0; used + (nb ? next_bits : first_bits) <= header_bits && nb < SR_ARRAY_SIZE(sizes);) {
        uint32_t size = 0, index = 0;
        unsigned index_bits = nb ? f->index_delta_length : f->index_length;
        if (sr_bits_read(&b, f->size_length, &size) != SR_OK || sr_bits_read(&b, index_bits, &index) != SR_OK ||
            (nb && index != 0)) {
            d->malformed++; /* interleaving (an index delta) is not followed */
            return;
        }
        used += f->size_length + index_bits;
        sizes[nb++] = size;
        total += size;
    }
    if (nb == 0) {
        d->malformed++;
        return;
    }
    if (d->frag_size) {
        if (nb == 1 && sizes[0] == d->frag_size) {
            sr_rtp_aac_continue(d, pkt, data, left);
            return;
        }
        d->dropped_fragments++; /* its last fragment never came */
        d->frag_size = 0;
    }
    if (nb == 1 && sizes[0] > left) {
        if (sizes[0] > sizeof(d->frag)) {
            d->malformed++;
            return;
        }
        d->frag_size = sizes[0]; /* the first fragment of a large AU */
        d->frag_len = 0;
        d->frag_ts = pkt->ts;
        d->is_fragment_broken = false;
        sr_rtp_aac_continue(d, pkt, data, left);
        return;
    }
    if (total > left) {
        d->malformed++;
        return;
    }
    for (size_t i = 0; i < nb; i++) {
        if (sizes[i]) {
            d->aus++;
            d->on_au(d->arg, data, sizes[i], pkt->ts + (uint32_t)i * d->samples_per_au);
        }
        data += sizes[i];
    }
}

/* ==== MP4A-LATM ==== */

int sr_rtp_latm_config(const char *fmtp, size_t len, uint8_t *out, size_t cap, size_t *written)
{
    const char *v = NULL;
    size_t vl = 0;
    if (fmtp && sr_codec_fmtp_find(fmtp, len, "cpresent", &v, &vl) && !(vl == 1 && v[0] == '0')) {
        return -SR_EUNSUPPORTED; /* the config travels in-band */
    }
    uint8_t smc[64];
    size_t n = 0;
    int rc = fmtp ? sr_codec_fmtp_hex(fmtp, len, "config", smc, sizeof(smc), &n) : -SR_ENOT_FOUND;
    if (rc != SR_OK) {
        return rc == -SR_EOVERFLOW ? -SR_EFORMAT : rc;
    }
    sr_bits_t b;
    sr_bits_init(&b, smc, n);
    uint32_t version = 0, same = 0, subframes = 0, programs = 0, layers = 0;
    if (sr_bits_read(&b, 1, &version) || sr_bits_read(&b, 1, &same) || sr_bits_read(&b, 6, &subframes) ||
        sr_bits_read(&b, 4, &programs) || sr_bits_read(&b, 3, &layers)) {
        return -SR_EFORMAT;
    }
    if (version != 0 || !same || programs != 0 || layers != 0) {
        return -SR_EUNSUPPORTED;
    }
    /* the AudioSpecificConfig starts at bit 15: shift it to a byte boundary to parse it */
    uint8_t asc[64];
    size_t an = 0;
    for (uint32_t byte = 0; an < sizeof(asc) && sr_bits_read(&b, 8, &byte) == SR_OK;) {
        asc[an++] = (uint8_t)byte;
    }
    uint32_t rest = 0;
    size_t left_bits = n * 8 - 15 - an * 8;
    if (left_bits > 0 && left_bits < 8 && sr_bits_read(&b, (unsigned)left_bits, &rest) == SR_OK && an < sizeof(asc)) {
        asc[an++] = (uint8_t)(rest << (8 - left_bits));
    }
    sr_aac_config_t c;
    if (sr_aac_parse_config(asc, an, &c) != SR_OK) {
        return -SR_EFORMAT;
    }
    return sr_aac_config_write(&c, out, cap, written);
}

void sr_rtp_latm_depack_init(sr_rtp_latm_depack_t *d, uint32_t samples_per_au, sr_rtp_aac_au_fn on_au, void *arg)
{
    memset(d, 0, sizeof(*d));
    d->samples_per_au = samples_per_au ? samples_per_au : 1024;
    d->on_au = on_au;
    d->arg = arg;
}

/* The AudioMuxElements of one complete element run p[0..n) at ts. */
static void sr_rtp_latm_elements(sr_rtp_latm_depack_t *d, const uint8_t *p, size_t n, uint32_t ts)
{
    size_t pos = 0;
    for (uint32_t i = 0; pos < n; i++) {
        size_t len = 0;
        uint8_t byte;
        do { /* PayloadLengthInfo: 0xFF bytes add up until one that is not */
            if (pos >= n) {
                d->malformed++;
                return;
            }
            byte = p[pos++];
            len += byte;
        } while (byte == 0xff);
        if (len == 0 || len > n - pos) {
            d->malformed++;
            return;
        }
        d->aus++;
        d->on_au(d->arg, p + pos, len, ts + i * d->samples_per_au);
        pos += len;
    }
}

void sr_rtp_latm_depack_push(sr_rtp_latm_depack_t *d, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    if (lost && d->buf_len) {
        d->is_broken = true;
    }
    if (pkt->payload_size == 0) {
        return;
    }
    if (pkt->is_marker && d->buf_len == 0) {
        sr_rtp_latm_elements(d, pkt->payload, pkt->payload_size, pkt->ts); /* the common case: all in one */
        return;
    }
    if ((d->buf_len && pkt->ts != d->buf_ts) || d->buf_len + pkt->payload_size > sizeof(d->buf)) {
        d->malformed++;
        d->buf_len = 0; /* its end never came, or too big */
        d->is_broken = false;
        if (pkt->payload_size > sizeof(d->buf)) {
            return;
        }
    }
    if (d->buf_len == 0) {
        d->buf_ts = pkt->ts;
    }
    memcpy(d->buf + d->buf_len, pkt->payload, pkt->payload_size);
    d->buf_len += pkt->payload_size;
    if (pkt->is_marker) {
        if (!d->is_broken) {
            sr_rtp_latm_elements(d, d->buf, d->buf_len, d->buf_ts);
        }
        d->buf_len = 0;
        d->is_broken = false;
    }
}
