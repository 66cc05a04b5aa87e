/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp.c: the RTP fixed header (RFC 3550 5.1), its header extensions (RFC 8285
 * one-byte and two-byte forms), padding, RTX unwrapping (RFC 4588) and the
 * wrap-aware sequence number and timestamp helpers. Not for payload formats
 * (sr_rtp_h264.c, sr_rtp_opus.c) or reordering (sr_rtp_reorder.c); the payload list
 * packetizers fill is grown here.
 */
#include "sr_rtp.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_error.h"

#define SR_RTP_EXT_ONE_BYTE_STOP 15    /* RFC 8285 4.2: stop parsing at this id */
#define SR_RTP_EXT_ONE_BYTE_MAX_LEN 16 /* 4-bit length field + 1 */
#define SR_RTP_EXT_PROFILE_MASK 0xfff0 /* two-byte form: 0x100 and 4 application bits */

int sr_rtp_parse(const uint8_t *data, size_t size, sr_rtp_packet_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < SR_RTP_HEADER_BYTES) {
        return -SR_ETRUNCATED;
    }
    if ((data[0] >> 6) != SR_RTP_VERSION) {
        return -SR_EFORMAT;
    }
    bool has_padding = (data[0] & 0x20) != 0;
    out->has_extension = (data[0] & 0x10) != 0;
    out->nb_csrc = data[0] & 0x0f;
    out->is_marker = (data[1] & 0x80) != 0;
    out->pt = data[1] & 0x7f;
    out->seq = sr_get_be16(data + 2);
    out->ts = sr_get_be32(data + 4);
    out->ssrc = sr_get_be32(data + 8);

    size_t pos = SR_RTP_HEADER_BYTES;
    if (size - pos < (size_t)out->nb_csrc * 4) {
        return -SR_ETRUNCATED;
    }
    for (unsigned i = 0; i < out->nb_csrc; i++, pos += 4) {
        out->csrc[i] = sr_get_be32(data + pos);
    }
    if (out->has_extension) {
        if (size - pos < 4) {
            return -SR_ETRUNCATED;
        }
        out->ext_profile = sr_get_be16(data + pos);
        out->ext_size = (size_t)sr_get_be16(data + pos + 2) * 4;
        pos += 4;
        if (size - pos < out->ext_size) {
            return -SR_ETRUNCATED;
        }
        out->ext = data + pos;
        pos += out->ext_size;
    }
    size_t end = size;
    if (has_padding) {
        /* RFC 3550 5.1: the last octet counts the padding, itself included */
        uint8_t pad = data[size - 1];
        if (pad == 0 || pad > size - pos) {
            return -SR_EFORMAT;
        }
        out->padding_size = pad;
        end -= pad;
    }
    out->payload = data + pos;
    out->payload_size = end - pos;
    return SR_OK;
}

/* Walk one-byte elements (RFC 8285 4.2): ID 4 bits, length - 1 in 4 bits; ID 0 is a
 * padding byte; ID 15 ends the walk. */
static int sr_rtp_ext_find_one_byte(const uint8_t *p, size_t n, uint8_t id, const uint8_t **data, size_t *size)
{
    size_t pos = 0;
    while (pos < n) {
        uint8_t eid = p[pos] >> 4;
        size_t len = (size_t)(p[pos] & 0x0f) + 1;
        if (eid == 0) {
            pos++;
            continue;
        }
        if (eid == SR_RTP_EXT_ONE_BYTE_STOP || len > n - pos - 1) {
            break;
        }
        if (eid == id) {
            *data = p + pos + 1;
            *size = len;
            return SR_OK;
        }
        pos += 1 + len;
    }
    return -SR_ENOT_FOUND;
}

/* Walk two-byte elements (RFC 8285 4.3): ID byte, length byte; ID 0 is a padding byte. */
static int sr_rtp_ext_find_two_byte(const uint8_t *p, size_t n, uint8_t id, const uint8_t **data, size_t *size)
{
    size_t pos = 0;
    while (pos < n) {
        uint8_t eid = p[pos];
        if (eid == 0) {
            pos++;
            continue;
        }
        if (n - pos < 2 || p[pos + 1] > n - pos - 2) {
            break;
        }
        size_t len = p[pos + 1];
        if (eid == id) {
            *data = p + pos + 2;
            *size = len;
            return SR_OK;
        }
        pos += 2 + len;
    }
    return -SR_ENOT_FOUND;
}

int sr_rtp_ext_find(const sr_rtp_packet_t *pkt, uint8_t id, const uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!pkt->has_extension || id == 0) {
        return -SR_ENOT_FOUND;
    }
    if (pkt->ext_profile == SR_RTP_EXT_ONE_BYTE) {
        if (id >= SR_RTP_EXT_ONE_BYTE_STOP) {
            return -SR_ENOT_FOUND;
        }
        return sr_rtp_ext_find_one_byte(pkt->ext, pkt->ext_size, id, data, size);
    }
    if ((pkt->ext_profile & SR_RTP_EXT_PROFILE_MASK) == SR_RTP_EXT_TWO_BYTE) {
        return sr_rtp_ext_find_two_byte(pkt->ext, pkt->ext_size, id, data, size);
    }
    return -SR_ENOT_FOUND;
}

/* Whether every element fits the one-byte form; -SR_EINVAL for an id no form has. */
static int sr_rtp_ext_form(const sr_rtp_ext_elem_t *ext, size_t nb_ext, bool *is_one_byte, size_t *bytes)
{
    *is_one_byte = true;
    for (size_t i = 0; i < nb_ext; i++) {
        if (ext[i].id == 0) {
            return -SR_EINVAL;
        }
        if (ext[i].id >= SR_RTP_EXT_ONE_BYTE_STOP || ext[i].size == 0 || ext[i].size > SR_RTP_EXT_ONE_BYTE_MAX_LEN) {
            *is_one_byte = false;
        }
    }
    *bytes = 0;
    for (size_t i = 0; i < nb_ext; i++) {
        *bytes += (*is_one_byte ? 1 : 2) + (size_t)ext[i].size;
    }
    return SR_OK;
}

static size_t sr_rtp_ext_write(const sr_rtp_ext_elem_t *ext, size_t nb_ext, bool is_one_byte, uint8_t *p)
{
    size_t pos = 0;
    for (size_t i = 0; i < nb_ext; i++) {
        if (is_one_byte) {
            p[pos++] = (uint8_t)((ext[i].id << 4) | (ext[i].size - 1));
        } else {
            p[pos++] = ext[i].id;
            p[pos++] = ext[i].size;
        }
        if (ext[i].size > 0) {
            memcpy(p + pos, ext[i].data, ext[i].size);
        }
        pos += ext[i].size;
    }
    while (pos % 4) {
        p[pos++] = 0; /* padding bytes, id 0 in both forms */
    }
    return pos;
}

int sr_rtp_header_write(const sr_rtp_packet_t *h, const sr_rtp_ext_elem_t *ext, size_t nb_ext, uint8_t *out, size_t cap,
                        size_t *written)
{
    *written = 0;
    if (h->pt > 127 || h->nb_csrc > SR_RTP_MAX_CSRC) {
        return -SR_EINVAL;
    }
    bool is_one_byte = true;
    size_t ext_bytes = 0;
    if (nb_ext > 0 && sr_rtp_ext_form(ext, nb_ext, &is_one_byte, &ext_bytes) != SR_OK) {
        return -SR_EINVAL;
    }
    size_t ext_words = (ext_bytes + 3) / 4;
    if (ext_words > UINT16_MAX) {
        return -SR_EINVAL;
    }
    size_t need = SR_RTP_HEADER_BYTES + (size_t)h->nb_csrc * 4 + (nb_ext > 0 ? 4 + ext_words * 4 : 0);
    if (cap < need) {
        return -SR_EOVERFLOW;
    }
    out[0] = (uint8_t)((SR_RTP_VERSION << 6) | (nb_ext > 0 ? 0x10 : 0) | h->nb_csrc);
    out[1] = (uint8_t)((h->is_marker ? 0x80 : 0) | h->pt);
    sr_put_be16(out + 2, h->seq);
    sr_put_be32(out + 4, h->ts);
    sr_put_be32(out + 8, h->ssrc);
    size_t pos = SR_RTP_HEADER_BYTES;
    for (unsigned i = 0; i < h->nb_csrc; i++, pos += 4) {
        sr_put_be32(out + pos, h->csrc[i]);
    }
    if (nb_ext > 0) {
        sr_put_be16(out + pos, is_one_byte ? SR_RTP_EXT_ONE_BYTE : SR_RTP_EXT_TWO_BYTE);
        sr_put_be16(out + pos + 2, (uint16_t)ext_words);
        pos += 4;
        pos += sr_rtp_ext_write(ext, nb_ext, is_one_byte, out + pos);
    }
    *written = pos;
    return SR_OK;
}

int sr_rtp_rtx_unwrap(sr_rtp_packet_t *pkt, uint8_t pt, uint32_t ssrc)
{
    if (pkt->payload_size < 2) {
        return -SR_ETRUNCATED;
    }
    pkt->seq = sr_get_be16(pkt->payload);
    pkt->payload += 2;
    pkt->payload_size -= 2;
    pkt->pt = pt;
    pkt->ssrc = ssrc;
    return SR_OK;
}

/* The value nearest u->last whose low bits are v, for a counter of `bits` bits. */
static int64_t sr_rtp_unwrap_bits(sr_rtp_unwrap_t *u, uint64_t v, unsigned bits)
{
    if (!u->is_started) {
        u->is_started = true;
        u->last = (int64_t)v;
        return u->last;
    }
    uint64_t range = UINT64_C(1) << bits;
    uint64_t mask = range - 1;
    uint64_t diff = (v - (uint64_t)u->last) & mask;
    int64_t delta = diff >= range / 2 ? (int64_t)diff - (int64_t)range : (int64_t)diff;
    u->last += delta;
    return u->last;
}

int64_t sr_rtp_seq_unwrap(sr_rtp_unwrap_t *u, uint16_t seq)
{
    return sr_rtp_unwrap_bits(u, seq, 16);
}

int64_t sr_rtp_ts_unwrap(sr_rtp_unwrap_t *u, uint32_t ts)
{
    return sr_rtp_unwrap_bits(u, ts, 32);
}

void sr_rtp_payloads_grow(sr_rtp_payloads_t *out)
{
    out->cap = SR_MAX(out->len, out->cap * 2);
    out->max_items = SR_MAX(out->nb_items, out->max_items * 2);
    out->data = sr_realloc(out->data, out->cap);
    out->items = sr_realloc(out->items, out->max_items * sizeof(*out->items));
}

void sr_rtp_payloads_free(sr_rtp_payloads_t *out)
{
    sr_free(out->data);
    sr_free(out->items);
    memset(out, 0, sizeof(*out));
}
