/* SPDX-License-Identifier: MIT */
/*
 * sr_base64.c: standard base64 (RFC 4648 4) decoding and encoding on caller
 * buffers. Strict on input it cannot interpret (characters outside the alphabet,
 * misplaced padding), lenient only where the RFC allows it (missing padding,
 * non-zero pad bits), because callers feed it peer text: HTTP Authorization headers
 * and SDP fmtp values.
 */
#include "sr_base64.h"

#include "sr_error.h"

static const char sr_base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 6-bit value of c, or -1 outside the alphabet. */
static int sr_base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int sr_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    size_t pad = 0;
    while (pad < 2 && len > pad && in[len - 1 - pad] == '=') {
        pad++;
    }
    if ((pad > 0 && len % 4 != 0) || (len - pad) % 4 == 1) {
        return -SR_EFORMAT;
    }
    len -= pad;
    size_t n = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sr_base64_value(in[i]);
        if (v < 0) {
            return -SR_EFORMAT; /* also a third '=' or one in the middle */
        }
        acc = ((acc << 6) | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) {
                *written = n;
                return -SR_EOVERFLOW;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    *written = n;
    return SR_OK;
}

void sr_base64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        size_t left = n - i;
        uint32_t v = (uint32_t)in[i] << 16;
        if (left > 1) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (left > 2) {
            v |= in[i + 2];
        }
        out[o++] = sr_base64_alphabet[(v >> 18) & 63];
        out[o++] = sr_base64_alphabet[(v >> 12) & 63];
        out[o++] = left > 1 ? sr_base64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = left > 2 ? sr_base64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}
