// SPDX-License-Identifier: MIT
// utest_jitter.cpp: time_jitter full|zero|off on steady, jumping, wrapping and
// interleaved A/V timelines; full and zero must never deliver a decreasing dts.
#include <stdint.h>

#include <vector>

#include "sr_jitter.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_utest.h"

namespace
{

const uint8_t kKey[] = {0x17, 0x01, 0, 0, 0, 0x65};
const uint8_t kInter[] = {0x27, 0x01, 0, 0, 0, 0x41};
const uint8_t kAac[] = {0xaf, 0x01, 0x21, 0x00};
const uint8_t kMeta[] = {0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'};

// The jitter only reads type and dts, but use real packets so flags are realistic.
struct Pkt {
    sr_packet_t p;
    Pkt(sr_packet_type_t type, int64_t dts, bool key = false)
    {
        const uint8_t *d = type == SR_PACKET_AUDIO ? kAac : type == SR_PACKET_DATA ? kMeta : key ? kKey : kInter;
        size_t n = type == SR_PACKET_AUDIO ? sizeof(kAac) : type == SR_PACKET_DATA ? sizeof(kMeta) : sizeof(kKey);
        sr_packet_init_take(&p, type, dts, sr_payload_new_copy(d, n));
    }
    ~Pkt()
    {
        sr_packet_deinit(&p);
    }
};

int64_t correct(sr_jitter_t *j, sr_packet_type_t type, int64_t dts)
{
    Pkt k(type, dts);
    return sr_jitter_correct(j, &k.p);
}

std::vector<int64_t> run(sr_jitter_algo_t algo, sr_packet_type_t type, const std::vector<int64_t> &in)
{
    sr_jitter_t j;
    sr_jitter_init(&j, algo);
    std::vector<int64_t> out;
    for (int64_t dts : in) {
        out.push_back(correct(&j, type, dts));
    }
    return out;
}

void expect_never_decreasing(const std::vector<int64_t> &v)
{
    for (size_t i = 1; i < v.size(); i++) {
        EXPECT_LE(v[i - 1], v[i]) << "at " << i;
    }
}

} // namespace

TEST(Jitter, ParsesConfigValues)
{
    EXPECT_EQ(SR_JITTER_FULL, sr_jitter_algo_parse("full"));
    EXPECT_EQ(SR_JITTER_ZERO, sr_jitter_algo_parse("zero"));
    EXPECT_EQ(SR_JITTER_OFF, sr_jitter_algo_parse("off"));
    EXPECT_EQ(-1, sr_jitter_algo_parse("on"));
    EXPECT_EQ(-1, sr_jitter_algo_parse(""));
    EXPECT_EQ(-1, sr_jitter_algo_parse(NULL));
    EXPECT_STREQ("zero", sr_jitter_algo_name(SR_JITTER_ZERO));
    EXPECT_STREQ("unknown", sr_jitter_algo_name((sr_jitter_algo_t)0));
    EXPECT_STREQ("unknown", sr_jitter_algo_name((sr_jitter_algo_t)99));
}

TEST(Jitter, OffLeavesTimestampsUntouched)
{
    std::vector<int64_t> in = {5000, 5040, 1000, 11000, 4294967295LL, 3, INT64_MAX, INT64_MIN};
    EXPECT_EQ(in, run(SR_JITTER_OFF, SR_PACKET_VIDEO, in));
    sr_jitter_t j;
    sr_jitter_init(&j, SR_JITTER_OFF);
    EXPECT_EQ(777, correct(&j, SR_PACKET_DATA, 777));
}

TEST(Jitter, ZeroStartsAtZeroAndPassesForwardJumps)
{
    std::vector<int64_t> out = run(SR_JITTER_ZERO, SR_PACKET_VIDEO, {5000, 5040, 5080, 15080, 15120});
    EXPECT_EQ((std::vector<int64_t>{0, 40, 80, 10080, 10120}), out);
}

TEST(Jitter, ZeroClampsBackwardsJumps)
{
    std::vector<int64_t> out = run(SR_JITTER_ZERO, SR_PACKET_VIDEO, {5000, 5040, 5080, 1000, 1040, 5100, 5140});
    EXPECT_EQ((std::vector<int64_t>{0, 40, 80, 80, 80, 100, 140}), out);
    // below the first packet: clamped at the last output, never negative
    out = run(SR_JITTER_ZERO, SR_PACKET_AUDIO, {5000, 4000, 0});
    EXPECT_EQ((std::vector<int64_t>{0, 0, 0}), out);
}

TEST(Jitter, ZeroSurvivesInt64Extremes)
{
    std::vector<int64_t> out = run(SR_JITTER_ZERO, SR_PACKET_VIDEO, {INT64_MIN + 5, INT64_MAX - 5, INT64_MIN, 0});
    EXPECT_EQ(0, out[0]);
    expect_never_decreasing(out);
    out = run(SR_JITTER_ZERO, SR_PACKET_VIDEO, {INT64_MAX - 5, INT64_MIN + 5, INT64_MAX});
    EXPECT_EQ((std::vector<int64_t>{0, 0, 5}), out);
}

TEST(Jitter, FullStartsAtZeroAndKeepsSteadyDeltas)
{
    std::vector<int64_t> out = run(SR_JITTER_FULL, SR_PACKET_VIDEO, {90000, 90040, 90080, 90330, 90580});
    // 250 ms exactly is still trusted
    EXPECT_EQ((std::vector<int64_t>{0, 40, 80, 330, 580}), out);
}

TEST(Jitter, FullTurnsForwardJumpIntoNominalDelta)
{
    std::vector<int64_t> out = run(SR_JITTER_FULL, SR_PACKET_VIDEO, {1000, 1040, 11040, 11080, 11331});
    EXPECT_EQ((std::vector<int64_t>{0, 40, 50, 90, 100}), out);
}

TEST(Jitter, FullTurnsBackwardsJumpIntoNominalDelta)
{
    std::vector<int64_t> out = run(SR_JITTER_FULL, SR_PACKET_VIDEO, {60000, 60040, 60080, 0, 40, 80});
    EXPECT_EQ((std::vector<int64_t>{0, 40, 80, 90, 130, 170}), out);
}

TEST(Jitter, FullHoldsSmallBackstepsAndJumpsWhenHeldTooLong)
{
    // -200 is within the window: held at 200; a further -200 puts the timeline 400 ms behind
    // what the player saw, which is a jump.
    std::vector<int64_t> out = run(SR_JITTER_FULL, SR_PACKET_VIDEO, {1000, 1200, 1000, 800, 840});
    EXPECT_EQ((std::vector<int64_t>{0, 200, 200, 210, 250}), out);
}

TEST(Jitter, FullSurvives32BitWrapAndInt64Extremes)
{
    // RTMP's 32-bit timestamp wrapping to 0
    std::vector<int64_t> out = run(SR_JITTER_FULL, SR_PACKET_AUDIO, {4294967200LL, 4294967223LL, 4294967246LL, 13, 36});
    EXPECT_EQ((std::vector<int64_t>{0, 23, 46, 56, 79}), out);
    out = run(SR_JITTER_FULL, SR_PACKET_VIDEO, {INT64_MAX - 40, INT64_MAX, INT64_MIN, INT64_MIN + 40, INT64_MAX});
    EXPECT_EQ((std::vector<int64_t>{0, 40, 50, 90, 100}), out);
}

TEST(Jitter, InterleavedAvWithLateAudioNeverDecreasesNorDrifts)
{
    for (sr_jitter_algo_t algo : {SR_JITTER_FULL, SR_JITTER_ZERO}) {
        sr_jitter_t j;
        sr_jitter_init(&j, algo);
        std::vector<int64_t> out;
        int64_t last_video = -1;
        // video every 40 ms from 3000; audio every 20 ms, sent right after the video
        // it follows but stamped 3 ms behind it
        for (int i = 0; i < 200; i++) {
            int64_t v = 3000 + 40 * i;
            last_video = correct(&j, SR_PACKET_VIDEO, v);
            out.push_back(last_video);
            out.push_back(correct(&j, SR_PACKET_AUDIO, v - 3));
            out.push_back(correct(&j, SR_PACKET_AUDIO, v + 17));
        }
        expect_never_decreasing(out);
        // the held audio packets did not push video off its real cadence
        EXPECT_EQ(40 * 199, last_video) << sr_jitter_algo_name(algo);
    }
}

// Issue 9.2: a republish's onMetaData at any time but 0 became a subtitle stream in ffmpeg.
TEST(Jitter, DataIsAtZeroAndLeavesTheTimelineAlone)
{
    for (sr_jitter_algo_t algo : {SR_JITTER_FULL, SR_JITTER_ZERO}) {
        sr_jitter_t j;
        sr_jitter_init(&j, algo);
        EXPECT_EQ(0, correct(&j, SR_PACKET_DATA, 123456)); // before any A/V
        EXPECT_EQ(0, correct(&j, SR_PACKET_VIDEO, 5000));
        EXPECT_EQ(40, correct(&j, SR_PACKET_VIDEO, 5040));
        EXPECT_EQ(0, correct(&j, SR_PACKET_DATA, 0));
        EXPECT_EQ(0, correct(&j, SR_PACKET_DATA, 999999));
        EXPECT_EQ(80, correct(&j, SR_PACKET_AUDIO, 5080)); // timeline unmoved by data
    }
}

TEST(Jitter, FullAndZeroNeverDecreaseOnNoisyInput)
{
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    std::vector<int64_t> in;
    int64_t ts = 100000;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        switch (r % 16) {
        case 0:
            ts -= (int64_t)(r % 20000); // backwards jump
            break;
        case 1:
            ts += (int64_t)(r % 20000); // forward jump
            break;
        default:
            ts += (int64_t)(r % 60) - 10; // jitter, small reorders
        }
        in.push_back(ts);
    }
    for (sr_jitter_algo_t algo : {SR_JITTER_FULL, SR_JITTER_ZERO}) {
        std::vector<int64_t> out = run(algo, SR_PACKET_VIDEO, in);
        EXPECT_EQ(0, out[0]);
        expect_never_decreasing(out);
        if (algo == SR_JITTER_FULL) {
            for (size_t i = 1; i < out.size(); i++) {
                ASSERT_LE(out[i] - out[i - 1], SR_JITTER_MAX_DELTA_MS) << "at " << i;
            }
        }
    }
}

// Issue 9.2: players stay attached through a publisher's reconnect; the new publisher
// starts again near 0 and the player's timeline must keep moving forward, not freeze.
TEST(Jitter, RestartContinuesTheTimelineForFullAndZero)
{
    for (sr_jitter_algo_t algo : {SR_JITTER_FULL, SR_JITTER_ZERO}) {
        sr_jitter_t j;
        sr_jitter_init(&j, algo);
        for (int64_t t = 0; t <= 5000; t += 40) {
            correct(&j, SR_PACKET_VIDEO, 1000 + t);
        }
        EXPECT_EQ(5000, j._last_out);
        sr_jitter_restart(&j);
        EXPECT_EQ(0, correct(&j, SR_PACKET_DATA, 7)); // metadata of the new publisher
        EXPECT_EQ(5010, correct(&j, SR_PACKET_VIDEO, 0));
        EXPECT_EQ(5050, correct(&j, SR_PACKET_VIDEO, 40));
        EXPECT_EQ(5050, correct(&j, SR_PACKET_AUDIO, 23)); // audio a little behind: held
        EXPECT_EQ(5090, correct(&j, SR_PACKET_VIDEO, 80));
    }
}

TEST(Jitter, RestartBeforeAnyPacketAndOffChangeNothing)
{
    sr_jitter_t j;
    sr_jitter_init(&j, SR_JITTER_ZERO);
    sr_jitter_restart(&j);
    EXPECT_EQ(0, correct(&j, SR_PACKET_VIDEO, 7000));
    EXPECT_EQ(40, correct(&j, SR_PACKET_VIDEO, 7040));
    sr_jitter_init(&j, SR_JITTER_OFF);
    correct(&j, SR_PACKET_VIDEO, 9000);
    sr_jitter_restart(&j);
    EXPECT_EQ(5, correct(&j, SR_PACKET_VIDEO, 5));
}
