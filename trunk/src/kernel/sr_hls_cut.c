/* SPDX-License-Identifier: MIT */
#include "sr_hls_cut.h"

bool sr_hls_cut_is_due(const sr_hls_cut_rule_t *rule, bool has_video, bool is_keyframe, double elapsed_s)
{
    if (!has_video) {
        return elapsed_s >= rule->fragment_s * rule->aof_ratio;
    }
    if (!rule->is_wait_keyframe) {
        return elapsed_s >= rule->fragment_s;
    }
    return (is_keyframe && elapsed_s >= rule->fragment_s) || elapsed_s >= SR_HLS_CUT_MAX_S;
}
