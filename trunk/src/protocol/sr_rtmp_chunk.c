/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_chunk.c: the reader half of the RTMP chunk stream (RTMP 5.3): it reassembles
 * the chunks of interleaved chunk streams into whole messages. The writer is
 * sr_rtmp_chunk_writer.c.
 *
 * Not for: the handshake, message semantics (the caller applies Set Chunk Size and
 * Abort), acknowledgement policy, or building control message bodies
 * (sr_rtmp_control.c).
 */
#include "sr_rtmp_chunk.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_error.h"

/* ==================================================================== */
/* Reader                                                                */
/* ==================================================================== */

/* One read syscall fills as much of this as the peer has sent, so small chunk headers
 * cost no syscall of their own. */
/* The read buffer starts small (players send little: acks, pings) and doubles up to
 * the maximum while reads keep filling it (publishers), so idle connections stay cheap. */
#define SR_RTMP_READER_BUF_MIN_BYTES 512
#define SR_RTMP_READER_BUF_BYTES (64 * 1024)
/* Ids of the one-byte basic header (2..63) live in a direct array; larger ones in a
 * sorted array, at most SR_RTMP_READER_MAX_LARGE_CSIDS of them per connection. */
#define SR_RTMP_READER_SMALL_CSIDS 64
#define SR_RTMP_READER_MAX_LARGE_CSIDS 1024
/* A peer may keep this many messages partial at once, holding at most this many bytes
 * (a payload is allocated at its full length when its first chunk arrives). */
#define SR_RTMP_READER_MAX_PARTIALS 64
#define SR_RTMP_READER_MAX_PARTIAL_BYTES (64u * 1024 * 1024)

/* Per chunk stream state: the previous header, which fmt 1/2/3 headers reuse (RTMP 5.3.1.2). */
typedef struct sr_rtmp_chunk_stream {
    uint32_t csid;
    uint8_t type;
    bool has_extended;     /* the last fmt 0/1/2 header carried an extended timestamp */
    uint32_t length;       /* message length */
    uint32_t stream_id;    /* message stream id */
    uint32_t timestamp;    /* absolute timestamp of the current (or last) message */
    uint32_t ts_field;     /* the last fmt 0/1/2 timestamp field, extended value included */
    sr_payload_t *partial; /* the message being reassembled, or NULL */
    uint32_t received;     /* bytes of partial filled */
} sr_rtmp_chunk_stream_t;

/* One parsed chunk header, not yet applied to its chunk stream. */
typedef struct sr_rtmp_chunk_header {
    uint8_t fmt;
    uint32_t csid;
    size_t size;       /* header bytes, the repeated extended timestamp of fmt 3 included */
    uint32_t ts_field; /* fmt 0: timestamp; fmt 1/2: delta; extended value when present */
    bool has_extended;
    uint32_t length;
    uint8_t type;
    uint32_t stream_id;
} sr_rtmp_chunk_header_t;

struct sr_rtmp_reader {
    sr_io_t *io;
    uint32_t chunk_size;
    uint8_t *buf; /* cap bytes; unparsed bytes are buf[pos, end) */
    size_t cap;
    size_t pos;
    size_t end;
    sr_rtmp_chunk_stream_t *small[SR_RTMP_READER_SMALL_CSIDS];
    sr_rtmp_chunk_stream_t **large; /* sorted by csid */
    size_t nlarge;
    size_t cap_large;
    sr_rtmp_chunk_stream_t *cur; /* stream whose chunk body is being copied, or NULL */
    uint32_t chunk_left;         /* body bytes of cur's chunk not copied yet */
    int npartials;
    uint64_t partial_bytes;
};

sr_rtmp_reader_t *sr_rtmp_reader_new(sr_io_t *io)
{
    sr_rtmp_reader_t *r = SR_NEW(sr_rtmp_reader_t);
    r->io = io;
    r->chunk_size = SR_RTMP_DEFAULT_CHUNK_SIZE;
    r->cap = SR_RTMP_READER_BUF_MIN_BYTES;
    r->buf = sr_malloc(r->cap);
    return r;
}

static void sr_rtmp_reader_free_stream(sr_rtmp_chunk_stream_t *cs)
{
    if (cs) {
        sr_payload_unref(cs->partial);
        sr_free(cs);
    }
}

void sr_rtmp_reader_free(sr_rtmp_reader_t *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < SR_RTMP_READER_SMALL_CSIDS; i++) {
        sr_rtmp_reader_free_stream(r->small[i]);
    }
    for (size_t i = 0; i < r->nlarge; i++) {
        sr_rtmp_reader_free_stream(r->large[i]);
    }
    sr_free(r->large);
    sr_free(r->buf);
    sr_free(r);
}

int sr_rtmp_reader_set_chunk_size(sr_rtmp_reader_t *r, uint32_t size)
{
    if (size == 0 || size > SR_RTMP_MAX_CHUNK_SIZE) {
        return sr_err_new(SR_ERTMP_CHUNK, "chunk size %u out of 1..%u", size, SR_RTMP_MAX_CHUNK_SIZE);
    }
    r->chunk_size = size;
    return SR_OK;
}

uint32_t sr_rtmp_reader_chunk_size(const sr_rtmp_reader_t *r)
{
    return r->chunk_size;
}

uint64_t sr_rtmp_reader_recv_bytes(const sr_rtmp_reader_t *r)
{
    return r->io->recv_bytes;
}

/* ---- chunk stream table ---- */

/* Index of the first large entry with csid >= the one sought. */
static size_t sr_rtmp_reader_large_index(const sr_rtmp_reader_t *r, uint32_t csid)
{
    size_t lo = 0, hi = r->nlarge;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->large[mid]->csid < csid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static sr_rtmp_chunk_stream_t *sr_rtmp_reader_find(const sr_rtmp_reader_t *r, uint32_t csid)
{
    if (csid < SR_RTMP_READER_SMALL_CSIDS) {
        return r->small[csid];
    }
    size_t i = sr_rtmp_reader_large_index(r, csid);
    return i < r->nlarge && r->large[i]->csid == csid ? r->large[i] : NULL;
}

/* The stream for csid, created on first use (a fmt 0 header). */
static int sr_rtmp_reader_stream(sr_rtmp_reader_t *r, uint32_t csid, sr_rtmp_chunk_stream_t **out)
{
    sr_rtmp_chunk_stream_t *cs = sr_rtmp_reader_find(r, csid);
    if (cs) {
        *out = cs;
        return SR_OK;
    }
    if (csid >= SR_RTMP_READER_SMALL_CSIDS && r->nlarge >= SR_RTMP_READER_MAX_LARGE_CSIDS) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u: more than %d chunk streams", csid, SR_RTMP_READER_MAX_LARGE_CSIDS);
    }
    cs = SR_NEW(sr_rtmp_chunk_stream_t);
    cs->csid = csid;
    if (csid < SR_RTMP_READER_SMALL_CSIDS) {
        r->small[csid] = cs;
    } else {
        if (r->nlarge == r->cap_large) {
            r->cap_large = r->cap_large ? r->cap_large * 2 : 8;
            r->large = sr_realloc(r->large, r->cap_large * sizeof(*r->large));
        }
        size_t i = sr_rtmp_reader_large_index(r, csid);
        memmove(r->large + i + 1, r->large + i, (r->nlarge - i) * sizeof(*r->large));
        r->large[i] = cs;
        r->nlarge++;
    }
    *out = cs;
    return SR_OK;
}

static void sr_rtmp_reader_drop_partial(sr_rtmp_reader_t *r, sr_rtmp_chunk_stream_t *cs)
{
    if (cs->partial) {
        r->npartials--;
        r->partial_bytes -= cs->length;
        sr_payload_unref(cs->partial);
        cs->partial = NULL;
        cs->received = 0;
    }
}

void sr_rtmp_reader_abort(sr_rtmp_reader_t *r, uint32_t csid)
{
    sr_rtmp_chunk_stream_t *cs = sr_rtmp_reader_find(r, csid);
    /* r->cur is set only while read is inside a chunk body (or after it timed out
     * there); an Abort the caller holds was read after that chunk ended. */
    if (cs && cs != r->cur) {
        sr_rtmp_reader_drop_partial(r, cs);
    }
}

/* ---- buffered input ---- */

/* Make at least need (<= SR_RTMP_READER_BUF_MIN_BYTES) unparsed bytes available. Bytes read
 * stay buffered on error, so a timed-out read can be resumed. May yield. */
static int sr_rtmp_reader_fill(sr_rtmp_reader_t *r, size_t need)
{
    if (r->pos == r->end) {
        r->pos = r->end = 0;
    } else if (r->cap - r->pos < need) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    while (r->end - r->pos < need) {
        size_t n = 0;
        int rc = sr_io_read(r->io, r->buf + r->end, r->cap - r->end, &n);
        if (rc != SR_OK) {
            return rc;
        }
        r->end += n;
        if (r->end == r->cap && r->cap < SR_RTMP_READER_BUF_BYTES) {
            r->cap *= 2;
            r->buf = sr_realloc(r->buf, r->cap);
        }
    }
    return SR_OK;
}

/* ---- chunk header ---- */

/*
 * Whether a fmt 3 chunk repeats the extended timestamp ext at p (avail bytes buffered):
 * 1 yes, 0 no, -1 cannot tell yet (set *more to the bytes needed). See the note at
 * sr_rtmp_reader_parse_header.
 */
static int sr_rtmp_reader_peek_extended(const uint8_t *p, size_t avail, uint32_t ext, size_t *more)
{
    uint8_t want[4];
    sr_put_be32(want, ext);
    size_t n = SR_MIN(avail, sizeof(want));
    if (memcmp(p, want, n) != 0) {
        return 0;
    }
    if (n == sizeof(want)) {
        return 1;
    }
    *more = n + 1;
    return -1;
}

/* Basic header (RTMP 5.3.1.1): fmt and csid in 1, 2 or 3 bytes. Returns the header size,
 * or 0 when more than avail bytes are needed (*need set). */
static size_t sr_rtmp_reader_parse_basic(const uint8_t *p, size_t avail, sr_rtmp_chunk_header_t *h, size_t *need)
{
    h->fmt = p[0] >> 6;
    h->csid = p[0] & 0x3f;
    size_t n = h->csid == 0 ? 2 : h->csid == 1 ? 3 : 1;
    if (avail < n) {
        *need = n;
        return 0;
    }
    if (h->csid == 0) {
        h->csid = 64 + (uint32_t)p[1];
    } else if (h->csid == 1) {
        h->csid = 64 + (uint32_t)p[1] + ((uint32_t)p[2] << 8);
    }
    return n;
}

/* Message header fields (RTMP 5.3.1.2) at p, of the size the fmt implies. */
static void sr_rtmp_reader_parse_fields(const uint8_t *p, sr_rtmp_chunk_header_t *h)
{
    h->has_extended = false;
    if (h->fmt <= 2) {
        h->ts_field = sr_get_be24(p);
        h->has_extended = h->ts_field == SR_RTMP_EXTENDED_TIMESTAMP;
    }
    if (h->fmt <= 1) {
        h->length = sr_get_be24(p + 3);
        h->type = p[6];
    }
    if (h->fmt == 0) {
        h->stream_id = sr_get_le32(p + 7); /* little-endian, RTMP 5.3.1.2.1 */
    }
}

/*
 * Parse the chunk header at the start of the buffer without consuming it. Sets
 * *need > 0 when more bytes must be buffered first.
 *
 * Extended timestamp on fmt 3 (RTMP 5.3.1.3): the spec and FFmpeg/librtmp senders
 * repeat the 4-byte field in every fmt 3 chunk that follows a header which used it,
 * but some peers (older librtmp, FMLE) never do. So when the last fmt 0/1/2 header on
 * this csid used one, we peek: the 4 bytes are taken as the repeated field only if
 * they equal the value that header carried. A body that starts with exactly those
 * bytes is misread; every robust reader (SRS, nginx-rtmp) accepts that risk. Only as
 * many bytes as needed to see a mismatch are awaited, so a short body that is not
 * followed by more data (the peer waits for our reply) does not stall the read.
 */
static int sr_rtmp_reader_parse_header(sr_rtmp_reader_t *r, sr_rtmp_chunk_header_t *h, size_t *need)
{
    static const uint8_t fields_size[4] = {11, 7, 3, 0};
    const uint8_t *p = r->buf + r->pos;
    size_t avail = r->end - r->pos;
    *need = 0;
    if (avail < 1) {
        *need = 1;
        return SR_OK;
    }
    size_t n = sr_rtmp_reader_parse_basic(p, avail, h, need);
    if (n == 0) {
        return SR_OK;
    }
    sr_rtmp_chunk_stream_t *cs = sr_rtmp_reader_find(r, h->csid);
    if (!cs && h->fmt != 0) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u fmt=%u without a previous header", h->csid, h->fmt);
    }
    size_t fields = n;
    n += fields_size[h->fmt];
    if (avail < n) {
        *need = n;
        return SR_OK;
    }
    sr_rtmp_reader_parse_fields(p + fields, h);
    if (h->has_extended) {
        if (avail < n + 4) {
            *need = n + 4;
            return SR_OK;
        }
        h->ts_field = sr_get_be32(p + n);
        n += 4;
    } else if (h->fmt == 3 && cs->has_extended) {
        size_t more = 0;
        int repeated = sr_rtmp_reader_peek_extended(p + n, avail - n, cs->ts_field, &more);
        if (repeated < 0) {
            *need = n + more;
            return SR_OK;
        }
        n += repeated ? 4 : 0;
    }
    h->size = n;
    return SR_OK;
}

/* Buffer and consume the next chunk header. May yield. */
static int sr_rtmp_reader_next_header(sr_rtmp_reader_t *r, sr_rtmp_chunk_header_t *h)
{
    for (;;) {
        size_t need = 0;
        int rc = sr_rtmp_reader_parse_header(r, h, &need);
        if (rc != SR_OK) {
            return rc;
        }
        if (need == 0) {
            r->pos += h->size;
            return SR_OK;
        }
        if ((rc = sr_rtmp_reader_fill(r, need)) != SR_OK) {
            return rc;
        }
    }
}

/* The longest message of this type the reader accepts. */
static uint32_t sr_rtmp_reader_max_length(uint8_t type)
{
    switch (type) {
    case SR_RTMP_MSG_AUDIO:
    case SR_RTMP_MSG_VIDEO:
    case SR_RTMP_MSG_AGGREGATE:
        return SR_RTMP_MAX_MESSAGE_SIZE;
    case SR_RTMP_MSG_AMF0_DATA:
    case SR_RTMP_MSG_AMF3_DATA:
        return SR_RTMP_MAX_DATA_SIZE;
    default:
        return type <= SR_RTMP_MSG_SET_PEER_BANDWIDTH ? SR_RTMP_MAX_CONTROL_SIZE : SR_RTMP_MAX_COMMAND_SIZE;
    }
}

/* Start a message on cs from a header (fmt 0/1/2, or fmt 3 with no message partial). */
static int sr_rtmp_reader_start_message(sr_rtmp_reader_t *r, sr_rtmp_chunk_stream_t *cs,
                                        const sr_rtmp_chunk_header_t *h)
{
    uint32_t length = h->fmt <= 1 ? h->length : cs->length;
    uint8_t type = h->fmt <= 1 ? h->type : cs->type;
    if (length > sr_rtmp_reader_max_length(type)) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u: a type %u message of %u bytes (at most %u)", h->csid, type, length,
                          sr_rtmp_reader_max_length(type));
    }
    if (r->npartials >= SR_RTMP_READER_MAX_PARTIALS) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u: more than %d partial messages", h->csid,
                          SR_RTMP_READER_MAX_PARTIALS);
    }
    if (r->partial_bytes + length > SR_RTMP_READER_MAX_PARTIAL_BYTES) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u length=%u: partial messages exceed %u bytes", h->csid, length,
                          SR_RTMP_READER_MAX_PARTIAL_BYTES);
    }
    /* timestamps add modulo 2^32; fmt 3 repeats the last field, which after a fmt 0
     * header is its absolute timestamp (as FFmpeg and librtmp read it) */
    if (h->fmt == 0) {
        cs->timestamp = h->ts_field;
    } else {
        cs->timestamp += h->fmt == 3 ? cs->ts_field : h->ts_field;
    }
    if (h->fmt <= 2) {
        cs->ts_field = h->ts_field;
        cs->has_extended = h->has_extended;
    }
    if (h->fmt <= 1) {
        cs->length = h->length;
        cs->type = h->type;
    }
    if (h->fmt == 0) {
        cs->stream_id = h->stream_id;
    }
    cs->partial = sr_payload_new(cs->length);
    cs->received = 0;
    r->npartials++;
    r->partial_bytes += cs->length;
    return SR_OK;
}

/*
 * Apply a consumed header to its chunk stream and make it the current chunk.
 *
 * A fmt 0/1/2 header on a csid whose message is still partial is refused rather than
 * taken as a restart: the usual cause is a chunk size mismatch, after which the bytes
 * read as a header are really payload and nothing later can be trusted, so carrying
 * on would hand corrupt media downstream. Closing lets the encoder reconnect cleanly.
 */
static int sr_rtmp_reader_apply_header(sr_rtmp_reader_t *r, const sr_rtmp_chunk_header_t *h)
{
    sr_rtmp_chunk_stream_t *cs = NULL;
    int rc = sr_rtmp_reader_stream(r, h->csid, &cs);
    if (rc != SR_OK) {
        return rc;
    }
    if (cs->partial && h->fmt != 3) {
        return sr_err_new(SR_ERTMP_CHUNK, "csid=%u fmt=%u inside a partial message (%u of %u bytes)", h->csid, h->fmt,
                          cs->received, cs->length);
    }
    if (!cs->partial && (rc = sr_rtmp_reader_start_message(r, cs, h)) != SR_OK) {
        return rc;
    }
    r->cur = cs;
    r->chunk_left = SR_MIN(r->chunk_size, cs->length - cs->received);
    return SR_OK;
}

/* Copy the rest of the current chunk body from the buffer into the message. May yield. */
static int sr_rtmp_reader_copy_body(sr_rtmp_reader_t *r)
{
    sr_rtmp_chunk_stream_t *cs = r->cur;
    while (r->chunk_left > 0) {
        if (r->pos == r->end) {
            int rc = sr_rtmp_reader_fill(r, 1);
            if (rc != SR_OK) {
                return rc;
            }
        }
        size_t n = SR_MIN(r->end - r->pos, r->chunk_left);
        memcpy(cs->partial->data + cs->received, r->buf + r->pos, n);
        r->pos += n;
        cs->received += (uint32_t)n;
        r->chunk_left -= (uint32_t)n;
    }
    r->cur = NULL;
    return SR_OK;
}

int sr_rtmp_reader_read(sr_rtmp_reader_t *r, sr_rtmp_msg_t *msg)
{
    for (;;) {
        int rc;
        if (!r->cur) {
            sr_rtmp_chunk_header_t h = {0};
            if ((rc = sr_rtmp_reader_next_header(r, &h)) != SR_OK) {
                return sr_err_wrap(rc, "rtmp chunk header");
            }
            if ((rc = sr_rtmp_reader_apply_header(r, &h)) != SR_OK) {
                return rc;
            }
        }
        sr_rtmp_chunk_stream_t *cs = r->cur;
        if ((rc = sr_rtmp_reader_copy_body(r)) != SR_OK) {
            return sr_err_wrap(rc, "rtmp chunk body csid=%u", cs->csid);
        }
        if (cs->received < cs->length) {
            continue;
        }
        /* complete: hand the payload over */
        msg->type = cs->type;
        msg->stream_id = cs->stream_id;
        msg->timestamp = cs->timestamp;
        msg->csid = cs->csid;
        msg->payload = cs->partial;
        cs->partial = NULL;
        cs->received = 0;
        r->npartials--;
        r->partial_bytes -= cs->length;
        return SR_OK;
    }
}
