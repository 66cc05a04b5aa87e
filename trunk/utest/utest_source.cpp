// SPDX-License-Identifier: MIT
// utest_source.cpp: the source and its consumers (app/sr_source, app/sr_consumer): the
// refcounted registry, one publisher at a time, fast start (metadata, sequence headers,
// then the GOP from its keyframe), zero-copy fan-out, publish/unpublish events, per-
// consumer timestamps that start at 0 and never go back, the consumer's wake-up rule
// (run in a real coroutine), and a slow consumer that drops whole GOPs without touching
// the others. Every test ends with no live payloads (utest_main checks).
#include <string.h>

#include <deque>
#include <memory>
#include <vector>

#include "sr_consumer.h"
#include "sr_consumer_internal.h"
#include "sr_error.h"
#include "sr_gop_cache.h"
#include "sr_jitter.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_source.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

enum Kind { KEY, INTER, VSEQ, AAC, ASEQ, META };

// A packet over real FLV tag bodies. Video bodies carry (gop, idx) after the 5-byte AVC
// header so a test can tell which frame it got; audio carries tag in the raw AAC bytes.
sr_packet_t make(Kind k, int64_t dts, uint8_t gop = 0, uint8_t idx = 0)
{
    uint8_t b[16] = {0};
    size_t n = 0;
    sr_packet_type_t type = SR_PACKET_VIDEO;
    switch (k) {
    case KEY:
    case INTER: {
        const uint8_t v[] = {(uint8_t)(k == KEY ? 0x17 : 0x27), 0x01, 0, 0, 0, gop, idx, 0x65, 0x88};
        memcpy(b, v, n = sizeof(v));
        break;
    }
    case VSEQ: {
        const uint8_t v[] = {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1};
        memcpy(b, v, n = sizeof(v));
        break;
    }
    case AAC: {
        const uint8_t v[] = {0xaf, 0x01, 0x21, 0x10, gop, idx};
        memcpy(b, v, n = sizeof(v));
        type = SR_PACKET_AUDIO;
        break;
    }
    case ASEQ: {
        const uint8_t v[] = {0xaf, 0x00, 0x12, 0x10};
        memcpy(b, v, n = sizeof(v));
        type = SR_PACKET_AUDIO;
        break;
    }
    case META: {
        const uint8_t v[] = {0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a', gop};
        memcpy(b, v, n = sizeof(v));
        type = SR_PACKET_DATA;
        break;
    }
    }
    sr_packet_t p;
    sr_packet_init_take(&p, type, dts, sr_payload_new_copy(b, n));
    return p;
}

sr_consumer_policy_t policy(int64_t queue_ms = 30000, int jitter = SR_JITTER_FULL, int mw_msgs = 8)
{
    sr_consumer_policy_t p = {};
    p.queue_length_ms = queue_ms;
    p.time_jitter = jitter;
    p.mw_msgs = mw_msgs;
    p.mw_latency_us = 350 * SR_UTIME_MS;
    p.is_min_latency = false;
    return p;
}

// The packets a test published, kept (one ref each) to compare payload pointers. A deque,
// so the references feed() returns stay valid as more are published.
struct Published {
    std::deque<sr_packet_t> pkts;
    ~Published()
    {
        for (sr_packet_t &p : pkts) {
            sr_packet_deinit(&p);
        }
    }
    // Publish into s (borrowed, as a publisher does) and keep our reference.
    const sr_packet_t &feed(sr_source_t *s, Kind k, int64_t dts, uint8_t gop = 0, uint8_t idx = 0)
    {
        pkts.push_back(make(k, dts, gop, idx));
        sr_source_on_packet(s, &pkts.back());
        return pkts.back();
    }
};

// Everything queued for c, in order, owning one ref each.
struct Fetched {
    std::vector<sr_packet_t> pkts;
    explicit Fetched(sr_consumer_t *c)
    {
        sr_packet_t buf[16];
        size_t n;
        while ((n = sr_consumer_fetch(c, buf, 16)) > 0) {
            pkts.insert(pkts.end(), buf, buf + n);
        }
    }
    ~Fetched()
    {
        for (sr_packet_t &p : pkts) {
            sr_packet_deinit(&p);
        }
    }
    size_t size() const
    {
        return pkts.size();
    }
    const sr_packet_t &operator[](size_t i) const
    {
        return pkts[i];
    }
};

// A registry with one source that tears down in the right order.
struct Stream {
    sr_source_registry_t *reg = sr_source_registry_new();
    sr_source_t *src = sr_source_fetch(reg, "__defaultVhost__", "live", "livestream", true);
    std::vector<sr_consumer_t *> consumers;
    ~Stream()
    {
        for (sr_consumer_t *c : consumers) {
            sr_source_consumer_remove(c);
        }
        sr_source_unpublish(src);
        sr_source_unref(src);
        EXPECT_EQ(0u, sr_source_registry_count(reg));
        sr_source_registry_free(reg);
    }
    sr_consumer_t *add(const sr_consumer_policy_t &p = policy())
    {
        consumers.push_back(sr_source_consumer_add(src, &p));
        return consumers.back();
    }
};

bool is_media(const sr_packet_t &p)
{
    return sr_packet_is_av(&p) && !(p.flags & SR_PACKET_IS_SEQUENCE_HEADER);
}

// A coroutine blocked in sr_consumer_wait.
struct Waiter {
    sr_consumer_t *c = nullptr;
    sr_utime_t timeout_us = 10 * SR_UTIME_S;
    bool is_entered = false;
    bool is_done = false;
    int rc = 1;
};

void sr_utest_source_waiter(void *arg)
{
    Waiter *w = static_cast<Waiter *>(arg);
    w->is_entered = true;
    w->rc = sr_consumer_wait(w->c, w->timeout_us);
    w->is_done = true;
}

sr_co_t *start_waiter(Waiter *w)
{
    sr_co_t *co = sr_co_start(sr_utest_source_waiter, w, nullptr);
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return w->is_entered; }));
    return co;
}

void count_source(sr_source_t *, void *arg)
{
    (*static_cast<int *>(arg))++;
}

} // namespace

using Source = SrUtestSt;

TEST_F(Source, RegistryFetchCreateRefUnref)
{
    sr_source_registry_t *r = sr_source_registry_new();
    EXPECT_EQ(nullptr, sr_source_fetch(r, "v", "live", "a", false));
    sr_source_t *a = sr_source_fetch(r, "v", "live", "a", true);
    ASSERT_NE(nullptr, a);
    EXPECT_STREQ("v", sr_source_vhost(a));
    EXPECT_STREQ("live", sr_source_app(a));
    EXPECT_STREQ("a", sr_source_stream(a));
    EXPECT_EQ(a, sr_source_fetch(r, "v", "live", "a", false)); // the same source, one more ref
    EXPECT_EQ(a, sr_source_fetch(r, "v", "live", "a", true));  // create does not duplicate
    sr_source_t *b = sr_source_fetch(r, "v", "live", "b", true);
    sr_source_t *other_vhost = sr_source_fetch(r, "w", "live", "a", true);
    EXPECT_NE(a, b);
    EXPECT_NE(a, other_vhost);
    EXPECT_EQ(3u, sr_source_registry_count(r));
    int visited = 0;
    sr_source_registry_foreach(r, count_source, &visited);
    EXPECT_EQ(3, visited);

    sr_source_unref(sr_source_ref(a)); // ref/unref pairs keep it
    sr_source_unref(a);
    sr_source_unref(a);
    EXPECT_EQ(a, sr_source_fetch(r, "v", "live", "a", false)); // one ref still held
    sr_source_unref(a);
    sr_source_unref(a); // the last one
    EXPECT_EQ(2u, sr_source_registry_count(r));
    EXPECT_EQ(nullptr, sr_source_fetch(r, "v", "live", "a", false));
    sr_source_unref(b);
    sr_source_unref(other_vhost);
    EXPECT_EQ(0u, sr_source_registry_count(r));
    sr_source_unref(nullptr); // no-op
    sr_source_registry_free(r);
}

TEST_F(Source, ConsumerHoldsItsSource)
{
    sr_source_registry_t *r = sr_source_registry_new();
    sr_source_t *s = sr_source_fetch(r, "v", "live", "a", true);
    sr_consumer_policy_t p = policy();
    sr_consumer_t *c = sr_source_consumer_add(s, &p);
    EXPECT_EQ(s, sr_consumer_source(c));
    sr_source_unref(s); // the player's connection let go of its own ref
    EXPECT_EQ(1u, sr_source_registry_count(r));
    EXPECT_EQ(s, sr_source_fetch(r, "v", "live", "a", false));
    sr_source_unref(s);
    sr_source_consumer_remove(c); // the consumer's ref was the last
    EXPECT_EQ(0u, sr_source_registry_count(r));
    sr_source_consumer_remove(nullptr); // no-op
    sr_source_registry_free(r);
}

TEST_F(Source, SecondPublishIsBusy)
{
    Stream st;
    EXPECT_FALSE(sr_source_is_publishing(st.src));
    ASSERT_SR_OK(sr_source_publish(st.src, "pubaaaa1"));
    EXPECT_SR_ERR(SR_ESTREAM_BUSY, sr_source_publish(st.src, "pubbbbb2"));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("pubaaaa1")) << sr_err_trail();
    sr_source_stats_t stats;
    sr_source_get_stats(st.src, &stats);
    EXPECT_TRUE(stats.is_publishing);
    EXPECT_STREQ("pubaaaa1", stats.publisher_cid); // the first stays
    sr_source_unpublish(st.src);
    EXPECT_FALSE(sr_source_is_publishing(st.src));
    EXPECT_SR_OK(sr_source_publish(st.src, "pubbbbb2"));
    sr_source_get_stats(st.src, &stats);
    EXPECT_STREQ("pubbbbb2", stats.publisher_cid);
}

TEST_F(Source, NewConsumerGetsMetadataSequenceHeadersThenGop)
{
    Stream st;
    Published pub;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    const sr_packet_t &vseq = pub.feed(st.src, VSEQ, 0);
    const sr_packet_t &aseq = pub.feed(st.src, ASEQ, 0);
    const sr_packet_t &meta = pub.feed(st.src, META, 0); // arrives after the headers, is sent first
    pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, AAC, 20, 1, 0);
    pub.feed(st.src, INTER, 40, 1, 1);
    const sr_packet_t &key2 = pub.feed(st.src, KEY, 80, 2, 0);
    const sr_packet_t &aac2 = pub.feed(st.src, AAC, 100, 2, 0);
    const sr_packet_t &inter2 = pub.feed(st.src, INTER, 120, 2, 1);

    sr_consumer_t *c = st.add();
    EXPECT_EQ(6u, sr_consumer_queued(c));
    const sr_packet_t &live = pub.feed(st.src, INTER, 160, 2, 2);
    Fetched got(c);
    ASSERT_EQ(7u, got.size());
    const sr_packet_t *want[] = {&meta, &vseq, &aseq, &key2, &aac2, &inter2, &live};
    for (size_t i = 0; i < got.size(); i++) {
        EXPECT_EQ(want[i]->payload, got[i].payload) << "packet " << i; // the very payload: no copy
        EXPECT_EQ(want[i]->type, got[i].type) << "packet " << i;
        EXPECT_EQ(want[i]->flags, got[i].flags) << "packet " << i;
    }
    EXPECT_TRUE(sr_packet_is_video_keyframe(&got[3]));
}

TEST_F(Source, LatestMetadataAndSequenceHeadersWin)
{
    Stream st;
    Published pub;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 0, 1);
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    const sr_packet_t &meta2 = pub.feed(st.src, META, 0, 2);
    const sr_packet_t &vseq2 = pub.feed(st.src, VSEQ, 0);
    const sr_packet_t &aseq2 = pub.feed(st.src, ASEQ, 0);
    Fetched got(st.add());
    ASSERT_EQ(3u, got.size());
    EXPECT_EQ(meta2.payload, got[0].payload);
    EXPECT_EQ(vseq2.payload, got[1].payload);
    EXPECT_EQ(aseq2.payload, got[2].payload);
    for (size_t i = 0; i < 3; i++) { // the replaced ones are released by the source
        EXPECT_EQ(1, pub.pkts[i].payload->refs) << i;
    }
}

TEST_F(Source, FanOutSharesPayloads)
{
    Stream st;
    Published pub;
    sr_consumer_t *c[3] = {st.add(), st.add(), st.add()};
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    const sr_packet_t &meta = pub.feed(st.src, META, 0);
    const sr_packet_t &aseq = pub.feed(st.src, ASEQ, 0);
    const sr_packet_t &key = pub.feed(st.src, KEY, 0, 1, 0);
    const sr_packet_t &inter = pub.feed(st.src, INTER, 40, 1, 1);
    // ours + the source's cache (metadata, header) or GOP cache + the ring's one, for
    // every consumer
    EXPECT_EQ(1 + 1 + 1, meta.payload->refs);
    EXPECT_EQ(1 + 1 + 1, aseq.payload->refs);
    EXPECT_EQ(1 + 1 + 1, key.payload->refs);
    EXPECT_EQ(1 + 1 + 1, inter.payload->refs);
    for (int i = 0; i < 3; i++) {
        Fetched got(c[i]);
        ASSERT_EQ(4u, got.size());
        EXPECT_EQ(meta.payload, got[0].payload);
        EXPECT_EQ(aseq.payload, got[1].payload);
        EXPECT_EQ(key.payload, got[2].payload);
        EXPECT_EQ(inter.payload, got[3].payload);
    }
    EXPECT_EQ(1 + 1 + 1, key.payload->refs); // each consumer released what it fetched

    // with gop_cache off, only the ring holds live frames, until every consumer has
    // read past them and the next keyframe trims the ring
    sr_source_policy_t off = {false, SR_GOP_CACHE_DEFAULT_MAX_FRAMES};
    sr_source_set_policy(st.src, &off);
    EXPECT_EQ(1 + 1, key.payload->refs);
    const sr_packet_t &key2 = pub.feed(st.src, KEY, 80, 2, 0);
    EXPECT_EQ(1, key.payload->refs);
    EXPECT_EQ(1 + 1, key2.payload->refs);
}

TEST_F(Source, FanOutAllocatesNoPayloads)
{
    Stream st;
    Published pub;
    st.add();
    st.add();
    st.add();
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, KEY, 0, 1, 0);
    long before = sr_payload_live_count();
    for (int i = 1; i <= 20; i++) {
        pub.feed(st.src, INTER, 40 * i, 1, (uint8_t)i);
    }
    EXPECT_EQ(before + 20, sr_payload_live_count()); // only the publisher's 20 payloads exist
}

TEST_F(Source, UnpublishPostsEventAndClearsCaches)
{
    Stream st;
    Published pub;
    sr_consumer_t *early = st.add();
    EXPECT_EQ(0u, sr_consumer_take_events(early));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_PUBLISH, sr_consumer_take_events(early));
    EXPECT_EQ(0u, sr_consumer_take_events(early)); // taking clears
    const sr_packet_t &vseq = pub.feed(st.src, VSEQ, 0);
    const sr_packet_t &meta = pub.feed(st.src, META, 0);
    const sr_packet_t &key = pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, INTER, 40, 1, 1);

    sr_source_unpublish(st.src);
    EXPECT_FALSE(sr_source_is_publishing(st.src));
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_UNPUBLISH, sr_consumer_take_events(early));
    EXPECT_EQ(4u, sr_consumer_queued(early)); // it stays attached with what it was sent
    // the caches let go: only ours and the early consumer's queue remain
    EXPECT_EQ(2, vseq.payload->refs);
    EXPECT_EQ(2, meta.payload->refs);
    EXPECT_EQ(2, key.payload->refs);
    sr_consumer_t *late = st.add();
    EXPECT_EQ(0u, sr_consumer_queued(late)); // nothing stale for a new player

    sr_source_unpublish(st.src); // not publishing: no event
    EXPECT_EQ(0u, sr_consumer_take_events(early));

    ASSERT_SR_OK(sr_source_publish(st.src, "pub00002"));
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_PUBLISH, sr_consumer_take_events(early));
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_PUBLISH, sr_consumer_take_events(late));
    sr_source_unpublish(st.src);
    sr_source_publish(st.src, "pub00003");
    // events accumulate until taken
    EXPECT_EQ((unsigned)(SR_CONSUMER_EV_UNPUBLISH | SR_CONSUMER_EV_PUBLISH), sr_consumer_take_events(late));
}

TEST_F(Source, ConsumerTimestampsStartAtZeroAndNeverGoBack)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 5000);
    pub.feed(st.src, VSEQ, 5000);
    pub.feed(st.src, ASEQ, 5000);
    pub.feed(st.src, KEY, 5000, 1, 0);
    pub.feed(st.src, AAC, 5023, 1, 0);
    pub.feed(st.src, INTER, 5040, 1, 1);
    pub.feed(st.src, AAC, 5046, 1, 1);
    pub.feed(st.src, INTER, 5080, 1, 2);
    sr_source_unpublish(st.src);
    // the new publisher's clock restarts at 0
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00002"));
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    pub.feed(st.src, KEY, 0, 2, 0);
    pub.feed(st.src, AAC, 23, 2, 0);
    pub.feed(st.src, INTER, 40, 2, 1);

    Fetched got(c);
    // first run: rebased to 0 with the publisher's deltas kept; the restart is one
    // nominal 10 ms step after what the player already has, then deltas again
    const int64_t want[] = {0, 0, 0, 0, 23, 40, 46, 80, 90, 90, 90, 113, 130};
    ASSERT_EQ(SR_ARRAY_SIZE(want), got.size());
    for (size_t i = 0; i < got.size(); i++) {
        EXPECT_EQ(want[i], got[i].dts) << "packet " << i;
        EXPECT_EQ(got[i].dts, got[i].pts) << "packet " << i; // cts 0: pts moves with dts
    }
}

TEST_F(Source, MidStreamConsumerStartsAtZero)
{
    Stream st;
    Published pub;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 0);
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    for (int i = 0; i < 50; i++) { // 2 s in, keyframe every second
        pub.feed(st.src, i % 25 == 0 ? KEY : INTER, 3600000 + 40 * i, (uint8_t)(i / 25), (uint8_t)(i % 25));
    }
    sr_consumer_t *full = st.add(policy(30000, SR_JITTER_FULL));
    sr_consumer_t *zero = st.add(policy(30000, SR_JITTER_ZERO));
    sr_consumer_t *off = st.add(policy(30000, SR_JITTER_OFF));
    pub.feed(st.src, INTER, 3600000 + 40 * 50, 2, 0);
    Fetched f(full), z(zero), o(off);
    ASSERT_EQ(3u + 25 + 1, f.size());
    ASSERT_EQ(f.size(), z.size());
    ASSERT_EQ(f.size(), o.size());
    int64_t last = 0;
    for (size_t i = 0; i < f.size(); i++) {
        EXPECT_GE(f[i].dts, last) << "full went back at " << i;
        last = f[i].dts;
        EXPECT_GE(z[i].dts, 0) << i;
        if (is_media(o[i])) {
            EXPECT_EQ(o[i].dts, pub.pkts[3 + 25 + (i - 3)].dts) << "off changes nothing, " << i;
        }
    }
    // the headers open the player's timeline at 0; the GOP, an hour later in publisher
    // time, follows one nominal step on, and then keeps the publisher's 40 ms spacing
    EXPECT_EQ(0, f[1].dts);
    EXPECT_TRUE(sr_packet_is_video_keyframe(&f[3]));
    EXPECT_EQ(SR_JITTER_DEFAULT_DELTA_MS, f[3].dts);
    EXPECT_EQ(SR_JITTER_DEFAULT_DELTA_MS + 40 * 25, f[f.size() - 1].dts);
}

// SRS's merged-write rule: more than mw_msgs packets AND mw_latency (350 ms) of media.
TEST_F(Source, ConsumerWaitWakesAtMwMsgsAndMwLatency)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_FULL, 4));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);
    {
        Fetched first(c); // the first batch is out: from now on, batches are merged
    }
    Waiter w;
    w.c = c;
    SrUtestCo co(start_waiter(&w));
    // four packets spanning 600 ms: the span is there, the count is not
    pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, INTER, 200, 1, 1);
    pub.feed(st.src, INTER, 400, 1, 2);
    pub.feed(st.src, INTER, 600, 1, 3);
    sr_usleep(5 * SR_UTIME_MS);
    EXPECT_FALSE(w.is_done) << "woke with 4 packets, mw_msgs 4";
    co.stop();
    {
        Fetched drained(c);
        EXPECT_EQ(4u, drained.size());
    }

    // eight packets spanning 280 ms: the count is there, the span is not
    Waiter w2;
    w2.c = c;
    SrUtestCo co2(start_waiter(&w2));
    for (int i = 0; i < 8; i++) {
        pub.feed(st.src, INTER, 640 + 40 * i, 1, (uint8_t)(4 + i));
    }
    sr_usleep(5 * SR_UTIME_MS);
    EXPECT_FALSE(w2.is_done) << "woke with 280 ms queued, mw_latency 350";
    pub.feed(st.src, INTER, 640 + 40 * 9, 1, 12); // 360 ms
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w2.is_done; }));
    EXPECT_SR_OK(w2.rc);
    EXPECT_EQ(9u, sr_consumer_queued(c));
    co2.stop();
}

// Fast start: a new player's first batch (the GOP cache) does not wait for mw_latency.
TEST_F(Source, ConsumerFirstWaitReturnsTheCachedGopAtOnce)
{
    Stream st;
    Published pub;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, INTER, 40, 1, 1);
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_FULL, 8));
    sr_consumer_take_events(c);
    EXPECT_SR_OK(sr_consumer_wait(c, 0));
    Fetched f(c);
    EXPECT_EQ(2u, f.size());
}

TEST_F(Source, ConsumerBatchWaitFollowsThePolicy)
{
    Stream st;
    sr_consumer_policy_t p = policy();
    sr_consumer_t *c = st.add(p);
    EXPECT_EQ(350 * SR_UTIME_MS + 1, sr_consumer_batch_wait_us(c));
    p.mw_latency_us = 5 * SR_UTIME_S; // capped: an idle player is still looked at every second
    sr_consumer_set_policy(c, &p);
    EXPECT_EQ(SR_CONSUMER_IDLE_WAKE_US, sr_consumer_batch_wait_us(c));
    p.is_min_latency = true;
    sr_consumer_set_policy(c, &p);
    EXPECT_EQ(SR_CONSUMER_IDLE_WAKE_US, sr_consumer_batch_wait_us(c));
}

TEST_F(Source, ConsumerLatencyCapSurvivesAReload)
{
    Stream st;
    sr_consumer_policy_t p = policy();
    sr_consumer_t *c = st.add(p);
    sr_consumer_cap_latency(c, 50 * SR_UTIME_MS); // an SRT player
    EXPECT_EQ(50 * SR_UTIME_MS + 1, sr_consumer_batch_wait_us(c));
    sr_consumer_set_policy(c, &p); // a reload with mw_latency 350 ms
    EXPECT_EQ(50 * SR_UTIME_MS + 1, sr_consumer_batch_wait_us(c));
    p.mw_latency_us = 20 * SR_UTIME_MS; // under the cap: the policy's own
    sr_consumer_set_policy(c, &p);
    EXPECT_EQ(20 * SR_UTIME_MS + 1, sr_consumer_batch_wait_us(c));
}

TEST_F(Source, ConsumerWaitWakesOnEvent)
{
    Stream st;
    sr_consumer_t *c = st.add();
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);

    Waiter w;
    w.c = c;
    SrUtestCo co(start_waiter(&w));
    sr_usleep(5 * SR_UTIME_MS);
    EXPECT_FALSE(w.is_done);
    sr_source_post_all(st.src, SR_CONSUMER_EV_WAKEUP);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w.is_done; }));
    co.stop();
    EXPECT_SR_OK(w.rc);
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_WAKEUP, sr_consumer_take_events(c));

    Waiter w2;
    w2.c = c;
    SrUtestCo co2(start_waiter(&w2));
    sr_source_unpublish(st.src); // the publisher leaving wakes the player
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w2.is_done; }));
    co2.stop();
    EXPECT_SR_OK(w2.rc);
    EXPECT_EQ((unsigned)SR_CONSUMER_EV_UNPUBLISH, sr_consumer_take_events(c));

    sr_consumer_post(c, SR_CONSUMER_EV_WAKEUP); // a pending event: no wait at all
    EXPECT_SR_OK(sr_consumer_wait(c, 10 * SR_UTIME_S));
}

TEST_F(Source, ConsumerWaitMinLatencyWakesOnEveryPacket)
{
    Stream st;
    Published pub;
    sr_consumer_policy_t p = policy(30000, SR_JITTER_FULL, 8);
    p.is_min_latency = true;
    sr_consumer_t *c = st.add(p);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);
    Waiter w;
    w.c = c;
    SrUtestCo co(start_waiter(&w));
    pub.feed(st.src, KEY, 0, 1, 0);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w.is_done; }));
    co.stop();
    EXPECT_SR_OK(w.rc);
    EXPECT_EQ(1u, sr_consumer_queued(c));
}

TEST_F(Source, ConsumerWaitTimesOut)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_FULL, 8));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_consumer_wait(c, 20 * SR_UTIME_MS)); // nothing queued
    pub.feed(st.src, KEY, 0, 1, 0);
    // fewer than mw_msgs: the wait runs out, then hands over what there is (mw_latency)
    EXPECT_SR_OK(sr_consumer_wait(c, 20 * SR_UTIME_MS));
    EXPECT_EQ(1u, sr_consumer_queued(c));
}

TEST_F(Source, StopInterruptsConsumerWait)
{
    Stream st;
    sr_consumer_t *c = st.add();
    Waiter w;
    w.c = c;
    w.timeout_us = 60 * SR_UTIME_S;
    SrUtestCo co(start_waiter(&w));
    sr_utime_t t0 = sr_time_mono_us();
    co.stop();
    EXPECT_LT(sr_time_mono_us() - t0, 5 * SR_UTIME_S);
    EXPECT_TRUE(w.is_done);
    EXPECT_EQ(-SR_EINTERRUPTED, w.rc) << sr_err_name(w.rc);
}

TEST_F(Source, SlowConsumerDropsWholeGops)
{
    Stream st;
    Published pub;
    sr_consumer_t *slow = st.add(policy(1000, SR_JITTER_FULL));
    sr_consumer_t *fast = st.add(policy(1000, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(slow);
    pub.feed(st.src, META, 0);
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    const int gops = 6, frames = 12; // 480 ms GOPs, 25 fps video, audio between frames
    size_t fast_media = 0;
    for (int g = 0; g < gops; g++) {
        for (int i = 0; i < frames; i++) {
            int64_t t = (g * frames + i) * 40;
            pub.feed(st.src, i == 0 ? KEY : INTER, t, (uint8_t)g, (uint8_t)i);
            pub.feed(st.src, AAC, t + 20, (uint8_t)g, (uint8_t)i);
            Fetched drained(fast); // the fast player keeps up
            for (size_t k = 0; k < drained.size(); k++) {
                fast_media += is_media(drained[k]) ? 1 : 0;
            }
        }
    }
    const size_t published_media = 2 * gops * frames;
    EXPECT_EQ(0u, sr_consumer_dropped(fast)); // one slow player costs the others nothing
    EXPECT_EQ(published_media, fast_media);

    Fetched got(slow);
    ASSERT_GE(got.size(), 4u);
    EXPECT_EQ(SR_PACKET_DATA, got[0].type); // headers and metadata are never dropped
    EXPECT_TRUE(got[1].type == SR_PACKET_VIDEO && (got[1].flags & SR_PACKET_IS_SEQUENCE_HEADER));
    EXPECT_TRUE(got[2].type == SR_PACKET_AUDIO && (got[2].flags & SR_PACKET_IS_SEQUENCE_HEADER));
    size_t media = 0;
    int64_t first_dts = -1, last_dts = 0;
    int prev_gop = -1, prev_idx = -1;
    for (size_t i = 3; i < got.size(); i++) {
        const sr_packet_t &p = got[i];
        ASSERT_TRUE(is_media(p)) << i;
        media++;
        first_dts = first_dts < 0 ? p.dts : first_dts;
        last_dts = p.dts;
        if (p.type != SR_PACKET_VIDEO) {
            continue;
        }
        int g = p.payload->data[5], idx = p.payload->data[6];
        if (prev_gop < 0) {
            EXPECT_TRUE(sr_packet_is_video_keyframe(&p)) << "queue must restart on a keyframe";
        } else if (idx == 0) {
            EXPECT_EQ(prev_gop + 1, g);
            EXPECT_EQ(frames - 1, prev_idx) << "GOP " << prev_gop << " cut short";
        } else {
            EXPECT_EQ(prev_gop, g);
            EXPECT_EQ(prev_idx + 1, idx) << "frame without its predecessors";
        }
        prev_gop = g;
        prev_idx = idx;
    }
    EXPECT_EQ(gops - 1, prev_gop);
    EXPECT_EQ(frames - 1, prev_idx);
    EXPECT_LE(last_dts - first_dts, 1000); // within queue_length
    EXPECT_GT(sr_consumer_dropped(slow), 0u);
    EXPECT_EQ(published_media, media + sr_consumer_dropped(slow)); // every drop is counted
}

// A player blocked in a write never reads: the source holds it to queue_length when it
// trims the ring, so the ring (the only copy of what it has not read) stays bounded.
TEST_F(Source, BlockedConsumerIsHeldToItsBoundByTheRing)
{
    Stream st;
    Published pub;
    sr_consumer_t *blocked = st.add(policy(1000, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    size_t most = 0;
    for (int i = 0; i < 1500; i++) { // 60 s, keyframe every second, audio between frames
        pub.feed(st.src, i % 25 == 0 ? KEY : INTER, 40 * i, (uint8_t)(i / 25), (uint8_t)(i % 25));
        pub.feed(st.src, AAC, 40 * i + 20, (uint8_t)(i / 25), (uint8_t)(i % 25));
        most = SR_MAX(most, sr_consumer_queued(blocked));
        while (pub.pkts.size() > 8) { // the publisher lets go of what it sent
            sr_packet_deinit(&pub.pkts.front());
            pub.pkts.pop_front();
        }
    }
    EXPECT_LE(most, 2u * (25 + 25) + 4) << "at most a GOP over the 1 s bound, then a skip";
    EXPECT_GT(sr_consumer_dropped(blocked), 2000u);
    EXPECT_LE(sr_payload_live_count(), 2u * (25 + 25) + 4 + 8 + 50 + 2) << "ring + GOP cache + ours";
    Fetched got(blocked); // when it reads again: the headers, then whole GOPs
    ASSERT_GE(got.size(), 3u);
    EXPECT_TRUE(got[0].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_TRUE(got[1].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_TRUE(sr_packet_is_video_keyframe(&got[2]));
    EXPECT_LE(got[got.size() - 1].dts - got[2].dts, 1000);
}

// A GOP longer than the bound: the skip keeps what is within the bound, and video
// waits for the next keyframe while audio keeps flowing (the player keeps its sound).
TEST_F(Source, GopLongerThanTheBoundWaitsForAKeyframe)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(300, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    for (int i = 0; i < 20; i++) { // 800 ms of a 2 s GOP
        pub.feed(st.src, i == 0 ? KEY : INTER, 40 * i, 1, (uint8_t)i);
        pub.feed(st.src, AAC, 40 * i + 20, 1, (uint8_t)i);
    }
    {
        Fetched kept(c); // the audio of the last 300 ms, none of the video
        ASSERT_EQ(8u, kept.size());
        for (size_t i = 0; i < kept.size(); i++) {
            EXPECT_EQ(SR_PACKET_AUDIO, kept[i].type) << i;
            EXPECT_EQ(12 + (int)i, kept[i].payload->data[5]) << i;
        }
    }
    EXPECT_EQ(24u + 8, sr_consumer_dropped(c));
    pub.feed(st.src, INTER, 800, 1, 20);
    pub.feed(st.src, AAC, 820, 1, 20);
    pub.feed(st.src, KEY, 840, 2, 0);
    pub.feed(st.src, INTER, 880, 2, 1);
    Fetched got(c);
    ASSERT_EQ(3u, got.size()); // the inter frame at 800 is dropped, its keyframe is gone
    EXPECT_EQ(SR_PACKET_AUDIO, got[0].type);
    EXPECT_TRUE(sr_packet_is_video_keyframe(&got[1]));
    EXPECT_EQ(2, got[2].payload->data[5]);
    EXPECT_EQ(24u + 8 + 1, sr_consumer_dropped(c));
}

// A codec change while a player was behind: the new sequence header is given again
// before the keyframe the player skips to, with the time of the skipped packets.
TEST_F(Source, SkippedSequenceHeadersAreGivenAgain)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(500, SR_JITTER_OFF));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 0);
    pub.feed(st.src, VSEQ, 0);
    for (int i = 0; i < 50; i++) {
        if (i == 30) {
            pub.feed(st.src, VSEQ, 40 * i); // new resolution mid-GOP
        }
        pub.feed(st.src, i % 20 == 0 ? KEY : INTER, 40 * i, (uint8_t)(i / 20), (uint8_t)(i % 20));
    }
    Fetched got(c);
    ASSERT_GE(got.size(), 3u);
    EXPECT_EQ(SR_PACKET_DATA, got[0].type);
    EXPECT_TRUE(got[1].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_EQ(pub.pkts[32].payload, got[1].payload) << "the newest header, not the first";
    EXPECT_EQ(40 * 39, got[1].dts);
    EXPECT_TRUE(sr_packet_is_video_keyframe(&got[2]));
    EXPECT_EQ(40 * 40, got[2].dts);
    EXPECT_EQ(40u, sr_consumer_dropped(c));
}

TEST_F(Source, AudioOnlyConsumerStaysBounded)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(3000, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, ASEQ, 0);
    size_t most = 0;
    for (int64_t t = 0; t < 100000; t += 23) {
        pub.feed(st.src, AAC, t);
        most = SR_MAX(most, sr_consumer_queued(c));
        sr_packet_deinit(&pub.pkts.back());
    }
    EXPECT_LE(most, 3000u / 23 + 256 + 2) << "held to the bound at least every 256 packets";
    Fetched got(c);
    ASSERT_GE(got.size(), 100u);
    EXPECT_TRUE(got[0].flags & SR_PACKET_IS_SEQUENCE_HEADER); // the AudioSpecificConfig survives
    EXPECT_LE(got[got.size() - 1].dts - got[1].dts, 3000);
    EXPECT_GT(sr_consumer_dropped(c), 0u);
}

// A new publisher restarting its clock at 0, with time_jitter off: spans are measured on
// the source's own timeline, so the jump back is not a long queue and nothing is dropped.
TEST_F(Source, RepublishWithTimeJitterOffDropsNothing)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(1000, SR_JITTER_OFF));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, KEY, 100000, 1, 0);
    pub.feed(st.src, INTER, 100040, 1, 1);
    sr_source_unpublish(st.src);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00002"));
    pub.feed(st.src, KEY, 0, 2, 0);
    pub.feed(st.src, INTER, 40, 2, 1);
    Fetched got(c);
    ASSERT_EQ(4u, got.size());
    EXPECT_EQ(0u, sr_consumer_dropped(c));
    EXPECT_EQ(0, got[2].dts);
}

TEST_F(Source, NoQueueBoundNeverDrops)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(0, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    for (int i = 0; i < 2000; i++) {
        pub.feed(st.src, i % 25 == 0 ? KEY : INTER, 40 * i, (uint8_t)(i / 25), (uint8_t)(i % 25));
        sr_packet_deinit(&pub.pkts.back());
    }
    EXPECT_EQ(2000u, sr_consumer_queued(c));
    Fetched got(c);
    EXPECT_EQ(2000u, got.size());
    EXPECT_EQ(0u, sr_consumer_dropped(c));
}

// The source wakes batch waiters itself: the packet that makes them due wakes them all
// at once, none before it, and while the stream is live a player waits with no timer.
TEST_F(Source, OnePacketWakesEveryDueBatchWaiter)
{
    Stream st;
    Published pub;
    const int n = 50;
    std::vector<sr_consumer_t *> cs;
    for (int i = 0; i < n; i++) {
        cs.push_back(st.add(policy(30000, SR_JITTER_FULL, 4)));
    }
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, KEY, 0, 1, 0);
    std::vector<Waiter> ws(n);
    std::vector<std::unique_ptr<SrUtestCo>> cos;
    for (int i = 0; i < n; i++) {
        sr_consumer_take_events(cs[i]);
        Fetched first(cs[i]);
        EXPECT_EQ(SR_UTIME_NO_TIMEOUT, sr_consumer_batch_wait_us(cs[i]));
        ws[i].c = cs[i];
        ws[i].timeout_us = SR_UTIME_NO_TIMEOUT;
        cos.emplace_back(new SrUtestCo(start_waiter(&ws[i])));
    }
    for (int i = 1; i <= 8; i++) { // 8 packets spanning 280 ms: count yes, span not yet
        pub.feed(st.src, INTER, 40 * i, 1, (uint8_t)i);
    }
    sr_usleep(5 * SR_UTIME_MS);
    for (int i = 0; i < n; i++) {
        EXPECT_FALSE(ws[i].is_done) << i;
    }
    pub.feed(st.src, INTER, 400, 1, 9); // 360 ms
    ASSERT_TRUE(sr_utest_st_wait_until([&] {
        for (const Waiter &w : ws) {
            if (!w.is_done) {
                return false;
            }
        }
        return true;
    }));
    for (int i = 0; i < n; i++) {
        EXPECT_SR_OK(ws[i].rc);
        EXPECT_EQ(9u, sr_consumer_queued(cs[i]));
    }
    sr_source_unpublish(st.src);
    EXPECT_EQ(350 * SR_UTIME_MS + 1, sr_consumer_batch_wait_us(cs[0])) << "no publisher: an idle wake";
}

// A stream too sparse to fill a batch (two packets, then nothing): the server's tick
// hands them over once they have waited mw_latency.
TEST_F(Source, TickFlushesASparseStream)
{
    Stream st;
    Published pub;
    sr_consumer_policy_t p = policy(30000, SR_JITTER_FULL, 8);
    p.mw_latency_us = 20 * SR_UTIME_MS;
    sr_consumer_t *c = st.add(p);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);
    pub.feed(st.src, KEY, 0, 1, 0);
    {
        Fetched first(c);
    }
    Waiter w;
    w.c = c;
    w.timeout_us = SR_UTIME_NO_TIMEOUT;
    SrUtestCo co(start_waiter(&w));
    pub.feed(st.src, INTER, 40, 1, 1);
    pub.feed(st.src, INTER, 80, 1, 2);
    sr_source_registry_tick(st.reg); // too early: nothing has waited 20 ms yet
    sr_usleep(5 * SR_UTIME_MS);
    EXPECT_FALSE(w.is_done);
    sr_usleep(25 * SR_UTIME_MS);
    sr_source_registry_tick(st.reg);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w.is_done; }));
    EXPECT_SR_OK(w.rc);
    Fetched got(c);
    EXPECT_EQ(2u, got.size());
}

// An output's wire form is built once per packet stored, from the first consumer that
// asks on: ring packets carry it (with their seq), packets given at attach do not, and a
// second kind or key is refused. The blocks go with the ring.
struct TestWire {
    static void *state_new(uint32_t key)
    {
        return new uint32_t(key);
    }
    static void state_free(void *st)
    {
        delete static_cast<uint32_t *>(st);
    }
    static void build(void *, const sr_packet_t *pkt, int64_t t_ms, uint64_t seq, sr_wire_t *out)
    {
        out->block = sr_payload_new_copy(pkt->payload->data, pkt->payload->size);
        out->len = pkt->payload->size;
        out->base_seq = seq;
        out->delta = t_ms;
    }
};
const sr_wire_kind_t test_wire = {TestWire::state_new, TestWire::state_free, TestWire::build};
const sr_wire_kind_t other_wire = {TestWire::state_new, TestWire::state_free, TestWire::build};

TEST_F(Source, WireFormIsBuiltOncePerPacketForItsReaders)
{
    Stream st;
    Published pub;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_t *a = st.add();
    pub.feed(st.src, KEY, 0, 1, 0); // before anyone asked: no wire form
    sr_consumer_t *b = st.add();    // given the GOP
    EXPECT_TRUE(sr_consumer_use_wire(a, &test_wire, 60000));
    EXPECT_TRUE(sr_consumer_use_wire(b, &test_wire, 60000));
    EXPECT_FALSE(sr_consumer_use_wire(b, &test_wire, 128)) << "another key";
    EXPECT_FALSE(sr_consumer_use_wire(b, &other_wire, 60000)) << "another kind";
    pub.feed(st.src, INTER, 40, 1, 1);
    pub.feed(st.src, INTER, 80, 1, 2);
    sr_packet_t out[8];
    const sr_wire_t *wires[8];
    uint64_t seqs[8];
    size_t n = sr_consumer_fetch_wired(b, out, wires, seqs, 8);
    ASSERT_EQ(3u, n);
    EXPECT_EQ(nullptr, wires[0]); // the GOP it was given
    EXPECT_EQ(UINT64_MAX, seqs[0]);
    for (size_t i = 1; i < 3; i++) {
        ASSERT_NE(nullptr, wires[i]);
        EXPECT_EQ(seqs[i], wires[i]->base_seq);
        EXPECT_EQ(0, memcmp(out[i].payload->data, wires[i]->block->data, wires[i]->len));
    }
    const sr_wire_t *first = wires[1];
    for (size_t i = 0; i < n; i++) {
        sr_packet_deinit(&out[i]);
    }
    n = sr_consumer_fetch_wired(a, out, wires, seqs, 8);
    ASSERT_EQ(3u, n);
    EXPECT_EQ(nullptr, wires[0]);
    EXPECT_EQ(first, wires[1]) << "one form, shared by both readers";
    for (size_t i = 0; i < n; i++) {
        sr_packet_deinit(&out[i]);
    }
}

TEST_F(Source, SetConsumerPolicyAppliesToQueues)
{
    Stream st;
    Published pub;
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_FULL));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_policy_t tight = policy(200, SR_JITTER_FULL);
    sr_source_set_consumer_policy(st.src, &tight);
    for (int i = 0; i < 30; i++) {
        pub.feed(st.src, i % 5 == 0 ? KEY : INTER, 40 * i, (uint8_t)(i / 5), (uint8_t)(i % 5));
    }
    EXPECT_GT(sr_consumer_dropped(c), 0u); // the 200 ms bound is in force
    EXPECT_LE(sr_consumer_queued(c), 10u);
}

TEST_F(Source, StatsCountPacketsAndCodecs)
{
    Stream st;
    Published pub;
    st.add();
    st.add();
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 0);
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, AAC, 20, 1, 0);
    pub.feed(st.src, INTER, 40, 1, 1);
    sr_source_stats_t s;
    sr_source_get_stats(st.src, &s);
    EXPECT_EQ(6u, s.packets);
    EXPECT_EQ(2u, s.frames); // video frames, not sequence headers
    uint64_t bytes = 0;
    for (const sr_packet_t &p : pub.pkts) {
        bytes += p.payload->size;
    }
    EXPECT_EQ(bytes, s.recv_bytes);
    EXPECT_EQ(2, s.consumers);
    EXPECT_EQ(7, s.video_codec);  // AVC
    EXPECT_EQ(10, s.audio_codec); // AAC
}

TEST_F(Source, TeardownLeavesNoPayloads)
{
    long before = sr_payload_live_count();
    {
        Stream st;
        Published pub;
        sr_consumer_t *keep = st.add();
        st.add();
        ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
        pub.feed(st.src, META, 0);
        pub.feed(st.src, VSEQ, 0);
        pub.feed(st.src, ASEQ, 0);
        for (int i = 0; i < 40; i++) {
            pub.feed(st.src, i % 10 == 0 ? KEY : INTER, 40 * i, (uint8_t)(i / 10), (uint8_t)(i % 10));
            pub.feed(st.src, AAC, 40 * i + 20);
        }
        // a player leaves mid-stream with a full queue
        sr_source_consumer_remove(keep);
        st.consumers.erase(st.consumers.begin());
        EXPECT_GT(sr_payload_live_count(), before);
    }
    EXPECT_EQ(before, sr_payload_live_count());
}

// Issue 9.7: play.send_min_interval hands out one packet per interval, with the wait
// sleeping until the next is due (SRS's pacing for devices that need a steady rate).
TEST_F(Source, SendMinIntervalPacesOnePacketAtATime)
{
    Stream st;
    Published pub;
    sr_consumer_policy_t p = policy();
    p.send_min_interval_us = 30 * SR_UTIME_MS;
    sr_consumer_t *c = st.add(p);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_consumer_take_events(c);
    for (int i = 0; i < 4; i++) {
        pub.feed(st.src, i == 0 ? KEY : INTER, 40 * i, 1, (uint8_t)i);
    }
    sr_packet_t out[8];
    sr_utime_t t0 = sr_time_mono_us();
    for (int i = 0; i < 4; i++) {
        ASSERT_SR_OK(sr_consumer_wait(c, 10 * SR_UTIME_S));
        ASSERT_TRUE(sr_consumer_can_fetch(c));
        ASSERT_EQ(1u, sr_consumer_fetch(c, out, 8));
        EXPECT_EQ(i, out[0].payload->data[6]); // in order
        sr_packet_deinit(&out[0]);
        EXPECT_EQ(0u, sr_consumer_fetch(c, out, 8)) << "a second packet within the interval";
        EXPECT_EQ(i < 3, sr_consumer_can_fetch(c) || sr_consumer_queued(c) > 0);
    }
    EXPECT_GE(sr_time_mono_us() - t0, 3 * 30 * SR_UTIME_MS) << "four packets need three intervals";
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_consumer_wait(c, 5 * SR_UTIME_MS)); // nothing left
}

// Issue 9.7: under atc a new player's cached headers carry the GOP's time (the player's
// timeline is the encoder's, with time_jitter off), not 0 then a jump.
TEST_F(Source, AtcGivesCachedHeadersTheGopTime)
{
    Stream st;
    Published pub;
    sr_source_policy_t sp = {true, 2500, true, false};
    sr_source_set_policy(st.src, &sp);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    pub.feed(st.src, META, 0);
    pub.feed(st.src, VSEQ, 0);
    pub.feed(st.src, ASEQ, 0);
    pub.feed(st.src, KEY, 100000, 1, 0);
    pub.feed(st.src, AAC, 100010, 1, 1);
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_OFF));
    Fetched f(c);
    ASSERT_EQ(5u, f.size());
    for (size_t i = 0; i < 4; i++) {
        EXPECT_EQ(100000, f[i].dts) << i;
    }
    EXPECT_EQ(100010, f[4].dts);
}

// Issue 9.7: publish.kickoff_for_idle counts from the publish, stops while a player is
// there, and starts again when the last player leaves; sinks (HLS, DVR) are not players.
TEST_F(Source, IdleTimeCountsPlayersNotSinks)
{
    Stream st;
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    sr_usleep(20 * SR_UTIME_MS);
    EXPECT_GE(sr_source_idle_us(st.src), 20 * SR_UTIME_MS);
    sr_consumer_policy_t sink = policy();
    sink.is_sink = true;
    st.add(sink);
    EXPECT_GE(sr_source_idle_us(st.src), 20 * SR_UTIME_MS) << "a sink is not a player";
    sr_consumer_t *player = sr_source_consumer_add(st.src, &(const sr_consumer_policy_t &)policy());
    EXPECT_EQ(0u, sr_source_idle_us(st.src));
    sr_usleep(5 * SR_UTIME_MS);
    sr_source_consumer_remove(player);
    EXPECT_LT(sr_source_idle_us(st.src), 20 * SR_UTIME_MS) << "counts again from the leave";
}

// Issue 9.7: mix_correct puts a late track back into dts order before the fan-out, and
// what it still holds is delivered at unpublish.
TEST_F(Source, MixCorrectDeliversAudioAndVideoInDtsOrder)
{
    Stream st;
    Published pub;
    sr_source_policy_t sp = {true, 2500, false, true};
    sr_source_set_policy(st.src, &sp);
    sr_consumer_t *c = st.add(policy(30000, SR_JITTER_OFF));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    // video runs 200 ms ahead of audio on the wire
    pub.feed(st.src, KEY, 0, 1, 0);
    pub.feed(st.src, INTER, 100, 1, 1);
    pub.feed(st.src, INTER, 200, 1, 2);
    pub.feed(st.src, AAC, 0, 1, 0);
    pub.feed(st.src, AAC, 50, 1, 1);
    pub.feed(st.src, AAC, 150, 1, 2);
    pub.feed(st.src, AAC, 250, 1, 3);
    pub.feed(st.src, INTER, 300, 1, 3);
    sr_source_unpublish(st.src); // flushes the rest
    Fetched f(c);
    ASSERT_EQ(8u, f.size());
    for (size_t i = 1; i < f.size(); i++) {
        EXPECT_LE(f[i - 1].dts, f[i].dts) << i;
    }
    EXPECT_EQ(SR_PACKET_VIDEO, f[0].type);
    EXPECT_EQ(300, f[7].dts);
}

// Issue 10: observers of every stream (stats now, on-demand pulls next): publish and
// unpublish, the first player and the last one; sinks are not players.
namespace
{
struct Seen {
    int publish = 0, unpublish = 0, first = 0, last = 0;
};
void seen_publish(void *arg, sr_source_t *)
{
    static_cast<Seen *>(arg)->publish++;
}
void seen_unpublish(void *arg, sr_source_t *)
{
    static_cast<Seen *>(arg)->unpublish++;
}
void seen_first(void *arg, sr_source_t *)
{
    static_cast<Seen *>(arg)->first++;
}
void seen_last(void *arg, sr_source_t *)
{
    static_cast<Seen *>(arg)->last++;
}
} // namespace

TEST_F(Source, ObserversSeePublishesAndFirstAndLastPlayer)
{
    Stream st;
    Seen seen;
    sr_source_observer_t o = {seen_publish, seen_unpublish, seen_first, seen_last, &seen};
    ASSERT_SR_OK(sr_source_registry_observe(st.reg, &o));
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00001"));
    EXPECT_EQ(1, seen.publish);
    sr_consumer_policy_t sink = policy();
    sink.is_sink = true;
    st.add(sink);
    EXPECT_EQ(0, seen.first) << "a sink is not a player";
    sr_consumer_t *a = sr_source_consumer_add(st.src, &(const sr_consumer_policy_t &)policy());
    sr_consumer_t *b = sr_source_consumer_add(st.src, &(const sr_consumer_policy_t &)policy());
    EXPECT_EQ(1, seen.first);
    sr_source_consumer_remove(a);
    EXPECT_EQ(0, seen.last);
    sr_source_consumer_remove(b);
    EXPECT_EQ(1, seen.last);
    sr_source_unpublish(st.src);
    EXPECT_EQ(1, seen.unpublish);
    sr_source_registry_unobserve(st.reg, &o);
    ASSERT_SR_OK(sr_source_publish(st.src, "pub00002"));
    EXPECT_EQ(1, seen.publish) << "no calls once unobserved";
    sr_source_observer_t many[SR_SOURCE_MAX_OBSERVERS + 1] = {};
    for (int i = 0; i < SR_SOURCE_MAX_OBSERVERS; i++) {
        ASSERT_SR_OK(sr_source_registry_observe(st.reg, &many[i]));
    }
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_source_registry_observe(st.reg, &many[SR_SOURCE_MAX_OBSERVERS]));
    for (auto &m : many) {
        sr_source_registry_unobserve(st.reg, &m);
    }
}
