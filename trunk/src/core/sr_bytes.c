/* SPDX-License-Identifier: MIT */
#include "sr_bytes.h"

#include <stdarg.h>
#include <stdio.h>

#include "sr_alloc.h"
#include "sr_error.h"

#define SR_READER_NEED(r, n)                                                                                           \
    do {                                                                                                               \
        if (sr_reader_left(r) < (n))                                                                                   \
            return -SR_ETRUNCATED;                                                                                     \
    } while (0)

int sr_reader_u8(sr_reader_t *r, uint8_t *v)
{
    SR_READER_NEED(r, 1);
    *v = r->data[r->pos++];
    return SR_OK;
}

int sr_reader_be16(sr_reader_t *r, uint16_t *v)
{
    SR_READER_NEED(r, 2);
    *v = sr_get_be16(r->data + r->pos);
    r->pos += 2;
    return SR_OK;
}

int sr_reader_be24(sr_reader_t *r, uint32_t *v)
{
    SR_READER_NEED(r, 3);
    *v = sr_get_be24(r->data + r->pos);
    r->pos += 3;
    return SR_OK;
}

int sr_reader_be32(sr_reader_t *r, uint32_t *v)
{
    SR_READER_NEED(r, 4);
    *v = sr_get_be32(r->data + r->pos);
    r->pos += 4;
    return SR_OK;
}

int sr_reader_le32(sr_reader_t *r, uint32_t *v)
{
    SR_READER_NEED(r, 4);
    *v = sr_get_le32(r->data + r->pos);
    r->pos += 4;
    return SR_OK;
}

int sr_reader_be64(sr_reader_t *r, uint64_t *v)
{
    SR_READER_NEED(r, 8);
    *v = ((uint64_t)sr_get_be32(r->data + r->pos) << 32) | sr_get_be32(r->data + r->pos + 4);
    r->pos += 8;
    return SR_OK;
}

int sr_reader_double(sr_reader_t *r, double *v)
{
    uint64_t bits;
    int rc = sr_reader_be64(r, &bits);
    if (rc == SR_OK) {
        memcpy(v, &bits, sizeof(*v));
    }
    return rc;
}

int sr_reader_bytes(sr_reader_t *r, void *out, size_t n)
{
    SR_READER_NEED(r, n);
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
    return SR_OK;
}

int sr_reader_ptr(sr_reader_t *r, size_t n, const uint8_t **p)
{
    SR_READER_NEED(r, n);
    *p = r->data + r->pos;
    r->pos += n;
    return SR_OK;
}

int sr_reader_skip(sr_reader_t *r, size_t n)
{
    SR_READER_NEED(r, n);
    r->pos += n;
    return SR_OK;
}

void sr_buf_init(sr_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sr_buf_deinit(sr_buf_t *b)
{
    sr_free(b->data);
    sr_buf_init(b);
}

void sr_buf_reserve(sr_buf_t *b, size_t extra)
{
    if (b->len + extra <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    b->data = sr_realloc(b->data, cap);
    b->cap = cap;
}

void sr_buf_put_u8(sr_buf_t *b, uint8_t v)
{
    sr_buf_reserve(b, 1);
    b->data[b->len++] = v;
}

void sr_buf_put_be16(sr_buf_t *b, uint16_t v)
{
    sr_buf_reserve(b, 2);
    sr_put_be16(b->data + b->len, v);
    b->len += 2;
}

void sr_buf_put_be24(sr_buf_t *b, uint32_t v)
{
    sr_buf_reserve(b, 3);
    sr_put_be24(b->data + b->len, v);
    b->len += 3;
}

void sr_buf_put_be32(sr_buf_t *b, uint32_t v)
{
    sr_buf_reserve(b, 4);
    sr_put_be32(b->data + b->len, v);
    b->len += 4;
}

void sr_buf_put_le32(sr_buf_t *b, uint32_t v)
{
    sr_buf_reserve(b, 4);
    sr_put_le32(b->data + b->len, v);
    b->len += 4;
}

void sr_buf_put_be64(sr_buf_t *b, uint64_t v)
{
    sr_buf_put_be32(b, (uint32_t)(v >> 32));
    sr_buf_put_be32(b, (uint32_t)v);
}

void sr_buf_put_double(sr_buf_t *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    sr_buf_put_be64(b, bits);
}

void sr_buf_put_bytes(sr_buf_t *b, const void *p, size_t n)
{
    if (n == 0) {
        return;
    }
    sr_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void sr_buf_put_str(sr_buf_t *b, const char *s)
{
    sr_buf_put_bytes(b, s, strlen(s));
}

void sr_buf_printf(sr_buf_t *b, const char *fmt, ...)
{
    sr_buf_reserve(b, 128);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        sr_buf_reserve(b, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}
