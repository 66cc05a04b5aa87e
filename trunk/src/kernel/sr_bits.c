/* SPDX-License-Identifier: MIT */
/*
 * sr_bits.c: the MSB-first bit reader the codec parsers use, with Exp-Golomb codes
 * (H.264 9.1) and in-place removal of emulation-prevention bytes (H.264 7.4.1,
 * H.265 7.4.2: inside a NAL unit, 0x000003 stands for 0x0000). Bit-at-a-time on
 * purpose: it parses configuration records, not slices, and stays easy to check.
 */
#include "sr_codec.h"

#include "sr_error.h"

void sr_bits_init(sr_bits_t *b, const uint8_t *data, size_t size)
{
    b->data = data;
    b->size = size;
    b->pos = 0;
    b->cache = 0;
    b->left = 0;
    b->zeros = 0;
    b->is_rbsp = false;
}

void sr_bits_init_rbsp(sr_bits_t *b, const uint8_t *data, size_t size)
{
    sr_bits_init(b, data, size);
    b->is_rbsp = true;
}

/* Load the next byte into the cache, dropping an emulation_prevention_three_byte. */
static int sr_bits_load(sr_bits_t *b)
{
    if (b->is_rbsp && b->zeros >= 2 && b->pos < b->size && b->data[b->pos] == 0x03) {
        b->pos++;
        b->zeros = 0;
    }
    if (b->pos >= b->size) {
        return -SR_ETRUNCATED;
    }
    b->cache = b->data[b->pos++];
    b->left = 8;
    b->zeros = b->cache == 0 ? (uint8_t)SR_MIN(b->zeros + 1, 2) : 0;
    return SR_OK;
}

static int sr_bits_bit(sr_bits_t *b, uint32_t *bit)
{
    if (b->left == 0) {
        int rc = sr_bits_load(b);
        if (rc != SR_OK) {
            return rc;
        }
    }
    b->left--;
    *bit = (b->cache >> b->left) & 1;
    return SR_OK;
}

int sr_bits_read(sr_bits_t *b, unsigned n, uint32_t *v)
{
    if (n > 32) {
        return -SR_EINVAL;
    }
    uint32_t acc = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t bit;
        int rc = sr_bits_bit(b, &bit);
        if (rc != SR_OK) {
            return rc;
        }
        acc = (acc << 1) | bit;
    }
    *v = acc;
    return SR_OK;
}

int sr_bits_flag(sr_bits_t *b, bool *v)
{
    uint32_t bit;
    int rc = sr_bits_bit(b, &bit);
    if (rc == SR_OK) {
        *v = bit != 0;
    }
    return rc;
}

int sr_bits_skip(sr_bits_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t bit;
        int rc = sr_bits_bit(b, &bit);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

int sr_bits_ue(sr_bits_t *b, uint32_t *v)
{
    /* codeNum = 2^leadingZeroBits - 1 + read_bits(leadingZeroBits) */
    unsigned zeros = 0;
    for (;;) {
        uint32_t bit;
        int rc = sr_bits_bit(b, &bit);
        if (rc != SR_OK) {
            return rc;
        }
        if (bit) {
            break;
        }
        if (++zeros > 31) {
            return -SR_EFORMAT;
        }
    }
    uint32_t suffix;
    int rc = sr_bits_read(b, zeros, &suffix);
    if (rc != SR_OK) {
        return rc;
    }
    *v = (uint32_t)((((uint64_t)1 << zeros) - 1) + suffix);
    return SR_OK;
}

int sr_bits_ue_max(sr_bits_t *b, uint32_t max, uint32_t *v)
{
    int rc = sr_bits_ue(b, v);
    if (rc == SR_OK && *v > max) {
        return -SR_EFORMAT;
    }
    return rc;
}

int sr_bits_se(sr_bits_t *b, int32_t *v)
{
    /* 9.1.1: codeNum k maps to (-1)^(k+1) * Ceil(k / 2) */
    uint32_t k;
    int rc = sr_bits_ue(b, &k);
    if (rc != SR_OK) {
        return rc;
    }
    int64_t mag = ((int64_t)k + 1) / 2;
    *v = (int32_t)((k & 1) ? mag : -mag);
    return SR_OK;
}

bool sr_bits_is_empty(const sr_bits_t *b)
{
    if (b->left > 0) {
        return false;
    }
    size_t pos = b->pos;
    if (b->is_rbsp && b->zeros >= 2 && pos < b->size && b->data[pos] == 0x03) {
        pos++;
    }
    return pos >= b->size;
}
