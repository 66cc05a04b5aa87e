// SPDX-License-Identifier: MIT
// sr_utest_m3u8_check.h: a validator of HLS media playlists for the unit tests (issue
// 16): the text our writers produce is checked against the rules of RFC 8216 and of
// its low-latency second edition (draft-pantos-hls-rfc8216bis: partial segments,
// server control, preload hints, delta updates) by our own reading of the spec, not by
// the parser that reads the playlist back. The first broken rule is reported with its
// line and section.
//
// Not here: multivariant (master) playlists (their tags are an error in a media
// playlist), the media itself, I/O. Unknown tags are an error by default (our writers
// write none; SrM3u8Opts allows them, as the spec tells clients to). Rules beyond the spec's MUSTs are marked in their
// reason (SHOULD, profile, derived) and can be relaxed through SrM3u8Opts.
#ifndef SR_UTEST_M3U8_CHECK_H
#define SR_UTEST_M3U8_CHECK_H

#include <stddef.h>

#include <string>

#include "sr_bytes.h"
#include "sr_m3u8.h"

#include "sr_utest_m3u8_attr.h"

struct SrM3u8Opts {
    // EXT-X-PROGRAM-DATE-TIME of a segment against the previous one plus the EXTINFs
    // between them, when no discontinuity separates them. < 0: not checked.
    double pdt_tolerance_s = 1.0;
    // The EXT-X-PART durations of a parent segment against its EXTINF (the same
    // samples, 8216bis 3.2). < 0: not checked.
    double part_sum_tolerance_s = 0.05;
    // With partial segments, the Low-Latency Server Configuration Profile
    // (8216bis Appendix B.1; Apple's authoring spec 14.1, 14.3): CAN-BLOCK-RELOAD=YES
    // and PART-HOLD-BACK at least three Part Target Durations.
    bool is_ll_profile = true;
    // Clients MUST ignore tags they do not know (RFC 8216 6.3.1), so such a playlist is
    // valid; but our writers write none, and a misspelt tag would pass unseen.
    bool is_unknown_tag_error = true;
};

// 0 when text (len bytes, borrowed) is a valid media playlist; else the 1-based line of
// the first violation (the line after the last for a rule about the whole playlist),
// with "line N: <reason> (<section>)" written into why (NUL-terminated, cut to
// why_size; why may be NULL). opts NULL: the defaults above.
inline int sr_utest_m3u8_check_opts(const char *text, size_t len, const SrM3u8Opts *opts, char *why, size_t why_size);
// The text sr_m3u8_encode writes for pl: what the tests check.
inline std::string sr_utest_m3u8_text(const sr_m3u8_t *pl, int target_duration, const char *prefix)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_m3u8_encode(pl, target_duration, prefix, &b);
    std::string s((const char *)b.data, b.len);
    sr_buf_deinit(&b);
    return s;
}

inline int sr_utest_m3u8_check(const char *text, size_t len, char *why, size_t why_size)
{
    return sr_utest_m3u8_check_opts(text, len, nullptr, why, why_size);
}

#include "sr_utest_m3u8_check_impl.h"

#endif
