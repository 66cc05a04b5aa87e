// SPDX-License-Identifier: MIT
// sr_dts_order: decode times from presentation times in decode order.
#include <gtest/gtest.h>

#include <vector>

#include "sr_dts_order.h"

namespace
{

struct Out {
    std::vector<int64_t> dts, pts;
    int depth;
    uint64_t repaired;
};

Out Order(const std::vector<int64_t> &pts_in)
{
    sr_dts_order_t o;
    sr_dts_order_init(&o);
    Out out;
    for (int64_t p : pts_in) {
        int64_t pts = p;
        out.dts.push_back(sr_dts_order_next(&o, &pts));
        out.pts.push_back(pts);
    }
    out.depth = sr_dts_order_depth(&o);
    out.repaired = o.repaired;
    return out;
}

void ExpectValid(const Out &o)
{
    for (size_t i = 0; i < o.dts.size(); i++) {
        EXPECT_LE(o.dts[i], o.pts[i]) << "frame " << i;
        if (i > 0) {
            EXPECT_GE(o.dts[i], o.dts[i - 1]) << "frame " << i;
        }
    }
}

// Decode order of an IPBB... stream with frame times of 40 ms, starting at base.
std::vector<int64_t> Ibbp(int gops, int bframes, int64_t base)
{
    std::vector<int64_t> v;
    int64_t t = 0;
    v.push_back(base + t * 40); // I
    for (int g = 0; g < gops; g++) {
        int64_t p = t + bframes + 1;
        v.push_back(base + p * 40);
        for (int b = 1; b <= bframes; b++) {
            v.push_back(base + (t + b) * 40);
        }
        t = p;
    }
    return v;
}

} // namespace

TEST(DtsOrder, KnownDepthIsExactFromTheStart)
{
    std::vector<int64_t> in = Ibbp(20, 2, 1000);
    sr_dts_order_t o;
    sr_dts_order_init(&o);
    sr_dts_order_set_depth(&o, 2);
    int64_t last = INT64_MIN;
    for (int64_t p : in) {
        int64_t pts = p;
        int64_t dts = sr_dts_order_next(&o, &pts);
        EXPECT_EQ(pts, p); // nothing repaired
        EXPECT_GT(dts, last);
        EXPECT_LE(dts, pts);
        last = dts;
    }
    EXPECT_EQ(o.repaired, 0u);
}

TEST(DtsOrder, NoBframesKeepsPts)
{
    std::vector<int64_t> in;
    for (int i = 0; i < 100; i++) {
        in.push_back(1000 + i * 40);
    }
    Out o = Order(in);
    EXPECT_EQ(o.dts, in);
    EXPECT_EQ(o.pts, in);
}

TEST(DtsOrder, LearnsDepthThenExact)
{
    for (int bframes = 1; bframes <= 3; bframes++) {
        std::vector<int64_t> in = Ibbp(50, bframes, 5000);
        Out o = Order(in);
        ExpectValid(o);
        EXPECT_GE(o.depth, 1);
        EXPECT_LE(o.depth, bframes);
        // once learned (after the first two groups) pts are untouched and dts strictly rise by 40
        for (size_t i = 3 * (bframes + 1); i < in.size(); i++) {
            EXPECT_EQ(o.pts[i], in[i]) << "frame " << i;
            EXPECT_EQ(o.dts[i] - o.dts[i - 1], 40) << "frame " << i << " bframes " << bframes;
        }
        EXPECT_LE(o.repaired, (uint64_t)(2 * bframes + 1));
    }
}

TEST(DtsOrder, PyramidAndDrops)
{
    // B-pyramid decode order I0 P4 B2 b1 b3 P8 B6 b5 b7 ..., with a frame lost now and then
    std::vector<int64_t> in = {0};
    for (int g = 0; g < 40; g++) {
        int64_t t = g * 4;
        int64_t f[] = {t + 4, t + 2, t + 1, t + 3};
        for (int k = 0; k < 4; k++) {
            if ((g * 4 + k) % 13 != 7) {
                in.push_back(f[k] * 40);
            }
        }
    }
    Out o = Order(in);
    ExpectValid(o);
}

TEST(DtsOrder, DepthIsCapped)
{
    // a pathological order: one frame presenting before everything of the last 30
    std::vector<int64_t> in;
    for (int i = 0; i < 30; i++) {
        in.push_back(1000 + i * 40);
    }
    in.push_back(0);
    for (int i = 30; i < 60; i++) {
        in.push_back(1000 + i * 40);
    }
    Out o = Order(in);
    ExpectValid(o);
    EXPECT_EQ(o.depth, SR_DTS_ORDER_MAX_DEPTH);
}
