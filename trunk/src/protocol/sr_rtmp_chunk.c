/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_chunk.c: the RTMP chunk stream (RTMP 5.3): the reader reassembles the
 * chunks of interleaved chunk streams into whole messages; the writer cuts messages
 * into chunks and batches them into writev calls without copying payload bytes.
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

/* ==================================================================== */
/* Writer                                                                */
/* ==================================================================== */

/* Iovecs per writev call (Linux IOV_MAX). */
#define SR_RTMP_WRITER_IOVS_PER_WRITEV 1024
/* add flushes first when queueing would pass this many iovecs (a single larger message
 * still goes in one batch; the arrays grow for it). */
#define SR_RTMP_WRITER_SOFT_IOVS 4096
/* Chunk headers: fmt 0 is at most 3 + 11 + 4 bytes, fmt 3 at most 3 + 4. */
#define SR_RTMP_WRITER_MAX_HEADER 18
/* What a writer keeps between flushes is sized for a steady batch (a few dozen
 * messages); a burst (a GOP cache dump) borrows more and gives it back at the flush,
 * so thousands of idle-ish players stay small. */
#define SR_RTMP_WRITER_HEAD_BLOCK 512
#define SR_RTMP_WRITER_BURST_BLOCK 4096
#define SR_RTMP_WRITER_KEEP_IOVS 64
#define SR_RTMP_WRITER_KEEP_REFS 32

/* Header bytes live in blocks that never move, so iovecs can point into them. */
typedef struct sr_rtmp_arena_block {
    struct sr_rtmp_arena_block *next;
    size_t used;
    size_t cap;
    uint8_t data[];
} sr_rtmp_arena_block_t;

static sr_rtmp_arena_block_t *sr_rtmp_arena_block_new(size_t cap)
{
    sr_rtmp_arena_block_t *b = sr_malloc(sizeof(*b) + cap);
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    return b;
}

struct sr_rtmp_writer {
    sr_io_t *io;
    uint32_t chunk_size;
    struct iovec *iov;
    int niov;
    int cap_iov;
    sr_payload_t **refs; /* one reference per queued message */
    int nrefs;
    int cap_refs;
    sr_rtmp_arena_block_t *head; /* first block, kept across flushes */
    sr_rtmp_arena_block_t *cur;
    size_t pending;
};

sr_rtmp_writer_t *sr_rtmp_writer_new(sr_io_t *io)
{
    sr_rtmp_writer_t *w = SR_NEW(sr_rtmp_writer_t);
    w->io = io;
    w->chunk_size = SR_RTMP_DEFAULT_CHUNK_SIZE;
    w->head = sr_rtmp_arena_block_new(SR_RTMP_WRITER_HEAD_BLOCK);
    w->cur = w->head;
    return w;
}

/* Drop the queue: payload references, iovecs, and arena blocks past the first. */
static void sr_rtmp_writer_reset(sr_rtmp_writer_t *w)
{
    for (int i = 0; i < w->nrefs; i++) {
        sr_payload_unref(w->refs[i]);
    }
    w->nrefs = 0;
    w->niov = 0;
    w->pending = 0;
    sr_rtmp_arena_block_t *b = w->head->next;
    while (b) {
        sr_rtmp_arena_block_t *next = b->next;
        sr_free(b);
        b = next;
    }
    w->head->next = NULL;
    w->head->used = 0;
    w->cur = w->head;
    /* give back the room a burst needed */
    if (w->cap_iov > SR_RTMP_WRITER_KEEP_IOVS) {
        w->cap_iov = SR_RTMP_WRITER_KEEP_IOVS;
        w->iov = sr_realloc(w->iov, (size_t)w->cap_iov * sizeof(*w->iov));
    }
    if (w->cap_refs > SR_RTMP_WRITER_KEEP_REFS) {
        w->cap_refs = SR_RTMP_WRITER_KEEP_REFS;
        w->refs = sr_realloc(w->refs, (size_t)w->cap_refs * sizeof(*w->refs));
    }
}

void sr_rtmp_writer_free(sr_rtmp_writer_t *w)
{
    if (!w) {
        return;
    }
    sr_rtmp_writer_reset(w);
    sr_free(w->head);
    sr_free(w->iov);
    sr_free(w->refs);
    sr_free(w);
}

void sr_rtmp_writer_set_chunk_size(sr_rtmp_writer_t *w, uint32_t size)
{
    w->chunk_size = SR_MAX(1u, SR_MIN(size, (uint32_t)SR_RTMP_MAX_CHUNK_SIZE));
}

int sr_rtmp_writer_chunk_size(const sr_rtmp_writer_t *w)
{
    return (int)w->chunk_size;
}

size_t sr_rtmp_writer_pending_bytes(const sr_rtmp_writer_t *w)
{
    return w->pending;
}

/* Room for SR_RTMP_WRITER_MAX_HEADER header bytes; finish with sr_rtmp_writer_commit. */
static uint8_t *sr_rtmp_writer_header_room(sr_rtmp_writer_t *w)
{
    if (w->cur->cap - w->cur->used < SR_RTMP_WRITER_MAX_HEADER) {
        if (!w->cur->next) {
            w->cur->next = sr_rtmp_arena_block_new(SR_RTMP_WRITER_BURST_BLOCK);
        }
        w->cur = w->cur->next;
        w->cur->used = 0;
    }
    return w->cur->data + w->cur->used;
}

/* Queue len bytes at p; a range that continues the previous iovec extends it. */
static void sr_rtmp_writer_push(sr_rtmp_writer_t *w, const uint8_t *p, size_t len)
{
    if (len == 0) {
        return;
    }
    w->pending += len;
    if (w->niov > 0) {
        struct iovec *last = &w->iov[w->niov - 1];
        if ((const uint8_t *)last->iov_base + last->iov_len == p) {
            last->iov_len += len;
            return;
        }
    }
    w->iov[w->niov].iov_base = (void *)p;
    w->iov[w->niov].iov_len = len;
    w->niov++;
}

/* Queue the header bytes just written into the arena room. */
static void sr_rtmp_writer_commit(sr_rtmp_writer_t *w, const uint8_t *p, size_t len)
{
    w->cur->used += len;
    sr_rtmp_writer_push(w, p, len);
}

/* Basic header (RTMP 5.3.1.1); returns its size. */
static size_t sr_rtmp_writer_put_basic(uint8_t *p, uint8_t fmt, uint32_t csid)
{
    if (csid < 64) {
        p[0] = (uint8_t)(fmt << 6 | csid);
        return 1;
    }
    if (csid < 320) {
        p[0] = (uint8_t)(fmt << 6);
        p[1] = (uint8_t)(csid - 64);
        return 2;
    }
    p[0] = (uint8_t)(fmt << 6 | 1);
    p[1] = (uint8_t)((csid - 64) & 0xff);
    p[2] = (uint8_t)((csid - 64) >> 8);
    return 3;
}

/* Make room for n more iovecs and one more payload reference. */
static void sr_rtmp_writer_reserve(sr_rtmp_writer_t *w, size_t n)
{
    if ((size_t)(w->cap_iov - w->niov) < n) {
        size_t cap = SR_MAX((size_t)w->cap_iov * 2, (size_t)w->niov + n);
        w->cap_iov = (int)SR_MAX(cap, (size_t)SR_RTMP_WRITER_KEEP_IOVS);
        w->iov = sr_realloc(w->iov, (size_t)w->cap_iov * sizeof(*w->iov));
    }
    if (w->nrefs == w->cap_refs) {
        w->cap_refs = w->cap_refs ? w->cap_refs * 2 : SR_RTMP_WRITER_KEEP_REFS;
        w->refs = sr_realloc(w->refs, (size_t)w->cap_refs * sizeof(*w->refs));
    }
}

/* Queue the chunks of one message; the iovec room is reserved. */
static void sr_rtmp_writer_chunk(sr_rtmp_writer_t *w, uint32_t csid, uint8_t type, uint32_t stream_id,
                                 uint32_t timestamp, const sr_payload_t *payload)
{
    bool extended = timestamp >= SR_RTMP_EXTENDED_TIMESTAMP;
    /* fmt 0 header (RTMP 5.3.1.2.1) */
    uint8_t *h = sr_rtmp_writer_header_room(w);
    size_t n = sr_rtmp_writer_put_basic(h, 0, csid);
    sr_put_be24(h + n, extended ? SR_RTMP_EXTENDED_TIMESTAMP : timestamp);
    sr_put_be24(h + n + 3, payload->size);
    h[n + 6] = type;
    sr_put_le32(h + n + 7, stream_id);
    n += 11;
    if (extended) {
        sr_put_be32(h + n, timestamp);
        n += 4;
    }
    sr_rtmp_writer_commit(w, h, n);
    /* body, with a fmt 3 header (and the repeated extended timestamp) every chunk */
    for (uint32_t off = 0; off < payload->size; off += w->chunk_size) {
        if (off > 0) {
            h = sr_rtmp_writer_header_room(w);
            n = sr_rtmp_writer_put_basic(h, 3, csid);
            if (extended) {
                sr_put_be32(h + n, timestamp);
                n += 4;
            }
            sr_rtmp_writer_commit(w, h, n);
        }
        sr_rtmp_writer_push(w, payload->data + off, SR_MIN(w->chunk_size, payload->size - off));
    }
}

int sr_rtmp_writer_add(sr_rtmp_writer_t *w, uint32_t csid, uint8_t type, uint32_t stream_id, uint32_t timestamp,
                       sr_payload_t *payload)
{
    if (csid < SR_RTMP_CSID_MIN || csid > SR_RTMP_CSID_MAX) {
        return sr_err_new(SR_EINVAL, "csid=%u out of %d..%d", csid, SR_RTMP_CSID_MIN, SR_RTMP_CSID_MAX);
    }
    if (payload->size > SR_RTMP_MAX_MESSAGE_SIZE) {
        return sr_err_new(SR_EINVAL, "csid=%u message length %u too large", csid, payload->size);
    }
    size_t chunks = payload->size == 0 ? 1 : (payload->size - 1) / w->chunk_size + 1;
    size_t iovs = 2 * chunks;
    if (w->niov > 0 && w->niov + iovs > SR_RTMP_WRITER_SOFT_IOVS) {
        int rc = sr_rtmp_writer_flush(w);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "csid=%u auto flush", csid);
        }
    }
    sr_rtmp_writer_reserve(w, iovs);
    w->refs[w->nrefs++] = sr_payload_ref(payload);
    sr_rtmp_writer_chunk(w, csid, type, stream_id, timestamp, payload);
    return SR_OK;
}

int sr_rtmp_writer_add_chunked(sr_rtmp_writer_t *w, sr_payload_t *owner, const uint8_t *data, size_t len)
{
    if (w->niov > 0 && w->niov + 1 > SR_RTMP_WRITER_SOFT_IOVS) {
        int rc = sr_rtmp_writer_flush(w);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "chunked auto flush");
        }
    }
    sr_rtmp_writer_reserve(w, 1);
    w->refs[w->nrefs++] = sr_payload_ref(owner);
    sr_rtmp_writer_push(w, data, len);
    return SR_OK;
}

size_t sr_rtmp_chunk_delta_size(uint32_t csid, uint32_t chunk_size, size_t len)
{
    uint8_t basic[3];
    size_t b = sr_rtmp_writer_put_basic(basic, 0, csid);
    size_t chunks = len == 0 ? 1 : (len - 1) / chunk_size + 1;
    return b + 7 + len + (chunks - 1) * b;
}

size_t sr_rtmp_chunk_delta(uint8_t *out, uint32_t csid, uint8_t type, int64_t delta, uint32_t chunk_size,
                           const uint8_t *payload, size_t len)
{
    if (delta < 0 || delta >= SR_RTMP_EXTENDED_TIMESTAMP || len > SR_RTMP_MAX_MESSAGE_SIZE || chunk_size == 0) {
        return 0;
    }
    /* fmt 1 header (RTMP 5.3.1.2.2): the stream id is the previous message's */
    size_t n = sr_rtmp_writer_put_basic(out, 1, csid);
    sr_put_be24(out + n, (uint32_t)delta);
    sr_put_be24(out + n + 3, (uint32_t)len);
    out[n + 6] = type;
    n += 7;
    for (size_t off = 0; off < len; off += chunk_size) {
        if (off > 0) {
            n += sr_rtmp_writer_put_basic(out + n, 3, csid);
        }
        size_t part = SR_MIN(chunk_size, len - off);
        memcpy(out + n, payload + off, part);
        n += part;
    }
    return n;
}

int sr_rtmp_writer_add_bytes(sr_rtmp_writer_t *w, uint32_t csid, uint8_t type, uint32_t stream_id, uint32_t timestamp,
                             const void *data, size_t len)
{
    if (len > SR_RTMP_MAX_MESSAGE_SIZE) {
        return sr_err_new(SR_EINVAL, "csid=%u message length %zu too large", csid, len);
    }
    sr_payload_t *p = sr_payload_new_copy(data, len);
    int rc = sr_rtmp_writer_add(w, csid, type, stream_id, timestamp, p);
    sr_payload_unref(p);
    return rc;
}

int sr_rtmp_writer_flush(sr_rtmp_writer_t *w)
{
    int rc = SR_OK;
    for (int i = 0; i < w->niov && rc == SR_OK; i += SR_RTMP_WRITER_IOVS_PER_WRITEV) {
        int n = SR_MIN(w->niov - i, SR_RTMP_WRITER_IOVS_PER_WRITEV);
        rc = sr_io_writev(w->io, w->iov + i, n);
    }
    sr_rtmp_writer_reset(w);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "rtmp writer flush");
}
