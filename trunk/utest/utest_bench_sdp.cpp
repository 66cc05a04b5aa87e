// SPDX-License-Identifier: MIT
// utest_bench_sdp.cpp: strand_bench's WHEP player reading an SDP answer
// (trunk/tools/bench/sr_bench_sdp.h): first match, CRLF and LF line ends, a longer
// attribute name that starts with the one asked for, a value that does not fit, none.
#include "sr_bench_sdp.h"
#include "sr_utest.h"

namespace
{

const char kAnswer[] = "v=0\r\n"
                       "a=ice-lite\r\n"
                       "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                       "a=ice-ufrag-x:wrong\r\n"
                       "a=ice-ufrag:abcd\r\n"
                       "a=ice-pwd:0123456789abcdef01234567\r\n"
                       "a=candidate:0 1 udp 2130706431 127.0.0.1 8000 typ host generation 0\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 106\r\n"
                       "a=ice-ufrag:second\n"
                       "a=fingerprint:sha-256 AB:CD\n";

TEST(BenchSdp, FirstAttributeWithCrlf)
{
    char out[64];
    ASSERT_TRUE(sr_bench_sdp_attr(kAnswer, "ice-ufrag", out, sizeof(out)));
    EXPECT_STREQ("abcd", out);
    ASSERT_TRUE(sr_bench_sdp_attr(kAnswer, "candidate", out, sizeof(out)));
    EXPECT_STREQ("0 1 udp 2130706431 127.0.0.1 8000 typ host generation 0", out);
}

TEST(BenchSdp, LfLineEndsAndLastLine)
{
    char out[64];
    ASSERT_TRUE(sr_bench_sdp_attr(kAnswer, "fingerprint", out, sizeof(out)));
    EXPECT_STREQ("sha-256 AB:CD", out);
}

TEST(BenchSdp, MissingOrTooLong)
{
    char out[8];
    EXPECT_FALSE(sr_bench_sdp_attr(kAnswer, "setup", out, sizeof(out)));
    EXPECT_FALSE(sr_bench_sdp_attr(kAnswer, "ice", out, sizeof(out))); /* only ice-lite, which has no ':' */
    EXPECT_FALSE(sr_bench_sdp_attr(kAnswer, "ice-pwd", out, sizeof(out)));
    EXPECT_TRUE(sr_bench_sdp_attr(kAnswer, "ice-ufrag", out, 5)); /* "abcd" and its NUL just fit */
    EXPECT_FALSE(sr_bench_sdp_attr(kAnswer, "ice-ufrag", out, 4));
    EXPECT_FALSE(sr_bench_sdp_attr("", "ice-ufrag", out, sizeof(out)));
}

} // namespace
