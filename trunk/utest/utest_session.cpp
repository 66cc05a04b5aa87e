// SPDX-License-Identifier: MIT
// utest_session.cpp: the publish and play lifecycles every protocol shares
// (app/sr_session): one publisher per stream, a live-only play of a stream that is not
// live, the client's entry pointing at the stream while a session runs, frames reaching
// a player, and kickoff_for_idle. Hooks are off here (utest_http_hooks covers them);
// the protocols' use is covered by the integration tests with real clients.
#include <string>

#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_server.h"
#include "sr_session.h"
#include "sr_utest.h"
#include "sr_utest_request.h"
#include "sr_utest_server.h"
#include "sr_utest_st.h"

namespace
{

// A server (never started) whose __defaultVhost__ has vhost_body.
struct Server : SrUtestServer {
    explicit Server(const std::string &vhost_body)
        : SrUtestServer("listen 1935;\nvhost __defaultVhost__ {\n" + vhost_body + "}\n")
    {
    }
    const sr_vhost_config_t *vhost() const
    {
        return sr_server_config_vhost(sr_server_config(s), "__defaultVhost__");
    }
};

struct Client {
    sr_client_t c = {};
    explicit Client(const char *cid)
    {
        snprintf(c.cid, sizeof(c.cid), "%s", cid);
    }
};

// A request as the RTMP connection has it once the vhost resolved to the default one.
SrUtestRequest request(const char *stream)
{
    SrUtestRequest r;
    EXPECT_SR_OK(sr_request_from_connect(&r, "rtmp://127.0.0.1/live", "live", 1935));
    EXPECT_SR_OK(sr_request_set_stream(&r, stream));
    sr_request_set(&r, SR_REQUEST_VHOST, "%s", "__defaultVhost__");
    return r;
}

void publish_key(sr_publish_t *p, int64_t dts)
{
    const uint8_t key[] = {0x17, 0x01, 0, 0, 0, 0x65, 0x88};
    sr_packet_t pkt;
    sr_packet_init_take(&pkt, SR_PACKET_VIDEO, dts, sr_payload_new_copy(key, sizeof(key)));
    sr_publish_frame(p, &pkt);
    sr_packet_deinit(&pkt);
}

} // namespace

using Session = SrUtestSt;

TEST_F(Session, OnePublisherPerStreamAndEndReleasesIt)
{
    Server sv("");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest req = request("s");
    Client a("cidpub01"), b("cidpub02");
    sr_publish_t pa, pb;
    ASSERT_SR_OK(sr_publish_begin(&pa, sv.s, &a.c, &req, sv.vhost()));
    EXPECT_TRUE(a.c.is_publish);
    EXPECT_EQ(pa.source, a.c.source);
    EXPECT_SR_ERR(SR_ESTREAM_BUSY, sr_publish_begin(&pb, sv.s, &b.c, &req, sv.vhost()));
    EXPECT_EQ(nullptr, b.c.source);
    sr_publish_end(&pa);
    EXPECT_EQ(nullptr, a.c.source);
    ASSERT_SR_OK(sr_publish_begin(&pb, sv.s, &b.c, &req, sv.vhost())); // free again
    sr_publish_end(&pb);
    sr_publish_end(&pb); // twice is harmless
    EXPECT_EQ(0u, sr_source_registry_count(sr_server_sources(sv.s)));
}

TEST_F(Session, LiveOnlyPlayNeedsAPublisherAndFramesReachTheConsumer)
{
    Server sv("");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest req = request("s");
    Client viewer("cidply01"), pub("cidpub01");
    sr_play_t play;
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_play_begin(&play, sv.s, &viewer.c, &req, true));
    EXPECT_EQ(0u, sr_source_registry_count(sr_server_sources(sv.s)));

    sr_publish_t p;
    ASSERT_SR_OK(sr_publish_begin(&p, sv.s, &pub.c, &req, sv.vhost()));
    publish_key(&p, 0); // cached: the player starts with it
    ASSERT_SR_OK(sr_play_begin(&play, sv.s, &viewer.c, &req, true));
    EXPECT_EQ(nullptr, viewer.c.source) << "the client points at the stream once it plays";
    sr_consumer_t *c = sr_play_attach(&play, sv.vhost());
    EXPECT_EQ(p.source, viewer.c.source);
    publish_key(&p, 40);
    EXPECT_EQ(2u, sr_consumer_queued(c));
    EXPECT_EQ(0u, sr_source_idle_us(p.source)) << "a player is attached";
    sr_play_end(&play);
    EXPECT_EQ(nullptr, viewer.c.source);
    sr_publish_end(&p);
    EXPECT_EQ(0u, sr_source_registry_count(sr_server_sources(sv.s)));
}

TEST_F(Session, PlayWaitsForAStreamThatIsNotLiveYet)
{
    Server sv("");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest req = request("later");
    Client viewer("cidply01");
    sr_play_t play;
    ASSERT_SR_OK(sr_play_begin(&play, sv.s, &viewer.c, &req, false)); // RTMP waits, as SRS
    sr_play_attach(&play, sv.vhost());
    EXPECT_EQ(1u, sr_source_registry_count(sr_server_sources(sv.s)));
    sr_play_end(&play);
    EXPECT_EQ(0u, sr_source_registry_count(sr_server_sources(sv.s)));
}

TEST_F(Session, KickoffForIdleClosesAnUnwatchedPublisher)
{
    Server sv("    publish { kickoff_for_idle 0.05; }\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest req = request("s");
    Client pub("cidpub01");
    sr_publish_t p;
    ASSERT_SR_OK(sr_publish_begin(&p, sv.s, &pub.c, &req, sv.vhost()));
    EXPECT_SR_OK(sr_publish_check_idle(&p));
    sr_usleep(60 * SR_UTIME_MS);
    EXPECT_EQ(SR_OK, sr_publish_check_idle(&p)) << "looked at once a second, not on every frame";
    p.next_idle_check_us = 0;
    EXPECT_SR_ERR(SR_EKICKED, sr_publish_check_idle(&p));
    sr_publish_end(&p);
}
