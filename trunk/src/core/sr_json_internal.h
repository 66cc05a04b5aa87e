/* SPDX-License-Identifier: MIT */
/*
 * sr_json_internal.h: helpers shared by sr_json_writer.c and sr_json_parse.c. Tests may
 * include it; nothing outside the sr_json module may.
 */
#ifndef SR_JSON_INTERNAL_H
#define SR_JSON_INTERNAL_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Length (2..4) of the valid UTF-8 sequence at s (s[0] >= 0x80, left >= 1 bytes
 * readable, borrowed), or 0 if it is not one: bad lead byte, overlong form, surrogate
 * (U+D800..DFFF), above U+10FFFF, or truncated by left (RFC 3629 4). */
size_t sr_json__utf8_len(const uint8_t *s, size_t left);

SR_END_DECLS

#endif
