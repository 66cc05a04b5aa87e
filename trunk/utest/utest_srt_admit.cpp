// SPDX-License-Identifier: MIT
// utest_srt_admit.cpp: which SRT callers are served (app/srt/sr_srt_admit): a stream
// id that names no stream, a vhost that does not exist, is disabled or has SRT off are
// refused with their reject codes, from the live config and from the handshake gate's
// snapshot alike; a reload's snapshot changes the gate's answer.
#include <string.h>

#include <string>

#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_srt_admit.h"
#include "sr_utest.h"
#include "sr_utest_server.h"

namespace
{

const char *kConfig = "listen 1935;\n"
                      "srt_server { enabled on; default_app cam; }\n"
                      "vhost srt.example { srt { enabled on; } }\n"
                      "vhost off.example { enabled off; srt { enabled on; } }\n"
                      "vhost nosrt.example { srt { enabled off; } }\n";

// The gate's answer to a caller with this stream id, and its reason.
int gate(sr_srt_admit_t *a, const char *id, std::string *why = nullptr)
{
    char buf[256] = "";
    sr_srt_caller_t caller = {id, "127.0.0.1", 4000};
    int code = sr_srt_admit_check(a, &caller, buf, sizeof(buf));
    if (why) {
        *why = buf;
    }
    return code;
}

} // namespace

TEST(SrtAdmit, JudgesStreamIdsAndVhostsFromTheConfig)
{
    SrUtestServer srv(kConfig);
    ASSERT_NE(nullptr, srv.s);
    const sr_server_config_t *cfg = sr_server_config(srv.s);
    sr_srt_streamid_t sid;
    sr_srt_admit_vhost_t v;
    char why[256];
    auto judge = [&](const char *id) {
        return sr_srt_admit_judge(id, "cam", sr_srt_admit_lookup_config, cfg, &sid, &v, why, sizeof(why));
    };
    EXPECT_EQ(0, judge("#!::h=srt.example,r=live/s,m=publish"));
    EXPECT_STREQ("srt.example", v.name);
    EXPECT_STREQ("live", sid.app);
    EXPECT_TRUE(sid.is_publish);
    EXPECT_EQ(SR_SRT_REJECT_BAD_REQUEST, judge("#!::m=publish"));
    EXPECT_NE(nullptr, strstr(why, "names no stream")) << why;
    EXPECT_EQ(SR_SRT_REJECT_NOT_FOUND, judge("#!::h=nosuch.example,r=live/s"));
    EXPECT_NE(nullptr, strstr(why, "nosuch.example")) << why;
    EXPECT_EQ(SR_SRT_REJECT_NOT_FOUND, judge("live/s")); // no __defaultVhost__ here
    EXPECT_EQ(SR_SRT_REJECT_FORBIDDEN, judge("#!::h=off.example,r=live/s"));
    EXPECT_NE(nullptr, strstr(why, "disabled")) << why;
    EXPECT_EQ(SR_SRT_REJECT_FORBIDDEN, judge("#!::h=nosrt.example,r=live/s"));
    EXPECT_NE(nullptr, strstr(why, "srt { enabled on; }")) << why;
}

TEST(SrtAdmit, GateUsesItsSnapshotUntilAReloadReplacesIt)
{
    SrUtestServer srv(kConfig);
    ASSERT_NE(nullptr, srv.s);
    sr_srt_admit_t *a = sr_srt_admit_new(sr_server_config(srv.s));
    std::string why;
    EXPECT_EQ(0, gate(a, "#!::h=srt.example,r=live/s,m=publish"));
    EXPECT_EQ(0, gate(a, "#!::h=srt.example,r=s")); // default_app fills the app
    EXPECT_EQ(SR_SRT_REJECT_NOT_FOUND, gate(a, "#!::h=other.example,r=live/s", &why));
    EXPECT_EQ("vhost 'other.example' is not served", why);
    EXPECT_EQ(SR_SRT_REJECT_BAD_REQUEST, gate(a, "#!::r=,m=publish"));
    EXPECT_EQ(SR_SRT_REJECT_FORBIDDEN, gate(a, "#!::h=nosrt.example,r=live/s"));

    // a reload: a default vhost with SRT appears, srt.example turns SRT off
    SrUtestServer next("listen 1935;\nsrt_server { enabled on; }\n"
                       "vhost __defaultVhost__ { srt { enabled on; } }\n"
                       "vhost srt.example { srt { enabled off; } }\n");
    ASSERT_NE(nullptr, next.s);
    sr_srt_admit_update(a, sr_server_config(next.s));
    EXPECT_EQ(0, gate(a, "#!::h=other.example,r=live/s")); // falls back to __defaultVhost__
    EXPECT_EQ(0, gate(a, "live/s"));
    EXPECT_EQ(SR_SRT_REJECT_FORBIDDEN, gate(a, "#!::h=srt.example,r=live/s"));
    sr_srt_admit_free(a);
}
