// SPDX-License-Identifier: MIT
// utest_bench_ts_pace.cpp: the SRT publisher's pacing of a TS file (strand_bench,
// trunk/tools/bench/sr_bench_ts_pace.h): hand-built packets with PCRs at known
// places (between, before and after them, on two PIDs, across the 33-bit wrap, going
// back), message sizes, files that are not TS or have nothing to pace by, and a real
// ffmpeg file.
#include <string.h>

#include <vector>

#include "sr_bench_ts_pace.h"
#include "sr_utest.h"
#include "sr_utest_asset.h"

namespace
{

const int64_t kPcrHz = 27000000;
const int64_t kWrapTicks = (INT64_C(1) << 33) * 300;

// A TS file of count packets on PID 0x100 without PCR; Pcr() gives one a PCR.
struct TsFile {
    std::vector<uint8_t> bytes;
    explicit TsFile(size_t count) : bytes(count * 188, 0xff)
    {
        for (size_t i = 0; i < count; i++) {
            uint8_t *p = &bytes[i * 188];
            p[0] = 0x47;
            p[1] = 0x01;
            p[2] = 0x00;
            p[3] = 0x10 | (i & 0x0f); // payload only
        }
    }
    // Packet i carries the PCR ticks (27 MHz, wrapped to 33 bits of base) on pid.
    void Pcr(size_t i, int64_t ticks, uint16_t pid = 0x100)
    {
        uint8_t *p = &bytes[i * 188];
        ticks %= kWrapTicks;
        int64_t base = ticks / 300, ext = ticks % 300;
        p[1] = (uint8_t)(pid >> 8);
        p[2] = (uint8_t)pid;
        p[3] = 0x30 | (p[3] & 0x0f); // adaptation field and payload
        p[4] = 7;
        p[5] = 0x10; // PCR_flag
        p[6] = (uint8_t)(base >> 25);
        p[7] = (uint8_t)(base >> 17);
        p[8] = (uint8_t)(base >> 9);
        p[9] = (uint8_t)(base >> 1);
        p[10] = (uint8_t)((base & 1) << 7 | 0x7e | (ext >> 8));
        p[11] = (uint8_t)ext;
    }
    int Index(size_t msg_bytes, sr_bench_ts_pace_t *out) const
    {
        return sr_bench_ts_pace_index(bytes.data(), bytes.size(), msg_bytes, out);
    }
};

int64_t Ms(int64_t ms)
{
    return ms * kPcrHz / 1000;
}

} // namespace

TEST(BenchTsPace, InterpolatesBetweenPcrsAndHoldsBefore)
{
    TsFile f(12);
    f.Pcr(2, Ms(1000));
    f.Pcr(6, Ms(1400));  // 100 ms per packet from packet 2 to 6
    f.Pcr(10, Ms(1600)); // 50 ms per packet from 6 to 10, and 75 on average
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(f.Index(2 * 188, &pace));
    ASSERT_EQ(6u, pace.count);
    const uint64_t want_us[] = {0, 0, 200000, 400000, 500000, 600000}; // packets 0 2 4 6 8 10
    for (size_t m = 0; m < pace.count; m++) {
        EXPECT_EQ(m * 2 * 188, pace.msgs[m].offset) << m;
        EXPECT_EQ(2u * 188, pace.msgs[m].size) << m;
        EXPECT_EQ(want_us[m], pace.msgs[m].due_us) << m;
    }
    EXPECT_EQ(600000u + 2 * 75000, pace.loop_us); // packet 12, at the average rate
    sr_bench_ts_pace_deinit(&pace);
    EXPECT_EQ(nullptr, pace.msgs);
    EXPECT_EQ(0u, pace.count);
}

TEST(BenchTsPace, MessagesAreWholePacketsAndTheLastIsShort)
{
    TsFile f(16);
    f.Pcr(0, 0);
    f.Pcr(15, Ms(150));
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(f.Index(SR_BENCH_TS_MSG_BYTES, &pace)); // seven packets
    ASSERT_EQ(3u, pace.count);
    EXPECT_EQ(1316u, pace.msgs[0].size);
    EXPECT_EQ(1316u, pace.msgs[1].size);
    EXPECT_EQ(2u * 188, pace.msgs[2].size);
    EXPECT_EQ(70000u, pace.msgs[1].due_us);
    EXPECT_EQ(140000u, pace.msgs[2].due_us);
    EXPECT_EQ(160000u, pace.loop_us);
    sr_bench_ts_pace_deinit(&pace);
    ASSERT_SR_OK(f.Index(1000, &pace)); // rounds down to five packets
    EXPECT_EQ(4u, pace.count);
    EXPECT_EQ(940u, pace.msgs[0].size);
    sr_bench_ts_pace_deinit(&pace);
    ASSERT_SR_OK(f.Index(100, &pace)); // at least one packet
    EXPECT_EQ(16u, pace.count);
    sr_bench_ts_pace_deinit(&pace);
}

TEST(BenchTsPace, UsesTheFirstPcrPidOnly)
{
    TsFile f(8);
    f.Pcr(0, Ms(500), 0x101);
    f.Pcr(1, 0); // 0x100: ignored
    f.Pcr(4, Ms(900), 0x101);
    f.Pcr(7, Ms(99999)); // ignored too
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(f.Index(188, &pace));
    EXPECT_EQ(200000u, pace.msgs[2].due_us);
    EXPECT_EQ(800000u, pace.loop_us);
    sr_bench_ts_pace_deinit(&pace);
}

TEST(BenchTsPace, ContinuesAcrossTheWrapAndHoldsWhenTheClockGoesBack)
{
    TsFile f(6);
    f.Pcr(0, kWrapTicks - Ms(100));
    f.Pcr(2, Ms(100)); // wrapped: 200 ms later
    f.Pcr(3, Ms(50));  // back: held at the previous value
    f.Pcr(5, Ms(300));
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(f.Index(188, &pace));
    EXPECT_EQ(100000u, pace.msgs[1].due_us);
    EXPECT_EQ(200000u, pace.msgs[2].due_us);
    EXPECT_EQ(200000u, pace.msgs[3].due_us);
    EXPECT_EQ(300000u, pace.msgs[4].due_us);
    for (size_t m = 1; m < pace.count; m++) {
        EXPECT_GE(pace.msgs[m].due_us, pace.msgs[m - 1].due_us) << m;
    }
    sr_bench_ts_pace_deinit(&pace);
}

TEST(BenchTsPace, StopsAtLostSyncAndACutPacket)
{
    TsFile f(10);
    f.Pcr(0, 0);
    f.Pcr(4, Ms(40));
    f.bytes[6 * 188] = 0x00; // no sync byte: the file ends before packet 6
    f.bytes.resize(f.bytes.size() - 100);
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(f.Index(188, &pace));
    EXPECT_EQ(6u, pace.count);
    EXPECT_EQ(60000u, pace.loop_us);
    sr_bench_ts_pace_deinit(&pace);
}

TEST(BenchTsPace, RefusesWhatItCannotPace)
{
    sr_bench_ts_pace_t pace;
    TsFile none(20);
    EXPECT_SR_ERR(SR_EFORMAT, none.Index(1316, &pace)); // no PCR
    EXPECT_EQ(0u, pace.count);
    TsFile one(20);
    one.Pcr(3, Ms(10));
    EXPECT_SR_ERR(SR_EFORMAT, one.Index(1316, &pace)); // one PCR
    TsFile still(20);
    still.Pcr(3, Ms(10));
    still.Pcr(9, Ms(10));
    EXPECT_SR_ERR(SR_EFORMAT, still.Index(1316, &pace)); // a clock that does not advance
    TsFile text(4);
    text.Pcr(0, 0);
    text.Pcr(3, Ms(10));
    text.bytes[0] = 'G' + 1;
    EXPECT_SR_ERR(SR_EFORMAT, text.Index(1316, &pace));                                     // not TS
    EXPECT_SR_ERR(SR_EFORMAT, sr_bench_ts_pace_index(text.bytes.data(), 100, 1316, &pace)); // shorter than a packet
}

TEST(BenchTsPace, PacesARealFfmpegFileAtItsDuration)
{
    std::vector<uint8_t> ts = ReadAsset("ffmpeg_h264_aac.ts"); // 2 s, 257 packets
    sr_bench_ts_pace_t pace;
    ASSERT_SR_OK(sr_bench_ts_pace_index(ts.data(), ts.size(), SR_BENCH_TS_MSG_BYTES, &pace));
    ASSERT_EQ(37u, pace.count);
    EXPECT_EQ(5u * 188, pace.msgs[36].size);
    EXPECT_EQ(ts.size(), pace.msgs[36].offset + pace.msgs[36].size);
    for (size_t m = 1; m < pace.count; m++) {
        EXPECT_GE(pace.msgs[m].due_us, pace.msgs[m - 1].due_us) << m;
    }
    EXPECT_GT(pace.loop_us, 1800000u);
    EXPECT_LT(pace.loop_us, 2400000u);
    sr_bench_ts_pace_deinit(&pace);
}
