/* SPDX-License-Identifier: MIT */
#include "sr_random.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

void sr_random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            abort(); /* no kernel randomness: nothing sensible to go on with */
        }
        p += got;
        n -= (size_t)got;
    }
}

uint32_t sr_random_u32(void)
{
    uint32_t v = 0;
    while (v == 0) {
        sr_random_bytes(&v, sizeof(v));
    }
    return v;
}
