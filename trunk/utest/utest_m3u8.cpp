// SPDX-License-Identifier: MIT
// utest_m3u8.cpp: the HLS media playlist (sr_m3u8.h): exact text per RFC 8216 and
// reading back what we wrote (a republish continues from the file on disk).
#include <string.h>

#include <string>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_m3u8.h"
#include "sr_utest.h"
#include "sr_utest_m3u8_check.h"

TEST(M3u8, EncodesExactText)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    pl.media_sequence = 7;
    sr_m3u8_append(&pl, "x-7.ts", 2.0, false);
    sr_m3u8_append(&pl, "x-8.ts", 2.023, false);
    sr_m3u8_append(&pl, "x-9.ts", 1.5, true);
    EXPECT_EQ(3, sr_m3u8_target_duration(&pl, 2.0));
    EXPECT_EQ(10u, sr_m3u8_next_sequence(&pl));
    EXPECT_EQ("#EXTM3U\n"
              "#EXT-X-VERSION:3\n"
              "#EXT-X-TARGETDURATION:3\n"
              "#EXT-X-MEDIA-SEQUENCE:7\n"
              "#EXTINF:2.000,\n"
              "x-7.ts\n"
              "#EXTINF:2.023,\n"
              "x-8.ts\n"
              "#EXT-X-DISCONTINUITY\n"
              "#EXTINF:1.500,\n"
              "x-9.ts\n",
              sr_utest_m3u8_text(&pl, 3, NULL));
    EXPECT_NE(std::string::npos, sr_utest_m3u8_text(&pl, 3, "http://cdn/live/").find("\nhttp://cdn/live/x-8.ts\n"));
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, TargetDurationIsAtLeastTheConfiguredOne)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    EXPECT_EQ(10, sr_m3u8_target_duration(&pl, 10.0));
    EXPECT_EQ(3, sr_m3u8_target_duration(&pl, 2.5)); // hls_fragment 2 * td_ratio 1.25
    EXPECT_EQ(1, sr_m3u8_target_duration(&pl, 0.2));
    sr_m3u8_append(&pl, "a.ts", 4.0004, false); // printed as 4.000: no need for 5
    EXPECT_EQ(4, sr_m3u8_target_duration(&pl, 2));
    sr_m3u8_append(&pl, "b.ts", 4.2, false);
    EXPECT_EQ(5, sr_m3u8_target_duration(&pl, 2));
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, ShiftAdvancesSequences)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    sr_m3u8_append(&pl, "a.ts", 2, false);
    sr_m3u8_append(&pl, "b.ts", 2, true);
    sr_m3u8_append(&pl, "c.ts", 2, false);
    EXPECT_DOUBLE_EQ(6.0, sr_m3u8_total_s(&pl));
    sr_m3u8_entry_t old;
    ASSERT_TRUE(sr_m3u8_shift(&pl, &old));
    EXPECT_STREQ("a.ts", old.uri);
    EXPECT_EQ(0u, pl.discontinuity_sequence);
    ASSERT_TRUE(sr_m3u8_shift(&pl, &old));
    EXPECT_EQ(1u, pl.discontinuity_sequence); // RFC 8216 6.2.2
    EXPECT_EQ(2u, pl.media_sequence);
    EXPECT_EQ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:2\n"
              "#EXT-X-DISCONTINUITY-SEQUENCE:1\n#EXTINF:2.000,\nc.ts\n",
              sr_utest_m3u8_text(&pl, 2, ""));
    ASSERT_TRUE(sr_m3u8_shift(&pl, NULL));
    EXPECT_FALSE(sr_m3u8_shift(&pl, NULL));
    EXPECT_EQ(3u, sr_m3u8_next_sequence(&pl));
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, ParsesWhatItWrites)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    pl.media_sequence = 41;
    pl.discontinuity_sequence = 2;
    sr_m3u8_append(&pl, "live/x-41.ts", 2.04, false);
    sr_m3u8_append(&pl, "live/x-42.ts", 1.96, true);
    std::string text = sr_utest_m3u8_text(&pl, 3, "http://cdn/");
    sr_m3u8_t back;
    sr_m3u8_init(&back);
    ASSERT_SR_OK(sr_m3u8_parse(text.data(), text.size(), "http://cdn/", &back));
    EXPECT_EQ(41u, back.media_sequence);
    EXPECT_EQ(2u, back.discontinuity_sequence);
    ASSERT_EQ(2u, back.count);
    EXPECT_STREQ("live/x-41.ts", back.entries[0].uri);
    EXPECT_DOUBLE_EQ(2.04, back.entries[0].duration_s);
    EXPECT_FALSE(back.entries[0].is_discontinuity);
    EXPECT_TRUE(back.entries[1].is_discontinuity);
    EXPECT_EQ(43u, sr_m3u8_next_sequence(&back));
    EXPECT_EQ(text, sr_utest_m3u8_text(&back, 3, "http://cdn/"));
    sr_m3u8_deinit(&back);
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, ParseAcceptsCrlfAndUnknownTags)
{
    const char *text = "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-MEDIA-SEQUENCE:5\r\n#EXT-X-PROGRAM-DATE-TIME:x\r\n"
                       "#EXTINF:2.5,title\r\na.ts\r\n\r\n#EXTINF:3,\r\nb.ts";
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    ASSERT_SR_OK(sr_m3u8_parse(text, strlen(text), NULL, &pl));
    EXPECT_EQ(5u, pl.media_sequence);
    ASSERT_EQ(2u, pl.count);
    EXPECT_STREQ("a.ts", pl.entries[0].uri);
    EXPECT_DOUBLE_EQ(2.5, pl.entries[0].duration_s);
    EXPECT_EQ(0, pl.entries[0].program_date_ms); // "x" is no date: the segment stays, undated
    EXPECT_STREQ("b.ts", pl.entries[1].uri);
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, ProgramDateTimeOnEverySegmentAfterTheDiscontinuity)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    sr_m3u8_append(&pl, "a.ts", 2.0, false)->program_date_ms = 1764901885123; // 2025-12-05T02:31:25.123Z
    sr_m3u8_append(&pl, "b.ts", 2.0, true)->program_date_ms = 1764901990007;
    sr_m3u8_append(&pl, "c.ts", 2.0, false); // undated: no tag
    EXPECT_EQ("#EXTM3U\n"
              "#EXT-X-VERSION:3\n"
              "#EXT-X-TARGETDURATION:2\n"
              "#EXT-X-MEDIA-SEQUENCE:0\n"
              "#EXT-X-PROGRAM-DATE-TIME:2025-12-05T02:31:25.123Z\n"
              "#EXTINF:2.000,\n"
              "a.ts\n"
              "#EXT-X-DISCONTINUITY\n"
              "#EXT-X-PROGRAM-DATE-TIME:2025-12-05T02:33:10.007Z\n"
              "#EXTINF:2.000,\n"
              "b.ts\n"
              "#EXTINF:2.000,\n"
              "c.ts\n",
              sr_utest_m3u8_text(&pl, 2, NULL));
    std::string text = sr_utest_m3u8_text(&pl, 2, NULL);
    sr_m3u8_t back;
    sr_m3u8_init(&back);
    ASSERT_SR_OK(sr_m3u8_parse(text.data(), text.size(), NULL, &back)); // a republish keeps the dates
    ASSERT_EQ(3u, back.count);
    EXPECT_EQ(1764901885123, back.entries[0].program_date_ms);
    EXPECT_EQ(1764901990007, back.entries[1].program_date_ms);
    EXPECT_EQ(0, back.entries[2].program_date_ms);
    EXPECT_EQ(text, sr_utest_m3u8_text(&back, 2, NULL));
    sr_m3u8_deinit(&back);
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, ParsesIso8601DatesWithTheirZones)
{
    int64_t ms = 0;
    EXPECT_TRUE(sr_m3u8_parse_date("2025-12-05T02:31:25.123Z", &ms));
    EXPECT_EQ(1764901885123, ms);
    EXPECT_TRUE(sr_m3u8_parse_date("2025-12-05T03:31:25.123+01:00", &ms));
    EXPECT_EQ(1764901885123, ms);
    EXPECT_TRUE(sr_m3u8_parse_date("2025-12-04T21:01:25.1234-0530", &ms)); // digits past ms are cut
    EXPECT_EQ(1764901885123, ms);
    EXPECT_TRUE(sr_m3u8_parse_date("2025-12-05T02:31:25Z", &ms));
    EXPECT_EQ(1764901885000, ms);
    const char *bad[] = {"",
                         "2025-12-05",
                         "2025-12-05T02:31:25",        // no zone
                         "2025-12-05T02:31:25.5+1:00", // short zone
                         "2025-13-05T02:31:25Z",
                         "2025-12-05T24:31:25Z",
                         "2025-12-05 02:31:25Z",
                         "1969-12-31T23:59:59Z",
                         "2025-12-05T02:31:25Zjunk"};
    for (const char *s : bad) {
        EXPECT_FALSE(sr_m3u8_parse_date(s, &ms)) << s;
    }
    char out[40];
    sr_m3u8_format_date(1764901885003, out, sizeof(out));
    EXPECT_STREQ("2025-12-05T02:31:25.003Z", out);
}

TEST(M3u8, ParseRefusesMalformedText)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse("", 0, NULL, &pl));
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse("hello\n", 6, NULL, &pl));
    const char *no_inf = "#EXTM3U\na.ts\n";
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse(no_inf, strlen(no_inf), NULL, &pl));
    const char *bad_num = "#EXTM3U\n#EXTINF:abc,\na.ts\n";
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse(bad_num, strlen(bad_num), NULL, &pl));
    EXPECT_EQ(0u, pl.count);
    // found by fuzz_m3u8: a damaged file's huge EXTINF overflowed the target duration
    const char *huge = "#EXTM3U\n#EXTINF:1.E60,\na.ts\n";
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse(huge, strlen(huge), NULL, &pl));
    // found by fuzz_m3u8: text after a NUL was kept, so the URI did not survive a round trip
    const char nul[] = "#EXTM3U\n#EXTINF:1,\n  \0x\n#EXTINF:2,\nb.ts\n";
    ASSERT_EQ(SR_OK, sr_m3u8_parse(nul, sizeof(nul) - 1, NULL, &pl));
    ASSERT_EQ(1u, pl.count);
    EXPECT_STREQ("b.ts", pl.entries[0].uri);
    const char *day = "#EXTM3U\n#EXTINF:86400.5,\na.ts\n";
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse(day, strlen(day), NULL, &pl));
    EXPECT_EQ(0u, pl.count);
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, MapsFmp4InitSegmentsWithVersion6)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    snprintf(sr_m3u8_append(&pl, "s-0.m4s", 2.0, false)->map_uri, SR_M3U8_URI_MAX, "s/init.mp4");
    snprintf(sr_m3u8_append(&pl, "s-1.m4s", 2.0, false)->map_uri, SR_M3U8_URI_MAX, "s/init.mp4");
    snprintf(sr_m3u8_append(&pl, "s-2.m4s", 2.0, true)->map_uri, SR_M3U8_URI_MAX, "s/init.mp4"); // republished
    snprintf(sr_m3u8_append(&pl, "s-3.m4s", 2.0, false)->map_uri, SR_M3U8_URI_MAX, "s/init2.mp4");
    std::string text = sr_utest_m3u8_text(&pl, 2, "http://cdn/");
    EXPECT_EQ("#EXTM3U\n"
              "#EXT-X-VERSION:6\n"
              "#EXT-X-TARGETDURATION:2\n"
              "#EXT-X-MEDIA-SEQUENCE:0\n"
              "#EXT-X-MAP:URI=\"http://cdn/s/init.mp4\"\n"
              "#EXTINF:2.000,\n"
              "http://cdn/s-0.m4s\n"
              "#EXTINF:2.000,\n"
              "http://cdn/s-1.m4s\n"
              "#EXT-X-DISCONTINUITY\n"
              "#EXT-X-MAP:URI=\"http://cdn/s/init.mp4\"\n"
              "#EXTINF:2.000,\n"
              "http://cdn/s-2.m4s\n"
              "#EXT-X-MAP:URI=\"http://cdn/s/init2.mp4\"\n"
              "#EXTINF:2.000,\n"
              "http://cdn/s-3.m4s\n",
              text);
    sr_m3u8_t back;
    sr_m3u8_init(&back);
    ASSERT_SR_OK(sr_m3u8_parse(text.data(), text.size(), "http://cdn/", &back));
    ASSERT_EQ(4u, back.count);
    EXPECT_STREQ("s/init.mp4", back.entries[1].map_uri);
    EXPECT_STREQ("s/init2.mp4", back.entries[3].map_uri);
    EXPECT_EQ(text, sr_utest_m3u8_text(&back, 2, "http://cdn/"));
    const char *no_uri = "#EXTM3U\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n#EXTINF:2,\na.m4s\n";
    EXPECT_SR_ERR(SR_EFORMAT, sr_m3u8_parse(no_uri, strlen(no_uri), NULL, &back));
    sr_m3u8_deinit(&back);
    sr_m3u8_deinit(&pl);
}

namespace
{

// What our validator (sr_utest_m3u8_check.h) says of a playlist: "" when it is valid.
std::string Why(const std::string &text)
{
    char why[512] = "";
    return sr_utest_m3u8_check(text.data(), text.size(), why, sizeof(why)) == 0 ? "" : why;
}

// A segment of 2 s in parts of 0.48 s and a last one of 0.08 s, the first independent.
sr_m3u8_entry_t *AppendWithParts(sr_m3u8_t *pl, const char *uri, int64_t date_ms, bool is_disc)
{
    sr_m3u8_entry_t *e = sr_m3u8_append(pl, uri, 2.0, is_disc);
    e->program_date_ms = date_ms;
    snprintf(e->map_uri, SR_M3U8_URI_MAX, "s/init.mp4");
    const float d[] = {0.48f, 0.48f, 0.48f, 0.48f, 0.08f};
    for (float x : d) {
        e->parts.duration_s[e->parts.count++] = x;
    }
    e->parts.independent = 1;
    return e;
}

// An LL-HLS window (0.5 s part target, 2 s segments with their parts) of n segments from
// s-<first>, dated from 2025-12-05T02:31:25Z, and the next segment open two parts in.
void LowLatencyWindow(sr_m3u8_t *pl, int first, int n)
{
    sr_m3u8_init(pl);
    pl->part_target_s = 0.5;
    pl->media_sequence = (uint64_t)first;
    int64_t t = 1764901885000;
    for (int i = 0; i < n; i++, t += 2000) {
        AppendWithParts(pl, ("s-" + std::to_string(first + i) + ".m4s").c_str(), t, false);
    }
    pl->has_open = true;
    pl->open = {};
    snprintf(pl->open.uri, SR_M3U8_URI_MAX, "s-%d.m4s", first + n);
    snprintf(pl->open.map_uri, SR_M3U8_URI_MAX, "s/init.mp4");
    pl->open.program_date_ms = t;
    pl->open.parts.count = 2;
    pl->open.parts.duration_s[0] = pl->open.parts.duration_s[1] = 0.48f;
    pl->open.parts.independent = 1;
}

// The delta update text of pl at target duration 2.
std::string DeltaText(const sr_m3u8_t *pl)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_m3u8_encode_delta(pl, 2, NULL, &b);
    std::string text((const char *)b.data, b.len);
    sr_buf_deinit(&b);
    return text;
}

} // namespace

TEST(M3u8, ProgramDatesAndMapsPassTheValidator)
{
    sr_m3u8_t pl;
    sr_m3u8_init(&pl);
    pl.media_sequence = 40;
    int64_t t = 1764901885123;
    for (int i = 0; i < 6; i++, t += 2000) {
        sr_m3u8_entry_t *e = sr_m3u8_append(&pl, ("s-" + std::to_string(40 + i) + ".m4s").c_str(), 2.0, i == 4);
        e->program_date_ms = i >= 4 ? t + 60000 : t; // republished a minute later
        snprintf(e->map_uri, SR_M3U8_URI_MAX, "s/init.mp4");
    }
    EXPECT_EQ("", Why(sr_utest_m3u8_text(&pl, 2, NULL)));
    EXPECT_EQ("", Why(sr_utest_m3u8_text(&pl, 2, "http://cdn/live/")));
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, LowLatencyPlaylistIsExactAndPassesTheValidator)
{
    sr_m3u8_t pl;
    LowLatencyWindow(&pl, 7, 5); // s-7..s-11, and s-12 two parts in
    std::string text = sr_utest_m3u8_text(&pl, 2, NULL);
    EXPECT_EQ("", Why(text)) << text;
    // the tags and where they go (RFC 8216bis 4.4.3.7, 4.4.4.9, 4.4.5.2)
    EXPECT_NE(std::string::npos,
              text.find("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,CAN-SKIP-UNTIL=12.0\n"
                        "#EXT-X-PART-INF:PART-TARGET=0.500\n"));
    // parts of the segments of the last three target durations (6 s: the last three) only
    EXPECT_EQ(std::string::npos, text.find("s-8.0.m4s"));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-PART:DURATION=0.480,URI=\"s-9.0.m4s\",INDEPENDENT=YES\n"
                                           "#EXT-X-PART:DURATION=0.480,URI=\"s-9.1.m4s\"\n"));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-PART:DURATION=0.080,URI=\"s-11.4.m4s\"\n#EXTINF:2.000,\ns-11.m4s\n"
                                           "#EXT-X-PROGRAM-DATE-TIME:2025-12-05T02:31:35.000Z\n"
                                           "#EXT-X-PART:DURATION=0.480,URI=\"s-12.0.m4s\",INDEPENDENT=YES\n"
                                           "#EXT-X-PART:DURATION=0.480,URI=\"s-12.1.m4s\"\n"
                                           "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s-12.2.m4s\"\n"));
    EXPECT_EQ(text.size() - 1, text.rfind('\n'));
    // a segment just closed, nothing of the next yet: only the hint of its first part
    pl.open.parts.count = 0;
    text = sr_utest_m3u8_text(&pl, 2, "http://cdn/");
    EXPECT_EQ("", Why(text)) << text;
    EXPECT_NE(std::string::npos, text.find("s-11.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"http://cdn/s-12.0.m4s\"\n"))
        << "no tag of a segment with no part yet (its date would apply to nothing)\n"
        << text;
    // classic readers (a republish reading the file) skip the LL tags
    sr_m3u8_t back;
    sr_m3u8_init(&back);
    ASSERT_SR_OK(sr_m3u8_parse(text.data(), text.size(), "http://cdn/", &back));
    EXPECT_EQ(5u, back.count);
    EXPECT_STREQ("s-11.m4s", back.entries[4].uri);
    sr_m3u8_deinit(&back);
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, DeltaUpdateSkipsWhatEndsBeforeTheSkipBoundary)
{
    sr_m3u8_t pl;
    LowLatencyWindow(&pl, 20, 10); // s-20..s-29, and s-30 two parts in
    std::string text = DeltaText(&pl);
    EXPECT_EQ("", Why(text)) << text;
    // 12 s (six target durations) back from the end, the open parts' 0.96 s included:
    // s-20..s-23 end before it, s-24 does not
    EXPECT_NE(std::string::npos, text.find("#EXT-X-VERSION:9\n"));
    EXPECT_NE(std::string::npos, text.find("CAN-SKIP-UNTIL=12.0\n"));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-MEDIA-SEQUENCE:20\n#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"
                                           "#EXT-X-MAP:URI=\"s/init.mp4\"\n"))
        << text;
    EXPECT_EQ(std::string::npos, text.find("s-23.m4s"));
    EXPECT_NE(std::string::npos, text.find("\ns-24.m4s\n"));
    EXPECT_NE(std::string::npos, text.find("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s-30.2.m4s\"\n"));
    // a short window skips nothing: the whole playlist
    while (pl.count > 5) {
        sr_m3u8_shift(&pl, NULL);
    }
    EXPECT_EQ(sr_utest_m3u8_text(&pl, 2, NULL), DeltaText(&pl));
    sr_m3u8_deinit(&pl);
}

TEST(M3u8, PartUrisFollowTheirSegment)
{
    char out[64];
    sr_m3u8_part_uri("a-3.m4s", 1, out, sizeof(out));
    EXPECT_STREQ("a-3.1.m4s", out);
    sr_m3u8_part_uri("/h/live.d/a-3", 12, out, sizeof(out));
    EXPECT_STREQ("/h/live.d/a-3.12", out);
}
