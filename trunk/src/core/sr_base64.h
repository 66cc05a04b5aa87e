/* SPDX-License-Identifier: MIT */
/*
 * sr_base64.h: base64 with the standard alphabet (RFC 4648 4), as HTTP Basic auth
 * and SDP sprop-parameter-sets (RFC 6184 8.1, RFC 7798 7.1) carry it. Pure byte
 * work on caller storage: no allocation, no error trail. Not for the URL-safe
 * alphabet (RFC 4648 5) or MIME line breaks.
 */
#ifndef SR_BASE64_H
#define SR_BASE64_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Most bytes that decoding len base64 characters can give (padding included). */
static inline size_t sr_base64_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4) * 3 / 4;
}

/* Characters sr_base64_encode() writes for n bytes, without the NUL. */
static inline size_t sr_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Decode in[0..len) (standard alphabet, '=' padding optional but, when present,
 * making the length a multiple of 4) into out[0..cap), setting *written. in and out
 * are borrowed for the call; out is not NUL-terminated. Bits left over in the last
 * character are ignored (RFC 4648 3.5 lets decoders accept them). Returns
 * -SR_EFORMAT for a character outside the alphabet (whitespace too), '=' other than
 * one or two at the end, or a length that is 1 mod 4 without padding; -SR_EOVERFLOW
 * when cap is too small (out then holds a prefix). */
int sr_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *written);

/* Encode in[0..n) with '=' padding into out, which must hold
 * sr_base64_encoded_len(n) + 1 bytes; out is NUL-terminated. Both borrowed. */
void sr_base64_encode(const uint8_t *in, size_t n, char *out);

SR_END_DECLS

#endif
