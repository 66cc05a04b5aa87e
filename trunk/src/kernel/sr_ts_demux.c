/* SPDX-License-Identifier: MIT */
/*
 * sr_ts_demux.c: the transport layer of the TS demuxer (sr_ts_demux.h): finding
 * 188-byte packets in a byte stream, the packet header and adaptation field, the
 * continuity counters, PAT/PMT sections and PES reassembly. What a PES payload holds
 * per codec is sr_ts_demux_es.c. References are to ISO/IEC 13818-1: 2.4.3.2 transport
 * packet, 2.4.3.3 continuity_counter, 2.4.3.5 adaptation field, 2.4.3.6/2.4.3.7 PES,
 * 2.4.4 PSI (2.4.4.3 PAT, 2.4.4.8 PMT, Annex A CRC), 2.6.8 registration descriptor.
 */
#include "sr_ts_demux.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_ts_demux_internal.h"

#define SR_TS_PID_NULL 0x1fff
#define SR_TS_MASK_33 ((UINT64_C(1) << 33) - 1)
#define SR_TS_SECTION_MAX 1021 /* section_length of a PAT/PMT (2.4.4.3, 2.4.4.8) */
#define SR_TS_PSI_BUF_MAX 4096

/* What sr_ts_demux_cc() says about a packet. */
enum { SR_TS_CC_OK, SR_TS_CC_SKIP, SR_TS_CC_GAP };

/* Where a stream's PES stands. */
enum {
    SR_TS_PES_IDLE,       /* waiting for a payload_unit_start */
    SR_TS_PES_COLLECTING, /* gathering into st->pes */
    SR_TS_PES_COMPLETE,   /* a bounded PES was delivered; more data before a start is a lie */
};

/* ======================================================================== */
/* lifecycle                                                                */
/* ======================================================================== */

sr_ts_demuxer_t *sr_ts_demux_new(sr_ts_demux_frame_fn on_frame, void *arg)
{
    sr_ts_demuxer_t *d = SR_NEW(sr_ts_demuxer_t);
    d->on_frame = on_frame;
    d->arg = arg;
    d->pmt_pid = -1;
    d->pmt_version = -1;
    d->pat.cc = -1;
    d->pmt.cc = -1;
    sr_buf_init(&d->pat.buf);
    sr_buf_init(&d->pmt.buf);
    sr_buf_init(&d->scratch);
    return d;
}

static void sr_ts_demux_stream_free(sr_ts_demux_stream_t *st)
{
    sr_buf_deinit(&st->pes);
    sr_buf_deinit(&st->config);
    sr_free(st);
}

void sr_ts_demux_free(sr_ts_demuxer_t *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; i < d->nb_streams; i++) {
        sr_ts_demux_stream_free(d->streams[i]);
    }
    sr_buf_deinit(&d->pat.buf);
    sr_buf_deinit(&d->pmt.buf);
    sr_buf_deinit(&d->scratch);
    sr_free(d);
}

const sr_ts_demux_stats_t *sr_ts_demux_stats(const sr_ts_demuxer_t *d)
{
    return &d->stats;
}

int64_t sr_ts_demux__unwrap(sr_ts_demuxer_t *d, uint64_t ts33)
{
    ts33 &= SR_TS_MASK_33;
    if (!d->has_ts_ref) {
        d->has_ts_ref = true;
        d->ts_ref_90k = (int64_t)ts33;
        return d->ts_ref_90k;
    }
    /* the distance from the last timestamp modulo 2^33, taken as the nearer way round */
    uint64_t delta = (ts33 - (uint64_t)d->ts_ref_90k) & SR_TS_MASK_33;
    int64_t step = delta >= (UINT64_C(1) << 32) ? (int64_t)delta - (INT64_C(1) << 33) : (int64_t)delta;
    d->ts_ref_90k += step;
    return d->ts_ref_90k;
}

/* ======================================================================== */
/* continuity counters (2.4.3.3)                                            */
/* ======================================================================== */

/* Check cc against *last. Packets without payload do not count; a discontinuity
 * indicator allows any value; one repeated packet (same cc) is a duplicate to skip. */
static int sr_ts_demux_cc(sr_ts_demuxer_t *d, int8_t *last, uint8_t cc, bool has_payload, bool is_discontinuity)
{
    if (!has_payload) {
        if (is_discontinuity) {
            *last = -1;
        }
        return SR_TS_CC_SKIP;
    }
    if (*last < 0 || is_discontinuity) {
        *last = (int8_t)cc;
        return SR_TS_CC_OK;
    }
    if (cc == (uint8_t)*last) {
        return SR_TS_CC_SKIP;
    }
    bool is_next = cc == ((*last + 1) & 0x0f);
    *last = (int8_t)cc;
    if (is_next) {
        return SR_TS_CC_OK;
    }
    d->stats.cc_errors++;
    return SR_TS_CC_GAP;
}

/* ======================================================================== */
/* PES (2.4.3.6)                                                            */
/* ======================================================================== */

/* Stream ids whose PES has no optional header (Table 2-22): maps, padding, private 2,
 * ECM, EMM, directory, DSM-CC, H.222.1 type E. */
static bool sr_ts_pes_has_header(uint8_t stream_id)
{
    switch (stream_id) {
    case 0xbc:
    case 0xbe:
    case 0xbf:
    case 0xf0:
    case 0xf1:
    case 0xf2:
    case 0xf8:
    case 0xff:
        return false;
    default:
        return true;
    }
}

/* A 33-bit PTS or DTS with its marker bits (2.4.3.7). */
static uint64_t sr_ts_pes_timestamp(const uint8_t *p)
{
    return (uint64_t)((p[0] >> 1) & 0x07) << 30 | (uint64_t)p[1] << 22 | (uint64_t)(p[2] >> 1) << 15 |
           (uint64_t)p[3] << 7 | (uint64_t)(p[4] >> 1);
}

/* The gathered PES of st is whole: parse its header and hand the payload over. */
static void sr_ts_demux_pes_done(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st)
{
    const uint8_t *p = st->pes.data;
    size_t n = st->pes.len;
    size_t declared = n >= 6 ? sr_get_be16(p + 4) : 0;
    if (n < 9 || p[0] != 0 || p[1] != 0 || p[2] != 1 || (declared > 0 && n < 6 + declared)) {
        goto broken;
    }
    if (declared > 0) {
        n = 6 + declared; /* what came after the declared end was counted when it came */
    }
    if (!sr_ts_pes_has_header(p[3])) {
        return;
    }
    uint8_t flags = p[7] >> 6;
    size_t header = 9 + (size_t)p[8];
    if ((p[6] & 0xc0) != 0x80 || flags == 1 || header > n || (flags >= 2 && header < 14) ||
        (flags == 3 && header < 19)) {
        goto broken;
    }
    int64_t pts = 0, dts = 0;
    if (flags >= 2) {
        pts = sr_ts_demux__unwrap(d, sr_ts_pes_timestamp(p + 9));
        dts = flags == 3 ? sr_ts_demux__unwrap(d, sr_ts_pes_timestamp(p + 14)) : pts;
        st->last_dts_90k = dts;
    }
    sr_ts_demux__es(d, st, p + header, n - header, flags >= 2, pts, dts);
    return;
broken:
    d->stats.pes_errors++;
    d->stats.dropped++;
}

/* Drop the PES being gathered (broken or too large) and free its memory. */
static void sr_ts_demux_pes_drop(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st)
{
    if (st->pes_state == SR_TS_PES_COLLECTING) {
        d->stats.dropped++;
    }
    st->pes_state = SR_TS_PES_IDLE;
    sr_buf_deinit(&st->pes);
    sr_buf_init(&st->pes);
}

/* A new PES starts (or the input ends) while st was gathering one. */
static void sr_ts_demux_pes_end(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st)
{
    if (st->pes_state == SR_TS_PES_COLLECTING) {
        st->pes_state = SR_TS_PES_IDLE;
        sr_ts_demux_pes_done(d, st); /* counts a PES shorter than its declared length */
    }
}

static void sr_ts_demux_pes_append(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *p, size_t n)
{
    if (st->pes.len + n > SR_TS_DEMUX_MAX_PES_BYTES) {
        d->stats.pes_errors++;
        sr_ts_demux_pes_drop(d, st);
        return;
    }
    sr_buf_put_bytes(&st->pes, p, n);
    size_t declared = st->pes.len >= 6 ? sr_get_be16(st->pes.data + 4) : 0;
    if (declared == 0 || st->pes.len < 6 + declared) {
        return; /* unbounded (ends at the next start) or not all there yet */
    }
    if (st->pes.len > 6 + declared) {
        d->stats.pes_errors++; /* more arrived than declared: the rest is ignored */
    }
    st->pes_state = SR_TS_PES_COMPLETE;
    sr_ts_demux_pes_done(d, st);
}

static void sr_ts_demux_stream_payload(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *p, size_t n,
                                       bool is_start)
{
    if (is_start) {
        sr_ts_demux_pes_end(d, st);
        sr_buf_reset(&st->pes);
        st->pes_state = SR_TS_PES_COLLECTING;
    } else if (st->pes_state == SR_TS_PES_COMPLETE) {
        d->stats.pes_errors++; /* data after the declared end of a PES */
        st->pes_state = SR_TS_PES_IDLE;
        return;
    } else if (st->pes_state != SR_TS_PES_COLLECTING) {
        return; /* joined mid-PES, or after a drop: wait for the next start */
    }
    sr_ts_demux_pes_append(d, st, p, n);
}

/* ======================================================================== */
/* PMT (2.4.4.8) and its descriptors                                        */
/* ======================================================================== */

static const struct {
    uint8_t stream_type;
    uint8_t codec;
} sr_ts_demux_stream_types[] = {
    {SR_TS_STREAM_H264, SR_CODEC_H264},       {SR_TS_STREAM_H265, SR_CODEC_H265},
    {SR_TS_STREAM_AAC, SR_CODEC_AAC},         {SR_TS_STREAM_MPEG1_AUDIO, SR_CODEC_MP3},
    {SR_TS_STREAM_MPEG2_AUDIO, SR_CODEC_MP3},
};

/* Channels of the channel_config_code of an Opus audio descriptor (extension
 * descriptor 0x7f, tag 0x80; the ETSI draft "Opus Interactive Audio Codec Transport
 * Multiplexing Standard", 2013, that ffmpeg follows): 1..8 channels in Vorbis order,
 * 0 dual mono (2); other codes (explicit mappings) are unknown here, 0. */
static uint8_t sr_ts_demux_opus_channels(uint8_t code)
{
    if (code == 0) {
        return 2;
    }
    return code <= 8 ? code : 0;
}

/* The codec of one PMT entry from its stream_type and ES_info descriptors; SR_CODEC_NONE
 * for what is not demuxed here. */
static sr_codec_id_t sr_ts_demux_codec_of(uint8_t type, const uint8_t *desc, size_t len, uint8_t *opus_channels)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_ts_demux_stream_types); i++) {
        if (sr_ts_demux_stream_types[i].stream_type == type) {
            return (sr_codec_id_t)sr_ts_demux_stream_types[i].codec;
        }
    }
    if (type != SR_TS_STREAM_PRIVATE) {
        return SR_CODEC_NONE;
    }
    bool is_opus = false;
    for (size_t pos = 0; pos + 2 <= len && pos + 2 + desc[pos + 1] <= len; pos += 2 + desc[pos + 1]) {
        const uint8_t *body = desc + pos + 2;
        uint8_t tag = desc[pos], n = desc[pos + 1];
        if (tag == SR_TS_DESC_REGISTRATION && n >= 4 && memcmp(body, "Opus", 4) == 0) {
            is_opus = true;
        } else if (tag == SR_TS_DESC_EXTENSION && n >= 2 && body[0] == SR_TS_DESC_OPUS_AUDIO) {
            *opus_channels = sr_ts_demux_opus_channels(body[1]);
        }
    }
    return is_opus ? SR_CODEC_OPUS : SR_CODEC_NONE;
}

/* Whether the ES loop of a PMT section s[0..end) (CRC excluded) from pos is well formed. */
static bool sr_ts_demux_pmt_is_valid(const uint8_t *s, size_t pos, size_t end)
{
    while (pos < end) {
        if (end - pos < 5 || end - pos - 5 < (size_t)(sr_get_be16(s + pos + 3) & 0x0fff)) {
            return false;
        }
        pos += 5 + (sr_get_be16(s + pos + 3) & 0x0fff);
    }
    return true;
}

/* The stream for pid of type from the old list (its state kept), or a new one. */
static sr_ts_demux_stream_t *sr_ts_demux_stream_take(sr_ts_demuxer_t *d, uint16_t pid, uint8_t type, uint8_t codec)
{
    for (size_t i = 0; i < d->nb_streams; i++) {
        sr_ts_demux_stream_t *st = d->streams[i];
        if (st && st->pid == pid && st->stream_type == type && st->codec == codec) {
            d->streams[i] = NULL;
            return st;
        }
    }
    sr_ts_demux_stream_t *st = SR_NEW(sr_ts_demux_stream_t);
    st->pid = pid;
    st->stream_type = type;
    st->codec = codec;
    st->cc = -1;
    sr_buf_init(&st->pes);
    sr_buf_init(&st->config);
    return st;
}

/* A new PMT version: the streams it lists replace the old ones; a stream listed again
 * with the same PID and type keeps its state (config, counters). */
static void sr_ts_demux_pmt(sr_ts_demuxer_t *d, const uint8_t *s, size_t total)
{
    size_t end = total - 4;
    size_t pos = 12 + (sr_get_be16(s + 10) & 0x0fff);
    if (sr_get_be16(s + 3) != d->program || ((s[5] >> 1) & 0x1f) == d->pmt_version) {
        return;
    }
    if (pos > end || !sr_ts_demux_pmt_is_valid(s, pos, end)) {
        d->stats.pes_errors++;
        return;
    }
    sr_ts_demux_stream_t *next[SR_TS_DEMUX_MAX_STREAMS];
    size_t nb = 0;
    for (; pos < end; pos += 5 + (sr_get_be16(s + pos + 3) & 0x0fff)) {
        uint8_t channels = 0;
        size_t info = sr_get_be16(s + pos + 3) & 0x0fff;
        uint16_t pid = sr_get_be16(s + pos + 1) & 0x1fff;
        sr_codec_id_t codec = sr_ts_demux_codec_of(s[pos], s + pos + 5, info, &channels);
        if (codec != SR_CODEC_NONE && nb < SR_TS_DEMUX_MAX_STREAMS) {
            next[nb] = sr_ts_demux_stream_take(d, pid, s[pos], (uint8_t)codec);
            next[nb++]->opus_channels = channels;
        }
    }
    for (size_t i = 0; i < d->nb_streams; i++) {
        if (d->streams[i]) {
            sr_ts_demux_stream_free(d->streams[i]);
        }
    }
    memcpy(d->streams, next, nb * sizeof(next[0]));
    d->nb_streams = nb;
    d->pmt_version = (int8_t)((s[5] >> 1) & 0x1f);
}

/* ======================================================================== */
/* PSI sections (2.4.4)                                                     */
/* ======================================================================== */

/* The first program of a PAT: its PMT PID. A new one resets the PMT. */
static void sr_ts_demux_pat(sr_ts_demuxer_t *d, const uint8_t *s, size_t total)
{
    for (size_t pos = 8; pos + 4 <= total - 4; pos += 4) {
        uint16_t program = sr_get_be16(s + pos);
        uint16_t pid = sr_get_be16(s + pos + 2) & 0x1fff;
        if (program == 0) {
            continue; /* network_PID */
        }
        if (pid != d->pmt_pid || program != d->program) {
            d->pmt_pid = pid;
            d->program = program;
            d->pmt_version = -1;
            d->pmt.is_active = false;
            d->pmt.cc = -1;
        }
        return;
    }
}

/* One whole section s[0..total) of the PAT or PMT PID. */
static void sr_ts_demux_section(sr_ts_demuxer_t *d, bool is_pat, const uint8_t *s, size_t total)
{
    if (sr_ts_crc32(s, total) != 0) { /* the CRC over the section and its CRC_32 is 0 */
        d->stats.crc_errors++;
        return;
    }
    if (!(s[1] & 0x80) || !(s[5] & 0x01)) {
        return; /* not the long syntax, or a table that is not current yet */
    }
    if (is_pat && s[0] == 0x00) {
        sr_ts_demux_pat(d, s, total);
    } else if (!is_pat && s[0] == 0x02) {
        sr_ts_demux_pmt(d, s, total);
    }
}

/* Take the whole sections gathered in psi; stop at stuffing (0xff). */
static void sr_ts_demux_sections(sr_ts_demuxer_t *d, sr_ts_demux_psi_t *psi, bool is_pat)
{
    sr_buf_t *b = &psi->buf;
    while (psi->is_active && b->len >= 3) {
        if (b->data[0] == 0xff) {
            psi->is_active = false;
            break;
        }
        size_t length = sr_get_be16(b->data + 1) & 0x0fff;
        if (length > SR_TS_SECTION_MAX || length < 9) { /* 5 header bytes and the CRC at least */
            d->stats.pes_errors++;
            psi->is_active = false;
            break;
        }
        if (b->len < 3 + length) {
            return;
        }
        sr_ts_demux_section(d, is_pat, b->data, 3 + length);
        memmove(b->data, b->data + 3 + length, b->len - 3 - length);
        b->len -= 3 + length;
    }
    if (!psi->is_active) {
        sr_buf_reset(b);
    }
}

static void sr_ts_demux_psi_payload(sr_ts_demuxer_t *d, sr_ts_demux_psi_t *psi, bool is_pat, const uint8_t *p, size_t n,
                                    bool is_start)
{
    if (is_start) {
        size_t pointer = p[0];
        if (pointer + 1 > n) {
            d->stats.pes_errors++;
            psi->is_active = false;
            return;
        }
        if (psi->is_active) { /* the end of the previous section */
            sr_buf_put_bytes(&psi->buf, p + 1, pointer);
            sr_ts_demux_sections(d, psi, is_pat);
        }
        sr_buf_reset(&psi->buf);
        psi->is_active = true;
        p += 1 + pointer;
        n -= 1 + pointer;
    } else if (!psi->is_active) {
        return;
    }
    if (psi->buf.len + n > SR_TS_PSI_BUF_MAX) {
        d->stats.pes_errors++;
        psi->is_active = false;
        return;
    }
    sr_buf_put_bytes(&psi->buf, p, n);
    sr_ts_demux_sections(d, psi, is_pat);
}

/* ======================================================================== */
/* transport packets (2.4.3.2)                                              */
/* ======================================================================== */

static sr_ts_demux_stream_t *sr_ts_demux_find(sr_ts_demuxer_t *d, uint16_t pid)
{
    for (size_t i = 0; i < d->nb_streams; i++) {
        if (d->streams[i]->pid == pid) {
            return d->streams[i];
        }
    }
    return NULL;
}

/* The PSI or stream state of pid and its continuity counter; false if pid is not ours. */
static bool sr_ts_demux_route(sr_ts_demuxer_t *d, uint16_t pid, sr_ts_demux_psi_t **psi, sr_ts_demux_stream_t **st,
                              int8_t **cc)
{
    *psi = pid == SR_TS_PID_PAT ? &d->pat : pid == d->pmt_pid ? &d->pmt : NULL;
    *st = *psi ? NULL : sr_ts_demux_find(d, pid);
    *cc = *psi ? &(*psi)->cc : *st ? &(*st)->cc : NULL;
    return *cc != NULL;
}

static void sr_ts_demux_packet(sr_ts_demuxer_t *d, const uint8_t *p)
{
    d->stats.packets++;
    uint16_t pid = (uint16_t)(((p[1] & 0x1f) << 8) | p[2]);
    bool is_start = (p[1] & 0x40) != 0;
    uint8_t afc = (p[3] >> 4) & 0x03;
    sr_ts_demux_psi_t *psi;
    sr_ts_demux_stream_t *st;
    int8_t *cc;
    if ((p[1] & 0x80) || pid == SR_TS_PID_NULL || afc == 0 || !sr_ts_demux_route(d, pid, &psi, &st, &cc)) {
        return; /* transport_error_indicator, null packet, reserved control, a PID not ours */
    }
    size_t pos = 4;
    bool is_discontinuity = false;
    if (afc & 0x02) {
        size_t len = p[4];
        if (len > (afc == 3 ? 182u : 183u)) {
            d->stats.pes_errors++;
            return;
        }
        is_discontinuity = len > 0 && (p[5] & 0x80);
        pos = 5 + len;
    }
    bool has_payload = (afc & 0x01) && pos < SR_TS_PACKET_BYTES;
    int rc = sr_ts_demux_cc(d, cc, p[3] & 0x0f, has_payload, is_discontinuity);
    if (rc == SR_TS_CC_GAP) {
        if (psi) {
            psi->is_active = false;
        } else {
            sr_ts_demux_pes_drop(d, st);
        }
    }
    if (rc == SR_TS_CC_SKIP || (rc == SR_TS_CC_GAP && !is_start)) {
        return;
    }
    if (psi) {
        sr_ts_demux_psi_payload(d, psi, pid == SR_TS_PID_PAT, p + pos, SR_TS_PACKET_BYTES - pos, is_start);
    } else {
        sr_ts_demux_stream_payload(d, st, p + pos, SR_TS_PACKET_BYTES - pos, is_start);
    }
}

/* ======================================================================== */
/* the byte stream                                                          */
/* ======================================================================== */

/* Whether data[pos] starts a packet: a sync byte, and so are the bytes 188 and 376
 * bytes later as far as data goes (a payload byte 0x47 rarely passes all three). */
static bool sr_ts_demux_is_sync(const uint8_t *data, size_t size, size_t pos)
{
    for (size_t k = 0; k < 3 && pos < size; k++, pos += SR_TS_PACKET_BYTES) {
        if (data[pos] != SR_TS_SYNC_BYTE) {
            return false;
        }
    }
    return true;
}

/* Sync is lost at data[pos]: the next position that passes sr_ts_demux_is_sync, or
 * size. Counts one resync per loss. */
static size_t sr_ts_demux_resync(sr_ts_demuxer_t *d, const uint8_t *data, size_t size, size_t pos)
{
    if (!d->is_lost) {
        d->is_lost = true;
        d->stats.resyncs++;
    }
    for (pos++; pos < size; pos++) {
        if (sr_ts_demux_is_sync(data, size, pos)) {
            return pos;
        }
    }
    return size;
}

int sr_ts_demux_feed(sr_ts_demuxer_t *d, const uint8_t *data, size_t size)
{
    size_t pos = 0;
    while (pos < size) {
        if (d->part_len > 0) { /* complete the packet the last call cut */
            size_t take = SR_MIN(SR_TS_PACKET_BYTES - d->part_len, size - pos);
            memcpy(d->part + d->part_len, data + pos, take);
            d->part_len += take;
            pos += take;
            if (d->part_len < SR_TS_PACKET_BYTES) {
                break;
            }
            d->part_len = 0;
            sr_ts_demux_packet(d, d->part);
            continue;
        }
        if (data[pos] != SR_TS_SYNC_BYTE) {
            pos = sr_ts_demux_resync(d, data, size, pos);
            continue;
        }
        d->is_lost = false;
        if (size - pos < SR_TS_PACKET_BYTES) {
            memcpy(d->part, data + pos, size - pos);
            d->part_len = size - pos;
            break;
        }
        sr_ts_demux_packet(d, data + pos);
        pos += SR_TS_PACKET_BYTES;
    }
    return SR_OK;
}

void sr_ts_demux_flush(sr_ts_demuxer_t *d)
{
    for (size_t i = 0; i < d->nb_streams; i++) {
        sr_ts_demux_pes_end(d, d->streams[i]);
    }
    d->part_len = 0;
}

void sr_ts_demux_tracks(const sr_ts_demuxer_t *d, bool *has_audio, bool *has_video)
{
    *has_audio = *has_video = false;
    for (size_t i = 0; i < d->nb_streams; i++) {
        bool is_video = sr_codec_id_is_video((sr_codec_id_t)d->streams[i]->codec);
        *has_video = *has_video || is_video;
        *has_audio = *has_audio || (!is_video && d->streams[i]->codec != SR_CODEC_NONE);
    }
}
