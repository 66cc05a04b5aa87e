/* SPDX-License-Identifier: MIT */
/*
 * sr_random.h: unpredictable numbers from the kernel (getrandom): session ids, SSRCs,
 * initial sequence numbers, which RFC 3550 and RFC 2326 want hard to guess.
 */
#ifndef SR_RANDOM_H
#define SR_RANDOM_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Fill out[0..n) with random bytes; blocks only before the kernel's pool is ready. */
void sr_random_bytes(void *out, size_t n);
/* A random non-zero 32-bit number. */
uint32_t sr_random_u32(void);

SR_END_DECLS

#endif
