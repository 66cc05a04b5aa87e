/* SPDX-License-Identifier: MIT */
#include "sr_output.h"

#include "sr_dvr.h"
#include "sr_forward.h"
#include "sr_hls.h"

/* DVR first: a recording starts with the stream's first frames. */
const sr_output_kind_t *const sr_output_kinds[] = {
    &sr_dvr_output,
    &sr_hls_output,
    &sr_forward_output,
};
const size_t sr_output_kind_count = SR_ARRAY_SIZE(sr_output_kinds);
