/* SPDX-License-Identifier: MIT */
/*
 * sr_context.c: the context-id generator and the provider hook. The ids only need to
 * be distinct enough to grep a log, so a xorshift seeded from time and pid does.
 */
#include "sr_context.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static sr_context_t sr_context_process;
static sr_context_provider_fn sr_context_provider;
static uint64_t sr_context_rng;

sr_context_t *sr_context_current(void)
{
    sr_context_t *ctx = sr_context_provider ? sr_context_provider() : NULL;
    return ctx ? ctx : &sr_context_process;
}

void sr_context_set_provider(sr_context_provider_fn fn)
{
    sr_context_provider = fn;
}

static uint64_t sr_context_next_random(void)
{
    if (sr_context_rng == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        sr_context_rng =
            ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^ 0x9E3779B97F4A7C15ULL;
    }
    sr_context_rng ^= sr_context_rng << 13;
    sr_context_rng ^= sr_context_rng >> 7;
    sr_context_rng ^= sr_context_rng << 17;
    return sr_context_rng;
}

void sr_context_new_cid(char *cid)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint64_t r = sr_context_next_random();
    for (int i = 0; i < SR_CID_LEN; i++) {
        cid[i] = alphabet[r % (sizeof(alphabet) - 1)];
        r /= (sizeof(alphabet) - 1);
    }
    cid[SR_CID_LEN] = '\0';
}

void sr_context_init(sr_context_t *ctx)
{
    sr_context_new_cid(ctx->cid);
    ctx->trail_len = 0;
    ctx->trail[0] = '\0';
}
