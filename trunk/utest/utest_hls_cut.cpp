// SPDX-License-Identifier: MIT
// utest_hls_cut.cpp: when an HLS segment ends (kernel/sr_hls_cut). Issue 9.5: with OBS's
// default 8 s GOP and hls_fragment 2, every segment must still start on a keyframe.
#include <vector>

#include "sr_hls_cut.h"
#include "sr_utest.h"

namespace
{

// Cut a 25 fps stream with a keyframe every gop frames into segments; their lengths in
// frames, and whether each began on a keyframe.
struct Segments {
    std::vector<int> frames;
    std::vector<bool> starts_on_key;
};

Segments cut(const sr_hls_cut_rule_t &rule, bool has_video, int gop, int total)
{
    Segments s;
    int start = 0;
    for (int i = 0; i < total; i++) {
        bool key = has_video && i % gop == 0;
        if (i == 0 || sr_hls_cut_is_due(&rule, has_video, key, (i - start) / 25.0)) {
            if (i > 0) {
                s.frames.push_back(i - start);
            }
            s.starts_on_key.push_back(key || !has_video);
            start = i;
        }
    }
    return s;
}

} // namespace

TEST(HlsCut, LongGopGivesLongSegmentsThatStartOnKeyframes)
{
    sr_hls_cut_rule_t rule = {2.0, 2.1, true};
    Segments s = cut(rule, true, 200, 25 * 60); // 8 s GOP, a minute
    ASSERT_GE(s.frames.size(), 6u);
    for (size_t i = 0; i < s.frames.size(); i++) {
        EXPECT_EQ(200, s.frames[i]) << "segment " << i << " is not one GOP";
    }
    for (size_t i = 0; i < s.starts_on_key.size(); i++) {
        EXPECT_TRUE(s.starts_on_key[i]) << "segment " << i << " starts without a keyframe";
    }
}

TEST(HlsCut, ShortGopCutsAtTheFirstKeyframeAfterTheFragment)
{
    sr_hls_cut_rule_t rule = {2.0, 2.1, true};
    Segments s = cut(rule, true, 30, 25 * 30); // 1.2 s GOP: 2.4 s segments
    for (int f : s.frames) {
        EXPECT_EQ(60, f);
    }
}

TEST(HlsCut, AudioOnlyCutsByDuration)
{
    sr_hls_cut_rule_t rule = {2.0, 2.1, true};
    Segments s = cut(rule, false, 1, 25 * 30);
    ASSERT_FALSE(s.frames.empty());
    for (int f : s.frames) {
        EXPECT_EQ(105, f); // 2 s * 2.1 at 25 frames/s
    }
}

TEST(HlsCut, WithoutWaitKeyframeVideoCutsByDuration)
{
    sr_hls_cut_rule_t rule = {2.0, 2.1, false};
    Segments s = cut(rule, true, 200, 25 * 30);
    for (int f : s.frames) {
        EXPECT_EQ(50, f);
    }
}

TEST(HlsCut, AStreamWithoutKeyframesIsStillCutEventually)
{
    sr_hls_cut_rule_t rule = {2.0, 2.1, true};
    EXPECT_FALSE(sr_hls_cut_is_due(&rule, true, false, SR_HLS_CUT_MAX_S - 0.04));
    EXPECT_TRUE(sr_hls_cut_is_due(&rule, true, false, SR_HLS_CUT_MAX_S));
}
