/* SPDX-License-Identifier: MIT */
/*
 * sr_jitter.c: timestamp correction for `time_jitter full|zero|off`. Pure arithmetic on
 * one consumer's timeline; see sr_jitter.h for the contract. Not a reorder buffer: a
 * late packet is held at the last output, it is never delayed or dropped here.
 */
#include "sr_jitter.h"

#include <string.h>

void sr_jitter_init(sr_jitter_t *j, sr_jitter_algo_t algo)
{
    memset(j, 0, sizeof(*j));
    j->algo = algo;
}

/* a - b, or false when it does not fit in int64 (a wrap/restart at the type's limits) */
static bool sr_jitter_sub(int64_t a, int64_t b, int64_t *out)
{
    return !__builtin_sub_overflow(a, b, out);
}

/*
 * full: the first A/V packet is 0, then each packet moves the timeline by its input delta.
 * _unclamped follows the input exactly between jumps, and the output is its running
 * maximum: a reordered packet is held at the last output and the next in-order packet
 * lands where it should, so clamping never accumulates drift. An input delta outside
 * +-SR_JITTER_MAX_DELTA_MS, or a timeline held back by more than that in total, is a
 * jump: continue SR_JITTER_DEFAULT_DELTA_MS after what the player has already seen.
 * _unclamped stays within [_last_out - 250, _last_out], so nothing can overflow.
 */
static int64_t sr_jitter_full(sr_jitter_t *j, int64_t dts)
{
    int64_t delta = 0;

    if (!j->_started) {
        j->_started = true;
        j->_last_in = dts;
        j->_unclamped = 0;
        j->_last_out = 0;
        return 0;
    }
    bool ok = sr_jitter_sub(dts, j->_last_in, &delta);
    j->_last_in = dts;
    if (!ok || delta < -SR_JITTER_MAX_DELTA_MS || delta > SR_JITTER_MAX_DELTA_MS ||
        j->_unclamped + delta < j->_last_out - SR_JITTER_MAX_DELTA_MS) {
        j->_unclamped = j->_last_out + SR_JITTER_DEFAULT_DELTA_MS;
    } else {
        j->_unclamped += delta;
    }
    if (j->_unclamped > j->_last_out) {
        j->_last_out = j->_unclamped;
    }
    return j->_last_out;
}

/* zero: shift by the first A/V dts; never below the last output (so never below 0) */
static int64_t sr_jitter_zero(sr_jitter_t *j, int64_t dts)
{
    int64_t out = 0;

    if (!j->_started) {
        j->_started = true;
        j->_base = dts;
    }
    if (!sr_jitter_sub(dts, j->_base, &out)) {
        out = dts < j->_base ? INT64_MIN : INT64_MAX;
    }
    if (out > j->_last_out) {
        j->_last_out = out;
    }
    return j->_last_out;
}

void sr_jitter_restart(sr_jitter_t *j)
{
    j->_is_restart = j->_started;
}

/* The first A/V packet of a new publisher: continue just after what was delivered. */
static int64_t sr_jitter_continue(sr_jitter_t *j, int64_t dts)
{
    j->_is_restart = false;
    j->_last_out += SR_JITTER_DEFAULT_DELTA_MS;
    j->_last_in = dts;
    j->_unclamped = j->_last_out;
    if (!sr_jitter_sub(dts, j->_last_out, &j->_base)) {
        j->_base = dts; /* unreachable for real timestamps; zero then clamps */
    }
    return j->_last_out;
}

int64_t sr_jitter_correct(sr_jitter_t *j, const sr_packet_t *pkt)
{
    if (j->algo != SR_JITTER_FULL && j->algo != SR_JITTER_ZERO) {
        return pkt->dts;
    }
    /* metadata at 0 does not move the timeline (see sr_jitter.h) */
    if (!sr_packet_is_av(pkt)) {
        return 0;
    }
    if (j->_is_restart) {
        return sr_jitter_continue(j, pkt->dts);
    }
    if (j->algo == SR_JITTER_FULL) {
        return sr_jitter_full(j, pkt->dts);
    }
    return sr_jitter_zero(j, pkt->dts);
}

static const char *const sr_jitter_names[] = {
    [SR_JITTER_FULL] = "full",
    [SR_JITTER_ZERO] = "zero",
    [SR_JITTER_OFF] = "off",
};

int sr_jitter_algo_parse(const char *name)
{
    if (!name) {
        return -1;
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_jitter_names); i++) {
        if (sr_jitter_names[i] && strcmp(sr_jitter_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *sr_jitter_algo_name(sr_jitter_algo_t algo)
{
    if ((size_t)algo < SR_ARRAY_SIZE(sr_jitter_names) && sr_jitter_names[algo]) {
        return sr_jitter_names[algo];
    }
    return "unknown";
}
