/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what every libFuzzer harness here shares: the invariant check, which aborts
 * (so libFuzzer saves the input) with the failed condition.
 */
#ifndef SR_FUZZ_H
#define SR_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                               \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#endif
