/* SPDX-License-Identifier: MIT */
/*
 * sr_rtcp_twcc.c: transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1): parsing the feedback a
 * player sends about our packets, and a recorder that builds the feedback a publisher
 * (Chrome with transport-cc negotiated) needs to run its bandwidth estimation. Times
 * are kept in 250 us ticks so consecutive deltas add up exactly, as a sender summing
 * them expects. Not for the bandwidth estimation itself, or the -02 variant's
 * feedback requests.
 */
#include "sr_rtcp.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_rtp.h"

#define SR_TWCC_NOT_RECEIVED 0
#define SR_TWCC_SMALL 1 /* received, 1-byte delta */
#define SR_TWCC_LARGE 2 /* received, 2-byte signed delta */
#define SR_TWCC_RESERVED 3
#define SR_TWCC_MAX_RUN 0x1fff /* 13-bit run length */
#define SR_TWCC_ONE_BIT_SYMBOLS 14
#define SR_TWCC_TWO_BIT_SYMBOLS 7
#define SR_TWCC_TICKS_PER_REF 256 /* 64 ms in 250 us */
#define SR_TWCC_NONE INT64_MIN    /* an arrival slot with nothing recorded */

/* ==== chunks ==== */

/* Statuses a packet status chunk describes. */
static unsigned sr_twcc_chunk_len(uint16_t c)
{
    if (!(c & 0x8000)) {
        return c & SR_TWCC_MAX_RUN;
    }
    return (c & 0x4000) ? SR_TWCC_TWO_BIT_SYMBOLS : SR_TWCC_ONE_BIT_SYMBOLS;
}

/* The status symbol at position i of chunk c. */
static unsigned sr_twcc_chunk_symbol(uint16_t c, unsigned i)
{
    if (!(c & 0x8000)) {
        return (c >> 13) & 3;
    }
    if (c & 0x4000) {
        return (c >> (12 - 2 * i)) & 3;
    }
    return (c >> (13 - i)) & 1;
}

static int64_t sr_twcc_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* ==== parsing ==== */

int sr_rtcp_twcc_parse(const sr_rtcp_packet_t *pkt, sr_rtcp_twcc_t *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->pt != SR_RTCP_RTPFB || pkt->count != SR_RTCP_RTPFB_TWCC) {
        return -SR_EFORMAT;
    }
    /* the chunks say how many delta bytes follow, so trailing bytes are ignored
     * whatever the padding count says (some senders get it wrong) */
    const uint8_t *b = pkt->data + SR_RTCP_HEADER_BYTES;
    size_t n = pkt->size - SR_RTCP_HEADER_BYTES;
    size_t pos = SR_RTCP_TWCC_HEADER_BYTES - SR_RTCP_HEADER_BYTES;
    if (n < pos) {
        return -SR_ETRUNCATED;
    }
    out->sender_ssrc = sr_get_be32(b);
    out->media_ssrc = sr_get_be32(b + 4);
    out->base_seq = sr_get_be16(b + 8);
    out->status_count = sr_get_be16(b + 10);
    uint32_t ref = sr_get_be24(b + 12);
    out->reference_time = (ref & 0x800000) ? (int32_t)ref - 0x1000000 : (int32_t)ref;
    out->fb_count = b[15];
    if (out->status_count == 0) {
        return -SR_EFORMAT;
    }
    out->_chunks = b + pos;
    size_t seen = 0;
    size_t delta_bytes = 0;
    while (seen < out->status_count) {
        if (n - pos < 2) {
            return -SR_ETRUNCATED;
        }
        uint16_t c = sr_get_be16(b + pos);
        pos += 2;
        unsigned len = sr_twcc_chunk_len(c);
        for (unsigned i = 0; i < len && seen < out->status_count; i++, seen++) {
            unsigned sym = sr_twcc_chunk_symbol(c, i);
            if (sym == SR_TWCC_RESERVED) {
                return -SR_EFORMAT;
            }
            delta_bytes += sym; /* the symbol is the delta's size */
        }
    }
    if (n - pos < delta_bytes) {
        return -SR_ETRUNCATED;
    }
    out->_deltas = b + pos;
    out->_end = b + pos + delta_bytes;
    out->_arrival_us = (int64_t)out->reference_time * SR_RTCP_TWCC_REFERENCE_US;
    return SR_OK;
}

bool sr_rtcp_twcc_next(sr_rtcp_twcc_t *t, sr_rtcp_twcc_entry_t *e)
{
    memset(e, 0, sizeof(*e));
    if (t->_index >= t->status_count) {
        return false;
    }
    while (t->_chunk_left == 0) {
        t->_chunk = sr_get_be16(t->_chunks);
        t->_chunks += 2;
        t->_chunk_left = (uint16_t)sr_twcc_chunk_len(t->_chunk);
    }
    unsigned sym = sr_twcc_chunk_symbol(t->_chunk, sr_twcc_chunk_len(t->_chunk) - t->_chunk_left);
    t->_chunk_left--;
    e->seq = (uint16_t)(t->base_seq + t->_index);
    t->_index++;
    if (sym == SR_TWCC_SMALL) {
        e->delta_us = t->_deltas[0] * SR_RTCP_TWCC_DELTA_US;
    } else if (sym == SR_TWCC_LARGE) {
        e->delta_us = (int16_t)sr_get_be16(t->_deltas) * SR_RTCP_TWCC_DELTA_US;
    }
    if (sym != SR_TWCC_NOT_RECEIVED) {
        t->_deltas += sym;
        t->_arrival_us += e->delta_us;
        e->is_received = true;
        e->arrival_us = t->_arrival_us;
    }
    return true;
}

/* ==== the recorder ==== */

struct sr_rtcp_twcc_recorder {
    int64_t arrival_us[SR_RTCP_TWCC_HISTORY]; /* by extended seq mod history; SR_TWCC_NONE */
    sr_rtp_unwrap_t unwrap;
    bool is_started;
    int64_t base; /* the first extended seq the next feedback reports */
    int64_t end;  /* the highest recorded + 1 */
    uint8_t fb_count;
    sr_rtcp_twcc_stats_t stats;
    /* scratch of one build */
    uint8_t symbols[SR_RTCP_TWCC_HISTORY];
    int16_t deltas[SR_RTCP_TWCC_HISTORY];
    uint16_t chunks[SR_RTCP_TWCC_HISTORY];
};

static int64_t *sr_twcc_slot(sr_rtcp_twcc_recorder_t *r, int64_t seq)
{
    return &r->arrival_us[(uint64_t)seq % SR_RTCP_TWCC_HISTORY];
}

sr_rtcp_twcc_recorder_t *sr_rtcp_twcc_recorder_new(void)
{
    sr_rtcp_twcc_recorder_t *r = SR_NEW(sr_rtcp_twcc_recorder_t);
    for (size_t i = 0; i < SR_RTCP_TWCC_HISTORY; i++) {
        r->arrival_us[i] = SR_TWCC_NONE;
    }
    sr_rtp_unwrap_init(&r->unwrap);
    return r;
}

void sr_rtcp_twcc_recorder_free(sr_rtcp_twcc_recorder_t *r)
{
    sr_free(r);
}

void sr_rtcp_twcc_record(sr_rtcp_twcc_recorder_t *r, uint16_t seq, int64_t arrival_us)
{
    const int64_t history = SR_RTCP_TWCC_HISTORY;
    int64_t e = sr_rtp_seq_unwrap(&r->unwrap, seq);
    arrival_us = arrival_us == SR_TWCC_NONE ? arrival_us + 1 : arrival_us;
    r->stats.recorded++;
    if (!r->is_started) {
        r->is_started = true;
        r->base = e;
        r->end = e + 1;
        *sr_twcc_slot(r, e) = arrival_us;
        return;
    }
    if (e >= r->end) {
        /* the slots between were last used a history ago: not received now */
        for (int64_t s = e - r->end > history ? e - history : r->end; s < e; s++) {
            *sr_twcc_slot(r, s) = SR_TWCC_NONE;
        }
        *sr_twcc_slot(r, e) = arrival_us;
        r->end = e + 1;
        if (r->end - r->base > history) {
            r->stats.unreported += (uint64_t)(r->end - history - r->base);
            r->base = r->end - history;
        }
        return;
    }
    if (e < r->end - history) {
        r->stats.too_old++;
        return;
    }
    int64_t *slot = sr_twcc_slot(r, e);
    if (*slot != SR_TWCC_NONE) {
        r->stats.duplicates++;
        return;
    }
    *slot = arrival_us;
    if (e < r->base) {
        r->base = e; /* reported lost before: report again from here */
    }
}

/* Status symbols and deltas (in 250 us) from base on, into the scratch; stops before
 * a delta that 16 bits cannot hold. Returns the statuses and the reference time. */
static size_t sr_twcc_statuses(sr_rtcp_twcc_recorder_t *r, int64_t *ref)
{
    size_t n = (size_t)SR_MIN(r->end - r->base, (int64_t)UINT16_MAX);
    int64_t first = r->base;
    while (*sr_twcc_slot(r, first) == SR_TWCC_NONE) {
        first++; /* end - 1 was recorded, so this stops */
    }
    *ref = sr_twcc_floor_div(*sr_twcc_slot(r, first), SR_RTCP_TWCC_REFERENCE_US);
    int64_t prev = *ref * SR_TWCC_TICKS_PER_REF;
    for (size_t i = 0; i < n; i++) {
        int64_t t = *sr_twcc_slot(r, r->base + (int64_t)i);
        if (t == SR_TWCC_NONE) {
            r->symbols[i] = SR_TWCC_NOT_RECEIVED;
            r->deltas[i] = 0;
            continue;
        }
        int64_t ticks = sr_twcc_floor_div(t, SR_RTCP_TWCC_DELTA_US);
        int64_t d = ticks - prev;
        if (d < INT16_MIN || d > INT16_MAX) {
            return i; /* the next feedback starts here with its own reference time */
        }
        r->symbols[i] = d >= 0 && d <= UINT8_MAX ? SR_TWCC_SMALL : SR_TWCC_LARGE;
        r->deltas[i] = (int16_t)d;
        prev = ticks;
    }
    return n;
}

enum { SR_TWCC_RUN, SR_TWCC_ONE_BIT, SR_TWCC_TWO_BIT };

/* The chunk kind for the statuses from i, and how many it covers: run-length for a
 * long run (or the rest), else a 14-symbol vector if no large delta is among them,
 * else a shorter run if it beats 7 symbols, else a 2-bit vector. */
static int sr_twcc_choose(const uint8_t *sym, size_t n, size_t i, size_t *k)
{
    size_t run = 1;
    while (i + run < n && sym[i + run] == sym[i] && run < SR_TWCC_MAX_RUN) {
        run++;
    }
    if (run >= SR_TWCC_ONE_BIT_SYMBOLS || i + run == n) {
        *k = run;
        return SR_TWCC_RUN;
    }
    size_t n14 = SR_MIN(n - i, (size_t)SR_TWCC_ONE_BIT_SYMBOLS);
    bool is_one_bit = true;
    for (size_t j = 0; j < n14; j++) {
        is_one_bit = is_one_bit && sym[i + j] <= SR_TWCC_SMALL;
    }
    if (is_one_bit) {
        *k = n14;
        return SR_TWCC_ONE_BIT;
    }
    if (run >= SR_TWCC_TWO_BIT_SYMBOLS) {
        *k = run;
        return SR_TWCC_RUN;
    }
    *k = SR_MIN(n - i, (size_t)SR_TWCC_TWO_BIT_SYMBOLS);
    return SR_TWCC_TWO_BIT;
}

static uint16_t sr_twcc_chunk_word(int kind, const uint8_t *sym, size_t k)
{
    if (kind == SR_TWCC_RUN) {
        return (uint16_t)((sym[0] << 13) | k);
    }
    uint16_t c = kind == SR_TWCC_ONE_BIT ? 0x8000 : 0xc000;
    for (size_t j = 0; j < k; j++) {
        c |= kind == SR_TWCC_ONE_BIT ? (uint16_t)(sym[j] << (13 - j)) : (uint16_t)(sym[j] << (12 - 2 * j));
    }
    return c;
}

/* Chunks for the first n statuses within budget bytes of chunks and deltas; sets
 * *nb_chunks and *delta_bytes, returns the statuses covered (>= 1 when budget >= 4). */
static size_t sr_twcc_encode(sr_rtcp_twcc_recorder_t *r, size_t n, size_t budget, size_t *nb_chunks,
                             size_t *delta_bytes)
{
    size_t i = 0, used = 0;
    *nb_chunks = 0;
    *delta_bytes = 0;
    while (i < n) {
        size_t k;
        int kind = sr_twcc_choose(r->symbols, n, i, &k);
        size_t bytes = 0, fit = 0;
        for (; fit < k && used + 2 + bytes + r->symbols[i + fit] <= budget; fit++) {
            bytes += r->symbols[i + fit];
        }
        if (fit == 0) {
            break;
        }
        r->chunks[(*nb_chunks)++] = sr_twcc_chunk_word(kind, r->symbols + i, fit);
        used += 2 + bytes;
        *delta_bytes += bytes;
        i += fit;
        if (fit < k) {
            break; /* full: a cut vector is only valid as the last chunk */
        }
    }
    return i;
}

int sr_rtcp_twcc_build(sr_rtcp_twcc_recorder_t *r, uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out, size_t cap,
                       size_t *written)
{
    *written = 0;
    if (cap < SR_RTCP_TWCC_MIN_PACKET_BYTES) {
        return -SR_EOVERFLOW;
    }
    if (!r->is_started || r->base >= r->end) {
        return -SR_ENOT_FOUND;
    }
    size_t cap4 = SR_MIN(cap, (size_t)UINT16_MAX * 4) & ~(size_t)3;
    int64_t ref;
    size_t n = sr_twcc_statuses(r, &ref);
    size_t nb_chunks, delta_bytes;
    size_t count = sr_twcc_encode(r, n, cap4 - SR_RTCP_TWCC_HEADER_BYTES, &nb_chunks, &delta_bytes);
    size_t body = SR_RTCP_TWCC_HEADER_BYTES + nb_chunks * 2 + delta_bytes;
    size_t size = (body + 3) & ~(size_t)3;

    out[0] = (uint8_t)(0x80 | (size > body ? 0x20 : 0) | SR_RTCP_RTPFB_TWCC);
    out[1] = SR_RTCP_RTPFB;
    sr_put_be16(out + 2, (uint16_t)(size / 4 - 1));
    sr_put_be32(out + 4, sender_ssrc);
    sr_put_be32(out + 8, media_ssrc);
    sr_put_be16(out + 12, (uint16_t)r->base);
    sr_put_be16(out + 14, (uint16_t)count);
    sr_put_be24(out + 16, (uint32_t)ref & 0xffffff);
    out[19] = r->fb_count++;
    size_t pos = SR_RTCP_TWCC_HEADER_BYTES;
    for (size_t i = 0; i < nb_chunks; i++, pos += 2) {
        sr_put_be16(out + pos, r->chunks[i]);
    }
    for (size_t i = 0; i < count; i++) {
        if (r->symbols[i] == SR_TWCC_SMALL) {
            out[pos++] = (uint8_t)r->deltas[i];
        } else if (r->symbols[i] == SR_TWCC_LARGE) {
            sr_put_be16(out + pos, (uint16_t)r->deltas[i]);
            pos += 2;
        }
    }
    /* RFC 3550 6.4.1 padding: zeros, the last byte counts them */
    memset(out + pos, 0, size - pos);
    if (size > pos) {
        out[size - 1] = (uint8_t)(size - pos);
    }
    r->base += (int64_t)count;
    r->stats.packets++;
    *written = size;
    return SR_OK;
}

const sr_rtcp_twcc_stats_t *sr_rtcp_twcc_stats(const sr_rtcp_twcc_recorder_t *r)
{
    return &r->stats;
}
