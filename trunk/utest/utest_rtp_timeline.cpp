// SPDX-License-Identifier: MIT
// utest_rtp_timeline.cpp: kernel/sr_rtp_timeline: arrival-based times until every track
// has an SR, the one switch to the sender's NTP clock keeping the reference (video)
// continuous, the audio track moving by its arrival error, and 32-bit RTP wrap.
#include "sr_rtcp.h"
#include "sr_rtp_timeline.h"
#include "sr_utest.h"

namespace
{

const int64_t kWallMs = 1700000000000LL; // the sender's wall clock at video ts 1000

uint64_t ntp_at(int64_t ms)
{
    return sr_rtcp_ntp_from_us(ms * 1000);
}

} // namespace

TEST(RtpTimeline, ArrivalTimesBeforeReports)
{
    sr_rtp_clock_t v, a;
    sr_rtp_timeline_t t;
    sr_rtp_clock_init(&v, 0); // 0 is 90 kHz
    EXPECT_EQ(90000u, v.clock_hz);
    sr_rtp_clock_init(&a, 48000);
    sr_rtp_timeline_init(&t);
    sr_rtp_timeline_add(&t, &v);
    sr_rtp_timeline_add(&t, &a);
    EXPECT_EQ(10000, sr_rtp_timeline_ms(&t, &v, sr_rtp_clock_push(&v, 1000, 10000)));
    EXPECT_EQ(10040, sr_rtp_timeline_ms(&t, &a, sr_rtp_clock_push(&a, 5000, 10040)));
    // later packets follow their RTP clock, not their arrival
    EXPECT_EQ(11000, sr_rtp_timeline_ms(&t, &v, sr_rtp_clock_push(&v, 91000, 11500)));
    EXPECT_EQ(11040, sr_rtp_timeline_ms(&t, &a, sr_rtp_clock_push(&a, 53000, 10900)));
    // a B-frame before the latest, without moving the clock
    EXPECT_EQ(88000, sr_rtp_clock_ext(&v, 88000));
    EXPECT_EQ(91000, v.ext_ts);
    // an SR before the first packet is ignored; one track's SR alone changes nothing
    sr_rtp_clock_t idle;
    sr_rtp_clock_init(&idle, 8000);
    sr_rtp_clock_on_sr(&idle, 1, ntp_at(kWallMs));
    EXPECT_FALSE(idle.has_sr);
    sr_rtp_clock_on_sr(&v, 91000, ntp_at(kWallMs + 1000));
    EXPECT_TRUE(v.has_sr);
    EXPECT_EQ(11000, sr_rtp_timeline_ms(&t, &v, 91000));
    EXPECT_FALSE(t.has_ntp_offset);
}

TEST(RtpTimeline, SwitchToNtpKeepsVideoAndMovesAudio)
{
    sr_rtp_clock_t v, a;
    sr_rtp_timeline_t t;
    sr_rtp_clock_init(&v, 90000);
    sr_rtp_clock_init(&a, 48000);
    sr_rtp_timeline_init(&t);
    sr_rtp_timeline_add(&t, &v);
    sr_rtp_timeline_add(&t, &a);
    // both captured at kWallMs, the audio arrived 40 ms after the video
    sr_rtp_clock_push(&v, 1000, 10000);
    sr_rtp_clock_push(&a, 5000, 10040);
    sr_rtp_clock_push(&v, 91000, 11000);
    sr_rtp_clock_push(&a, 53000, 11040);
    EXPECT_EQ(11000, sr_rtp_timeline_ms(&t, &v, 91000));
    EXPECT_EQ(11040, sr_rtp_timeline_ms(&t, &a, 53000));
    sr_rtp_clock_on_sr(&v, 91000, ntp_at(kWallMs + 1000));
    sr_rtp_clock_on_sr(&a, 53000, ntp_at(kWallMs + 1000));
    // the reference goes on without a jump; audio moves back by its 40 ms arrival error
    EXPECT_NEAR(11000, sr_rtp_timeline_ms(&t, &v, 91000), 1);
    EXPECT_TRUE(t.has_ntp_offset);
    EXPECT_NEAR(11000, sr_rtp_timeline_ms(&t, &a, 53000), 1);
    EXPECT_NEAR(12000, sr_rtp_timeline_ms(&t, &v, sr_rtp_clock_push(&v, 181000, 12100)), 1);
    EXPECT_NEAR(12000, sr_rtp_timeline_ms(&t, &a, sr_rtp_clock_push(&a, 101000, 11990)), 1);
    // the offset is taken once: a later report only refines each track's mapping
    int64_t offset = t.ntp_offset_ms;
    sr_rtp_clock_on_sr(&v, 181000, ntp_at(kWallMs + 2000));
    EXPECT_NEAR(12000, sr_rtp_timeline_ms(&t, &v, 181000), 1);
    EXPECT_EQ(offset, t.ntp_offset_ms);
}

TEST(RtpTimeline, RtpTimeWraps)
{
    sr_rtp_clock_t v;
    sr_rtp_timeline_t t;
    sr_rtp_clock_init(&v, 90000);
    sr_rtp_timeline_init(&t);
    sr_rtp_timeline_add(&t, &v);
    int64_t first = sr_rtp_clock_push(&v, 0xFFFF0000u, 0);
    EXPECT_EQ(0, sr_rtp_timeline_ms(&t, &v, first));
    uint32_t next = 0xFFFF0000u + 90000u; // wraps past 2^32
    EXPECT_LT(next, 0xFFFF0000u);
    int64_t ext = sr_rtp_clock_push(&v, next, 1000);
    EXPECT_EQ(first + 90000, ext);
    EXPECT_EQ(1000, sr_rtp_timeline_ms(&t, &v, ext));
    // a late packet from before the wrap is still behind
    EXPECT_EQ(first + 45000, sr_rtp_clock_ext(&v, 0xFFFF0000u + 45000u));
    // and an SR across the wrap maps to the same place
    sr_rtp_clock_on_sr(&v, 0xFFFFFFF0u, ntp_at(kWallMs));
    EXPECT_EQ(first + 0xFFF0, v.sr_ts);
    EXPECT_NEAR(1000, sr_rtp_timeline_ms(&t, &v, ext), 1);
    // beyond the track limit adds are ignored
    sr_rtp_clock_t more[SR_RTP_TIMELINE_MAX_TRACKS];
    for (auto &c : more) {
        sr_rtp_clock_init(&c, 8000);
        sr_rtp_timeline_add(&t, &c);
    }
    EXPECT_EQ((size_t)SR_RTP_TIMELINE_MAX_TRACKS, t.nb_tracks);
}
