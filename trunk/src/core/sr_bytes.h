/* SPDX-License-Identifier: MIT */
/*
 * sr_bytes.h: bounds-checked big/little-endian reading (sr_reader_t over borrowed
 * bytes) and a growable output buffer (sr_buf_t). Every parser in kernel/ and
 * protocol/ reads peer input through sr_reader_t, so a short input is an error code,
 * never an overread.
 */
#ifndef SR_BYTES_H
#define SR_BYTES_H

#include <string.h>

#include "sr_core.h"

SR_BEGIN_DECLS

/* ---- fixed-position helpers ---- */
static inline uint16_t sr_get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t sr_get_be24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}
static inline uint32_t sr_get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t sr_get_le32(const uint8_t *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}
static inline void sr_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void sr_put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}
static inline void sr_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void sr_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- reader over borrowed bytes ---- */
typedef struct sr_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} sr_reader_t;

static inline void sr_reader_init(sr_reader_t *r, const void *data, size_t size)
{
    r->data = (const uint8_t *)data;
    r->size = size;
    r->pos = 0;
}
static inline size_t sr_reader_left(const sr_reader_t *r)
{
    return r->size - r->pos;
}
static inline const uint8_t *sr_reader_cur(const sr_reader_t *r)
{
    return r->data + r->pos;
}

/* Each returns SR_OK or -SR_ETRUNCATED (and then consumes nothing). */
int sr_reader_u8(sr_reader_t *r, uint8_t *v);
int sr_reader_be16(sr_reader_t *r, uint16_t *v);
int sr_reader_be24(sr_reader_t *r, uint32_t *v);
int sr_reader_be32(sr_reader_t *r, uint32_t *v);
int sr_reader_le32(sr_reader_t *r, uint32_t *v);
int sr_reader_be64(sr_reader_t *r, uint64_t *v);
int sr_reader_double(sr_reader_t *r, double *v); /* IEEE 754 big-endian */
int sr_reader_bytes(sr_reader_t *r, void *out, size_t n);
/* Borrow n bytes in place: *p points into the reader's data. */
int sr_reader_ptr(sr_reader_t *r, size_t n, const uint8_t **p);
int sr_reader_skip(sr_reader_t *r, size_t n);

/* ---- growable output buffer ---- */
typedef struct sr_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} sr_buf_t;

void sr_buf_init(sr_buf_t *b);
void sr_buf_deinit(sr_buf_t *b);
void sr_buf_reserve(sr_buf_t *b, size_t extra);
static inline void sr_buf_reset(sr_buf_t *b)
{
    b->len = 0;
}
void sr_buf_put_u8(sr_buf_t *b, uint8_t v);
void sr_buf_put_be16(sr_buf_t *b, uint16_t v);
void sr_buf_put_be24(sr_buf_t *b, uint32_t v);
void sr_buf_put_be32(sr_buf_t *b, uint32_t v);
void sr_buf_put_le32(sr_buf_t *b, uint32_t v);
void sr_buf_put_be64(sr_buf_t *b, uint64_t v);
void sr_buf_put_double(sr_buf_t *b, double v);
void sr_buf_put_bytes(sr_buf_t *b, const void *p, size_t n);
void sr_buf_put_str(sr_buf_t *b, const char *s);
/* Append printf output. */
void sr_buf_printf(sr_buf_t *b, const char *fmt, ...) SR_PRINTF(2, 3);

SR_END_DECLS

#endif
