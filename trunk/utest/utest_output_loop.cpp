// SPDX-License-Identifier: MIT
// utest_output_loop.cpp: the consumer loop of server-side outputs (app/sr_output_loop)
// with real coroutines: prepare runs first and once, packets reach on_packet in order
// while the loop runs, and stop hands over what is still queued (nothing received is
// lost), also for a loop whose coroutine never got to run.
#include <vector>

#include "sr_output_loop.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_source.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

using OutputLoop = SrUtestSt;

struct Seen {
    int prepared = 0;
    int batches = 0;
    std::vector<int64_t> dts;
};

void sr_utest_loop_prepare(void *arg)
{
    static_cast<Seen *>(arg)->prepared++;
}

void sr_utest_loop_packet(void *arg, const sr_packet_t *pkt)
{
    Seen *s = static_cast<Seen *>(arg);
    EXPECT_EQ(1, s->prepared) << "a packet before prepare";
    s->dts.push_back(pkt->dts);
}

void sr_utest_loop_batch(void *arg)
{
    static_cast<Seen *>(arg)->batches++;
}

void feed_aac(sr_source_t *src, int64_t dts)
{
    const uint8_t raw[] = {0xaf, 0x01, 0x21, 0x10};
    sr_packet_t p;
    sr_packet_init_take(&p, SR_PACKET_AUDIO, dts, sr_payload_new_copy(raw, sizeof(raw)));
    sr_source_on_packet(src, &p);
    sr_packet_deinit(&p);
}

struct Live {
    sr_source_registry_t *reg = sr_source_registry_new();
    sr_source_t *src = sr_source_fetch(reg, "__defaultVhost__", "live", "loop", true);
    Live()
    {
        EXPECT_SR_OK(sr_source_publish(src, "pubcid"));
    }
    ~Live()
    {
        sr_source_unpublish(src);
        sr_source_unref(src);
        sr_source_registry_free(reg);
    }
};

sr_output_loop_t make_loop(Seen *seen)
{
    sr_output_loop_t l = {};
    l.arg = seen;
    l.prepare = sr_utest_loop_prepare;
    l.on_packet = sr_utest_loop_packet;
    l.after_batch = sr_utest_loop_batch;
    l.wake_us = 20 * SR_UTIME_MS;
    return l;
}

sr_consumer_policy_t sink_policy()
{
    sr_consumer_policy_t p = {};
    p.queue_length_ms = 60000;
    p.mw_msgs = 1;
    p.mw_latency_us = 10 * SR_UTIME_MS;
    p.is_sink = true;
    return p;
}

} // namespace

TEST_F(OutputLoop, PacketsReachTheOutputAndStopHandsOverTheRest)
{
    Live live;
    Seen seen;
    sr_output_loop_t loop = make_loop(&seen);
    sr_consumer_policy_t policy = sink_policy();
    sr_output_loop_start(&loop, live.src, &policy);
    for (int i = 0; i < 5; i++) {
        feed_aac(live.src, i * 23);
    }
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return seen.dts.size() == 5; }));
    EXPECT_EQ(1, seen.prepared);
    for (int i = 5; i < 9; i++) {
        feed_aac(live.src, i * 23); // queued, the loop does not run before the stop
    }
    int batches = seen.batches;
    sr_output_loop_stop(&loop);
    ASSERT_EQ(9u, seen.dts.size());
    for (size_t i = 1; i < seen.dts.size(); i++) {
        EXPECT_LT(seen.dts[i - 1], seen.dts[i]);
    }
    EXPECT_EQ(1, seen.prepared);
    EXPECT_GT(seen.batches, batches); // after_batch once more, after the last packets
    sr_output_loop_deinit(&loop);
    EXPECT_EQ(nullptr, loop.consumer);
}

TEST_F(OutputLoop, StopRightAfterStartStillPreparesAndHandsOver)
{
    Live live;
    Seen seen;
    sr_output_loop_t loop = make_loop(&seen);
    sr_consumer_policy_t policy = sink_policy();
    sr_output_loop_start(&loop, live.src, &policy);
    feed_aac(live.src, 0);
    sr_output_loop_stop(&loop); // no yield since the start
    EXPECT_EQ(1, seen.prepared);
    EXPECT_EQ(1u, seen.dts.size());
    sr_output_loop_deinit(&loop);
}
