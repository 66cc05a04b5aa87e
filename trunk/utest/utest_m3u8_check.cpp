// SPDX-License-Identifier: MIT
// utest_m3u8_check.cpp: the playlist validator of the unit tests
// (sr_utest_m3u8_check.h, issue 16): it accepts valid media playlists, the low-latency
// example of the second edition among them, and refuses a minimal playlist breaking
// each rule with the line and section of the rule; and what our writer
// (sr_m3u8_encode) produces today passes it.
#include <string.h>

#include <algorithm>
#include <string>

#include "sr_bytes.h"
#include "sr_m3u8.h"
#include "sr_utest.h"
#include "sr_utest_m3u8_check.h"

namespace
{

const char *const kHead = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n";
// An LL-HLS head: parts of 1 s, version 6 for EXT-X-MAP.
const char *const kLlHead = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n"
                            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0\n"
                            "#EXT-X-PART-INF:PART-TARGET=1.0\n#EXT-X-MAP:URI=\"init.mp4\"\n";

testing::AssertionResult Good(const std::string &text, const SrM3u8Opts *o = nullptr)
{
    char why[512];
    int rc = sr_utest_m3u8_check_opts(text.data(), text.size(), o, why, sizeof(why));
    if (rc == 0) {
        return testing::AssertionSuccess();
    }
    return testing::AssertionFailure() << why << "\n" << text;
}

// The check fails at line with a reason containing needle (a section, a phrase).
testing::AssertionResult Bad(const std::string &text, int line, const char *needle, const SrM3u8Opts *o = nullptr)
{
    char why[512];
    int rc = sr_utest_m3u8_check_opts(text.data(), text.size(), o, why, sizeof(why));
    if (rc == line && strstr(why, needle)) {
        return testing::AssertionSuccess() << why;
    }
    return testing::AssertionFailure() << "rc " << rc << " (want " << line << "), why \"" << why << "\" (want \""
                                       << needle << "\")\n"
                                       << text;
}

// n parts of d seconds for segment msn, the first independent, then its EXTINF and URI
// when is_complete.
std::string Parts(int msn, int n, const char *d, bool is_complete, const char *extinf)
{
    std::string s;
    for (int i = 0; i < n; i++) {
        s += "#EXT-X-PART:DURATION=" + std::string(d) + ",URI=\"part" + std::to_string(msn) + "." + std::to_string(i) +
             ".mp4\"" + (i == 0 ? ",INDEPENDENT=YES" : "") + "\n";
    }
    if (is_complete) {
        s += "#EXTINF:" + std::string(extinf) + ",\nseg" + std::to_string(msn) + ".mp4\n";
    }
    return s;
}

} // namespace

// ---- valid playlists ----

TEST(M3u8Check, AcceptsVodAndLivePlaylists)
{
    EXPECT_TRUE(Good(std::string(kHead) + "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                                          "#EXTINF:5.005,\na.ts\n#EXTINF:6.49,title\nb.ts\n#EXT-X-ENDLIST\n"));
    // CRLF, comments, blank lines; integer durations need no version
    EXPECT_TRUE(Good("#EXTM3U\r\n# a comment\r\n\r\n#EXT-X-TARGETDURATION:10\r\n#EXTINF:10,\r\nx.ts\r\n"));
    // a live window with dates, a discontinuity that resets them, a gap and a bitrate
    EXPECT_TRUE(Good(std::string(kHead) +
                     "#EXT-X-MEDIA-SEQUENCE:41\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n"
                     "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:00.000Z\n"
                     "#EXTINF:6.000,\n41.ts\n#EXT-X-PROGRAM-DATE-TIME:2026-12-05T04:00:06.2+01:00\n"
                     "#EXTINF:4.000,\n42.ts\n#EXT-X-DISCONTINUITY\n"
                     "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T07:00:00Z\n#EXTINF:6.000,\n43.ts\n"
                     "#EXT-X-GAP\n#EXT-X-BITRATE:800\n#EXTINF:6.000,\n44.ts\n"));
    // the empty live playlist of a stream that has just started
    EXPECT_TRUE(Good(kHead));
    // a date range needs a program date-time somewhere
    EXPECT_TRUE(Good(std::string(kHead) + "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:00Z\n"
                                          "#EXT-X-DATERANGE:ID=\"ad1\",START-DATE=\"2026-12-05T03:00:02Z\","
                                          "DURATION=30.0\n#EXTINF:6,\na.ts\n"));
}

TEST(M3u8Check, AcceptsByteRangesMapsAndKeys)
{
    EXPECT_TRUE(Good("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n#EXT-X-BYTERANGE:1000@0\n"
                     "all.ts\n#EXTINF:4.0,\n#EXT-X-BYTERANGE:1500\nall.ts\n"));
    EXPECT_TRUE(Good("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n"
                     "#EXT-X-KEY:METHOD=AES-128,URI=\"k.bin\",IV=0x0123456789abcdef0123456789ABCDEF\n"
                     "#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"720@0\"\n#EXTINF:2.000,\n0.m4s\n"
                     "#EXT-X-KEY:METHOD=NONE\n#EXTINF:2.000,\n1.m4s\n"));
    // an I-frame playlist may use EXT-X-MAP from version 5
    EXPECT_TRUE(Good("#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:2\n#EXT-X-I-FRAMES-ONLY\n"
                     "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\n#EXT-X-BYTERANGE:300@1000\n0.m4s\n"));
}

// The low-latency example of draft-pantos-hls-rfc8216bis (9.11 "Low-Latency Playlist"),
// rebuilt from its description: 4 s segments of twelve 0.33334 s parts, the oldest
// segments without parts, the live edge three parts into segment 273 with a hint of the
// fourth, and reports of two other renditions. Its PART-HOLD-BACK of 1.0 is a hair
// under three parts (1.00002): the profile's tolerance lets the spec's own example pass.
TEST(M3u8Check, AcceptsTheDraftsLowLatencyExample)
{
    std::string pl = "#EXTM3U\n"
                     "#EXT-X-TARGETDURATION:4\n"
                     "#EXT-X-VERSION:6\n"
                     "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=24.0\n"
                     "#EXT-X-PART-INF:PART-TARGET=0.33334\n"
                     "#EXT-X-MEDIA-SEQUENCE:266\n"
                     "#EXT-X-PROGRAM-DATE-TIME:2019-02-14T02:13:36.106Z\n"
                     "#EXT-X-MAP:URI=\"init.mp4\"\n"
                     "#EXTINF:4.00008,\nfileSequence266.mp4\n"
                     "#EXTINF:4.00008,\nfileSequence267.mp4\n"
                     "#EXTINF:4.00008,\nfileSequence268.mp4\n"
                     "#EXTINF:4.00008,\nfileSequence269.mp4\n";
    pl += Parts(270, 12, "0.33334", true, "4.00008");
    pl += Parts(271, 12, "0.33334", true, "4.00008");
    pl += Parts(272, 12, "0.33334", true, "4.00008");
    pl += Parts(273, 3, "0.33334", false, nullptr);
    pl += "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part273.3.mp4\"\n"
          "#EXT-X-RENDITION-REPORT:URI=\"../1M/waitForMSN.php\",LAST-MSN=273,LAST-PART=2\n"
          "#EXT-X-RENDITION-REPORT:URI=\"../4M/waitForMSN.php\",LAST-MSN=273,LAST-PART=1\n";
    EXPECT_TRUE(Good(pl));

    // its delta update: the oldest segments replaced by EXT-X-SKIP (version 9)
    std::string delta = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-VERSION:9\n"
                        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=24.0\n"
                        "#EXT-X-PART-INF:PART-TARGET=0.33334\n#EXT-X-MEDIA-SEQUENCE:266\n"
                        "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXT-X-MAP:URI=\"init.mp4\"\n"
                        "#EXTINF:4.00008,\nfileSequence269.mp4\n";
    delta += Parts(270, 12, "0.33334", true, "4.00008");
    delta += Parts(271, 2, "0.33334", false, nullptr);
    delta += "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part271.2.mp4\"\n";
    EXPECT_TRUE(Good(delta));
}

// Every prefix and every one-byte change of a valid LL-HLS playlist is judged without a
// crash (ASan) and blamed on a line that exists, or the one after the last.
TEST(M3u8Check, JudgesEveryTruncationAndCorruption)
{
    std::string pl = std::string(kLlHead) + "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:00.000+00:00\n" +
                     Parts(7, 4, "1.0", true, "4.0") + Parts(8, 2, "1.0", false, nullptr) +
                     "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part8.2.mp4\"\n";
    ASSERT_TRUE(Good(pl));
    int lines = (int)std::count(pl.begin(), pl.end(), '\n');
    int refused = 0;
    for (size_t n = 0; n <= pl.size(); n++) {
        int rc = sr_utest_m3u8_check(pl.data(), n, NULL, 0);
        EXPECT_LE(0, rc);
        EXPECT_GE(lines + 1, rc);
    }
    const char subst[] = {'\0', '\n', '"', ',', '=', '.', '9', 'Z', ' ', '#', '\xff'};
    for (size_t i = 0; i < pl.size(); i++) {
        for (char c : subst) {
            std::string m = pl;
            m[i] = c;
            int rc = sr_utest_m3u8_check(m.data(), m.size(), NULL, 0);
            EXPECT_LE(0, rc);
            EXPECT_GE(lines + 2, rc); // a '\n' adds a line
            refused += rc != 0;
        }
    }
    EXPECT_LT(pl.size() * 5, (size_t)refused); // most changes break a rule
}

TEST(M3u8Check, AcceptsShortPartsWhereTheDraftAllowsThem)
{
    // independent, before a gap, last of its parent, last at the live edge
    std::string pl = std::string(kLlHead) + "#EXT-X-PART:DURATION=0.5,URI=\"a.0.mp4\",INDEPENDENT=YES\n"
                                            "#EXT-X-PART:DURATION=0.5,URI=\"a.1.mp4\"\n"
                                            "#EXT-X-PART:DURATION=1.0,URI=\"a.2.mp4\",GAP=YES\n"
                                            "#EXT-X-PART:DURATION=0.4,URI=\"a.3.mp4\"\n"
                                            "#EXTINF:2.4,\na.mp4\n"
                                            "#EXT-X-PART:DURATION=0.9,URI=\"b.0.mp4\",INDEPENDENT=YES\n"
                                            "#EXT-X-PART:DURATION=0.2,URI=\"b.1.mp4\"\n";
    EXPECT_TRUE(Good(pl));
    // a discontinuity before the first part of the next parent, then its hint
    EXPECT_TRUE(Good(std::string(kLlHead) + Parts(1, 2, "1.0", true, "2.0") +
                     "#EXT-X-DISCONTINUITY\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part2.0.mp4\"\n"));
}

// The C-style contract: 0 and an empty reason when valid; the line and a reason cut to
// why_size otherwise; why may be NULL.
TEST(M3u8Check, ReportsLineAndReason)
{
    std::string ok = std::string(kHead) + "#EXTINF:6,\na.ts\n";
    std::string bad = std::string(kHead) + "#EXTINF:7,\na.ts\n";
    char why[16] = "stale";
    EXPECT_EQ(0, sr_utest_m3u8_check(ok.data(), ok.size(), why, sizeof(why)));
    EXPECT_STREQ("", why);
    EXPECT_EQ(4, sr_utest_m3u8_check(bad.data(), bad.size(), why, sizeof(why)));
    EXPECT_STREQ("line 4: EXTINF ", why);
    EXPECT_EQ(4, sr_utest_m3u8_check(bad.data(), bad.size(), NULL, 0));
    // the text need not end with a newline, nor be NUL-terminated
    EXPECT_EQ(0, sr_utest_m3u8_check(ok.data(), ok.size() - 1, NULL, 0));
    EXPECT_EQ(1, sr_utest_m3u8_check("", 0, NULL, 0));
}

// ---- RFC 8216 4.1 and 4.3.1: the text and the basic tags ----

TEST(M3u8Check, RefusesBadText)
{
    EXPECT_TRUE(Bad("#EXT-X-TARGETDURATION:6\n", 1, "4.3.1.1"));
    EXPECT_TRUE(Bad("\n#EXTM3U\n#EXT-X-TARGETDURATION:6\n", 1, "4.3.1.1"));
    EXPECT_TRUE(Bad("\xEF\xBB\xBF#EXTM3U\n#EXT-X-TARGETDURATION:6\n", 1, "byte order mark (RFC 8216 4.1)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na\x01.ts\n", 5, "control character 0x01 (RFC 8216 4.1)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na.ts\rb.ts\n", 5, "control character 0x0d"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\n\xC3(.ts\n", 5, "not UTF-8"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\n\xC2\x85.ts\n", 5, "C1 control"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6, \na.ts\n", 4, "white space (RFC 8216 4.1)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na b.ts\n", 5, "URI with white space"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n", 4, "4.3.4"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-ENDLIST:YES\n", 4, "takes no value"));
    // a tag we do not know is valid, but is more likely a misspelt one of ours
    std::string typo = std::string(kHead) + "#EXT-X-PROGRAM-DATETIME:2026-12-05T03:00:00Z\n#EXTINF:6,\na.ts\n";
    EXPECT_TRUE(Bad(typo, 4, "unknown tag EXT-X-PROGRAM-DATETIME: misspelt? (clients ignore it, RFC 8216 6.3.1)"));
    SrM3u8Opts lenient;
    lenient.is_unknown_tag_error = false;
    EXPECT_TRUE(Good(typo, &lenient));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-START:TIME-OFFSET=+3\n", 4, "signed-decimal-floating-point"));
    EXPECT_TRUE(Good(std::string(kHead) + "#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES\n"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-BITRATE:1.5\n#EXTINF:6,\na.ts\n", 4, "8216bis 4.4.4.8"));
}

TEST(M3u8Check, RefusesVersionsTooLowForTheFeatures)
{
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-VERSION:3\n", 4, "at most once (RFC 8216 4.3.1.2)"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:three\n#EXT-X-TARGETDURATION:6\n", 2, "4.3.1.2"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:2\n#EXT-X-TARGETDURATION:6\n#EXTINF:5,\na.ts\n#EXTINF:5.5,\nb.ts\n", 6,
                    "decimal-floating-point EXTINF duration needs EXT-X-VERSION 3 or more, the playlist says 2"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:5.5,\nb.ts\n", 3, "the playlist implies 1"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:2.0,\n"
                    "0.m4s\n",
                    4, "EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY needs EXT-X-VERSION 6"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:9@0\n0.ts\n", 5,
                    "EXT-X-BYTERANGE needs EXT-X-VERSION 4"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n"
                    "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",KEYFORMAT=\"identity\"\n#EXTINF:2.0,\n0.ts\n",
                    4, "KEYFORMAT or KEYFORMATVERSIONS of EXT-X-KEY needs EXT-X-VERSION 5"));
}

// ---- RFC 8216 4.3.3: the media playlist tags ----

TEST(M3u8Check, RefusesTargetDurationBreaches)
{
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:5,\na.ts\n", 5, "no EXT-X-TARGETDURATION: it is REQUIRED"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-TARGETDURATION:6.0\n", 2, "not a decimal-integer (RFC 8216 4.3.3.1)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-TARGETDURATION:6\n", 4, "at most once (RFC 8216 4.3.3)"));
    // the nearest integer: 6.49 is 6, 6.5 is 7
    EXPECT_TRUE(Good(std::string(kHead) + "#EXTINF:6.49,\na.ts\n"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6.49,\na.ts\n#EXTINF:6.500,\nb.ts\n", 6,
                    "EXTINF 6.500 rounds to 7, over EXT-X-TARGETDURATION 6 (RFC 8216 4.3.3.1)"));
}

TEST(M3u8Check, RefusesSequenceTagsOutOfPlace)
{
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na.ts\n#EXT-X-MEDIA-SEQUENCE:3\n", 6,
                    "EXT-X-MEDIA-SEQUENCE after the first media segment (RFC 8216 4.3.3.2)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\n#EXT-X-MEDIA-SEQUENCE:3\na.ts\n", 5, "RFC 8216 4.3.3.2"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-MEDIA-SEQUENCE:3\n", 5, "at most once"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-MEDIA-SEQUENCE:-3\n", 4, "not a decimal-integer (RFC 8216 4.3.3.2)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na.ts\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n", 6, "RFC 8216 4.3.3.3"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-DISCONTINUITY\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n#EXTINF:6,\na.ts\n", 5,
                    "EXT-X-DISCONTINUITY-SEQUENCE after an EXT-X-DISCONTINUITY (RFC 8216 4.3.3.3)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-PLAYLIST-TYPE:LIVE\n", 4, "RFC 8216 4.3.3.5"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-ENDLIST\n#EXT-X-ENDLIST\n", 5, "RFC 8216 4.3.3.4"));
}

// ---- RFC 8216 4.3.2: the media segment tags ----

TEST(M3u8Check, RefusesSegmentsWithoutExtinfOrUri)
{
    EXPECT_TRUE(Bad(std::string(kHead) + "a.ts\n", 4, "URI line with no EXTINF before it: EXTINF is REQUIRED"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\n#EXTINF:6,\na.ts\n", 4, "no URI line before the next EXTINF"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na.ts\n#EXTINF:6,\n", 6, "EXTINF with no URI line after it"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6\na.ts\n", 4, "is not <duration>,[<title>] (RFC 8216 4.3.2.1)"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:-1,\na.ts\n", 4, "RFC 8216 4.3.2.1"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXTINF:6,\na.ts\n#EXT-X-DISCONTINUITY\n", 6,
                    "media segment tag with no segment, part or preload hint after it (RFC 8216 4.3.2)"));
}

TEST(M3u8Check, RefusesBadProgramDateTimes)
{
    std::string h = std::string(kHead) + "#EXT-X-PROGRAM-DATE-TIME:";
    EXPECT_TRUE(Bad(h + "2026-12-05T03:00:00\n#EXTINF:6,\na.ts\n", 4, "with a time zone (RFC 8216 4.3.2.6)"));
    EXPECT_TRUE(Bad(h + "2026-13-05T03:00:00Z\n#EXTINF:6,\na.ts\n", 4, "RFC 8216 4.3.2.6"));
    EXPECT_TRUE(Bad(h + "yesterday\n#EXTINF:6,\na.ts\n", 4, "RFC 8216 4.3.2.6"));
    // 6 s of media, then a date 10 s later with no discontinuity
    std::string jump = h + "2026-12-05T03:00:00Z\n#EXTINF:6,\na.ts\n"
                           "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:10Z\n#EXTINF:6,\nb.ts\n";
    EXPECT_TRUE(Bad(jump, 7, "4.000 s from the previous date plus the EXTINFs since"));
    SrM3u8Opts off;
    off.pdt_tolerance_s = -1;
    EXPECT_TRUE(Good(jump, &off));
    // a date after several segments without one, 1.5 s late: past the default 1 s
    EXPECT_TRUE(Bad(h + "2026-12-05T03:00:00Z\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n"
                        "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:13.5Z\n#EXTINF:6,\nc.ts\n",
                    9, "1.500 s from"));
    EXPECT_TRUE(Bad(std::string(kHead) + "#EXT-X-DATERANGE:ID=\"x\",START-DATE=\"2026-12-05T03:00:00Z\"\n"
                                         "#EXTINF:6,\na.ts\n",
                    4, "without EXT-X-PROGRAM-DATE-TIME (RFC 8216 4.3.2.7)"));
}

TEST(M3u8Check, RefusesBadMapsKeysAndRanges)
{
    std::string h = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n";
    EXPECT_TRUE(
        Bad(h + "#EXT-X-MAP:URI=init.mp4\n#EXTINF:2.0,\n0.m4s\n", 4, "must be a quoted-string (RFC 8216 4.3.2.5)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-MAP:BYTERANGE=\"9@0\"\n#EXTINF:2.0,\n0.m4s\n", 4, "REQUIRED URI attribute"));
    EXPECT_TRUE(Bad(h + "#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"a@0\"\n#EXTINF:2.0,\n0.m4s\n", 4, "RFC 8216 4.3.2.5"));
    EXPECT_TRUE(
        Bad(h + "#EXTINF:2.0,\n0.m4s\n", 5, "fragmented MPEG-4 0.m4s with no EXT-X-MAP before it (RFC 8216 3.3"));
    EXPECT_TRUE(Bad(h + "#EXT-X-KEY:METHOD=NONE,URI=\"k\"\n", 4, "METHOD=NONE with other attributes"));
    EXPECT_TRUE(Bad(h + "#EXT-X-KEY:METHOD=AES-128\n", 4, "without URI (RFC 8216 4.3.2.4)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-KEY:METHOD=AES-256,URI=\"k\"\n", 4, "one of NONE|AES-128"));
    EXPECT_TRUE(Bad(h + "#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXT-X-MAP:URI=\"i.mp4\"\n", 5, "without IV"));
    EXPECT_TRUE(Bad(h + "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x12G4\n", 4, "a hexadecimal-sequence"));
    EXPECT_TRUE(Bad(h + "#EXTINF:2.0,\n#EXT-X-BYTERANGE:9@0\na.ts\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:9\nb.ts\n", 8,
                    "previous segment is not a range of b.ts (RFC 8216 4.3.2.2)"));
}

// ---- RFC 8216 4.2: attribute lists ----

TEST(M3u8Check, RefusesBadAttributeLists)
{
    std::string h = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:";
    EXPECT_TRUE(Bad(h + "URI=\"i.mp4\",URI=\"j.mp4\"\n", 4, "attribute URI appears twice (RFC 8216 4.2)"));
    EXPECT_TRUE(Bad(h + "uri=\"i.mp4\"\n", 4, "bad AttributeName \"uri\""));
    EXPECT_TRUE(Bad(h + "URI=\"i.mp4\",\n", 4, "trailing ','"));
    EXPECT_TRUE(Bad(h + "URI=\"i.mp4\n", 4, "unterminated quoted-string"));
    EXPECT_TRUE(Bad(h + "URI=\"i.mp4\"BYTERANGE=\"1@0\"\n", 4, "expected ','"));
    EXPECT_TRUE(Bad(h + "URI=\n", 4, "empty or malformed value"));
    EXPECT_TRUE(Bad(h + "\n", 4, "empty attribute-list"));
    // enumerated-strings are never quoted
    EXPECT_TRUE(Bad(std::string(kLlHead) + "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\",INDEPENDENT=\"YES\"\n", 7,
                    "INDEPENDENT=\"YES\" must be one of YES (8216bis 4.4.4.9)"));
}

// ---- draft-pantos-hls-rfc8216bis: low latency ----

TEST(M3u8Check, RefusesBadServerControl)
{
    std::string h = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n";
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=NO\n", 4, "must be one of YES (8216bis 4.4.3.8)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12\n", 4, "under six Target Durations"));
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:HOLD-BACK=11.9\n", 4, "under three Target Durations"));
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:CAN-SKIP-DATERANGES=YES\n", 4, "without CAN-SKIP-UNTIL"));
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXT-X-PART-INF:PART-TARGET=1.0\n", 5,
                    "EXT-X-PART-INF without PART-HOLD-BACK"));
    EXPECT_TRUE(Bad(h + "#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1.9\n#EXT-X-PART-INF:PART-TARGET=1.0\n", 4,
                    "PART-HOLD-BACK=1.9 is under twice PART-TARGET=1 (8216bis 4.4.3.8)"));
    // the profile's rules, and without them
    std::string no_block = h + "#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=3.0\n#EXT-X-PART-INF:PART-TARGET=1.0\n";
    std::string short_hold =
        h + "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=2.5\n#EXT-X-PART-INF:PART-TARGET=1.0\n";
    EXPECT_TRUE(Bad(no_block, 5, "without CAN-BLOCK-RELOAD=YES (8216bis Appendix B.1 profile)"));
    EXPECT_TRUE(Bad(short_hold, 5, "under three PART-TARGET=1: SHOULD"));
    SrM3u8Opts plain;
    plain.is_ll_profile = false;
    EXPECT_TRUE(Good(no_block, &plain));
    EXPECT_TRUE(Good(short_hold, &plain));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART-INF:PART-TARGET=1.0\n#EXT-X-PART-INF:PART-TARGET=1.0\n", 5, "8216bis 4.4.3"));
}

TEST(M3u8Check, RefusesBadParts)
{
    std::string h = kLlHead; // 6 lines
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"i.mp4\"\n"
                    "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\"\n",
                    5, "EXT-X-PART in a playlist without EXT-X-PART-INF (8216bis 4.4.3.7)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.0\n", 7, "without its REQUIRED URI attribute (8216bis 4.4.4.9)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:URI=\"p.mp4\"\n", 7, "REQUIRED DURATION"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.01,URI=\"p.mp4\"\n", 7, "DURATION=1.01 over PART-TARGET=1"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\",INDEPENDENT=NO\n", 7, "must be one of YES"));
    EXPECT_TRUE(Bad(h + "#EXTINF:1.0,\n#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\"\ns.mp4\n", 8,
                    "between the EXTINF at line 7 and its URI"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\"\n#EXT-X-DISCONTINUITY\n", 8,
                    "EXT-X-DISCONTINUITY after the EXT-X-PART at line 7 of the same parent segment (8216bis 4.4.4.9)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-05T03:00:00Z\n", 8,
                    "8216bis 4.4.4.9"));
    // 0.8 s is under 85% of 1 s, and neither independent nor last
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=0.8,URI=\"p0.mp4\"\n#EXT-X-PART:DURATION=1.0,URI=\"p1.mp4\"\n"
                        "#EXTINF:1.8,\ns.mp4\n",
                    7, "under 85% of PART-TARGET=1 (8216bis 4.4.4.9)"));
    EXPECT_TRUE(Bad(h + Parts(1, 3, "1.0", true, "3.0") + Parts(2, 3, "1.0", true, "3.2"), 15,
                    "EXTINF 3.20000 but its EXT-X-PARTs sum to 3.00000"));
    EXPECT_TRUE(Bad(h + Parts(1, 3, "1.0", true, "3.0") + "#EXTINF:3.0,\nseg2.mp4\n", 13,
                    "segment without EXT-X-PART after one with parts (line 11)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PART:DURATION=1.0,URI=\"p.mp4\",BYTERANGE=\"9@x\"\n", 7, "BYTERANGE"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n"
                    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0\n#EXT-X-PART-INF:PART-TARGET=1.0\n"
                    "#EXT-X-PART:DURATION=1.0,URI=\"p.m4s\"\n",
                    6, "fragmented MPEG-4 p.m4s with no EXT-X-MAP"));
}

TEST(M3u8Check, RefusesBadHintsAndSkips)
{
    std::string h = kLlHead;
    EXPECT_TRUE(Bad(h + "#EXT-X-PRELOAD-HINT:TYPE=SEGMENT,URI=\"p.mp4\"\n", 7, "one of PART|MAP (8216bis 4.4.5.3)"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PRELOAD-HINT:TYPE=PART\n", 7, "REQUIRED URI"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p.mp4\",BYTERANGE-START=1.5\n", 7, "decimal-integer"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p.mp4\"\n#EXT-X-ENDLIST\n", 7,
                    "EXT-X-PRELOAD-HINT in a playlist with EXT-X-ENDLIST"));
    EXPECT_TRUE(Bad(h + "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p.mp4\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"q.mp4\"\n", 8,
                    "a second EXT-X-PRELOAD-HINT TYPE=PART (first at line 7)"));

    std::string s = "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:4\n#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=24\n";
    EXPECT_TRUE(Good(s + "#EXT-X-SKIP:SKIPPED-SEGMENTS=10\n#EXTINF:4,\na.ts\n"));
    EXPECT_TRUE(Bad(s + "#EXT-X-SKIP:RECENTLY-REMOVED-DATERANGES=\"\"\n", 5, "REQUIRED SKIPPED-SEGMENTS"));
    EXPECT_TRUE(Bad(s + "#EXT-X-SKIP:SKIPPED-SEGMENTS=10,RECENTLY-REMOVED-DATERANGES=\"a\tb\"\n", 5,
                    "RECENTLY-REMOVED-DATERANGES needs EXT-X-VERSION 10"));
    EXPECT_TRUE(Bad(s + "#EXTINF:4,\na.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n", 7, "after a media segment"));
    EXPECT_TRUE(Bad(s + "#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n", 6, "at most once"));
    EXPECT_TRUE(Bad(s + "#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXT-X-ENDLIST\n", 5, "no delta updates then"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:4\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n", 4,
                    "has no CAN-SKIP-UNTIL (8216bis 6.2.5.1)"));
    EXPECT_TRUE(Bad("#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:4\n#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=24\n"
                    "#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n",
                    5, "EXT-X-SKIP needs EXT-X-VERSION 9 or more, the playlist says 8"));
}

// ---- our writer ----

// What sr_m3u8_encode writes today: a live window with a discontinuity, slid past it.
TEST(M3u8Check, AcceptsWhatOurWriterEncodes)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    pl.media_sequence = 100;
    EXPECT_TRUE(Good(sr_utest_m3u8_text(&pl, sr_m3u8_target_duration(&pl, 2.0), "/live/")));
    sr_m3u8_append(&pl, "s-100.ts", 2.0, false);
    sr_m3u8_append(&pl, "s-101.ts", 2.48, false);
    sr_m3u8_append(&pl, "s-102.ts", 1.2, true); // a republish
    sr_m3u8_append(&pl, "s-103.ts", 3.5, false);
    sr_m3u8_append(&pl, "s-104.ts", 2.0, true);
    std::string text = sr_utest_m3u8_text(&pl, sr_m3u8_target_duration(&pl, 2.0), "/live/");
    EXPECT_TRUE(Good(text));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-DISCONTINUITY\n"));
    // slide the window past the first discontinuity: the sequences advance
    for (int i = 0; i < 3; i++) {
        EXPECT_TRUE(sr_m3u8_shift(&pl, NULL));
        EXPECT_TRUE(Good(sr_utest_m3u8_text(&pl, sr_m3u8_target_duration(&pl, 2.0), NULL)));
    }
    EXPECT_EQ(103u, pl.media_sequence);
    EXPECT_EQ(1u, pl.discontinuity_sequence);
    text = sr_utest_m3u8_text(&pl, sr_m3u8_target_duration(&pl, 2.0), "");
    EXPECT_TRUE(Good(text));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
    sr_m3u8_deinit(&pl);
}

// A long run of appends and slides with uneven durations: every playlist the writer
// produces on the way is valid, its target duration included.
TEST(M3u8Check, AcceptsEveryWindowOfALongRun)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    char uri[32];
    int checked = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(uri, sizeof(uri), "s-%d.ts", i);
        double d = 1.0 + (i * 37 % 23) / 10.0; // 1.0 .. 3.2 s
        sr_m3u8_append(&pl, uri, d, i % 17 == 5);
        if (pl.count > 5) {
            sr_m3u8_shift(&pl, NULL);
        }
        std::string text = sr_utest_m3u8_text(&pl, sr_m3u8_target_duration(&pl, 2.0), "/live/");
        ASSERT_TRUE(Good(text)) << "after segment " << i;
        checked++;
    }
    EXPECT_EQ(200, checked);
    sr_m3u8_deinit(&pl);
}
