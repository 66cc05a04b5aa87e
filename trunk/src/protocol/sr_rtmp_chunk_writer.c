/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_chunk_writer.c: the writer half of the RTMP chunk stream (RTMP 5.3): it cuts
 * messages into chunks and batches them into writev calls without copying payload
 * bytes; per-connection chunk headers live in a small arena. Also the shared
 * fmt 1 form of a message (sr_rtmp_chunk_delta), built once for many players.
 * The reader is sr_rtmp_chunk.c.
 */
#include "sr_rtmp_chunk.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_error.h"

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
