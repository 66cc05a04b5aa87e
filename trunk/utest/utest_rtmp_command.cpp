// SPDX-License-Identifier: MIT
// utest_rtmp_command.cpp: RTMP command/data message parsing against bodies built by
// hand the way FFmpeg and OBS send them, and the reply builders read back.
#include <algorithm>
#include <string>
#include <vector>

#include "sr_rtmp_command.h"
#include "sr_utest.h"

typedef std::vector<uint8_t> Bytes;

// Hand encoders, independent of sr_amf0, so the parser is checked against the spec.
static Bytes key(const std::string &k)
{
    Bytes b = {uint8_t(k.size() >> 8), uint8_t(k.size())};
    b.insert(b.end(), k.begin(), k.end());
    return b;
}

static Bytes str(const std::string &s)
{
    Bytes b = {0x02};
    Bytes k = key(s);
    b.insert(b.end(), k.begin(), k.end());
    return b;
}

static Bytes num(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    Bytes b = {0x00};
    for (int i = 7; i >= 0; i--) {
        b.push_back(uint8_t(u >> (8 * i)));
    }
    return b;
}

static const Bytes kNull = {0x05};
static const Bytes kObj = {0x03};
static const Bytes kEnd = {0x00, 0x00, 0x09};

static Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes &p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

// "connect", 1.0, {app, type, flashVer, tcUrl} as FFmpeg sends it when publishing.
static Bytes ffmpeg_connect()
{
    return cat({str("connect"), num(1.0), kObj, key("app"), str("live"), key("type"), str("nonprivate"),
                key("flashVer"), str("FMLE/3.0 (compatible; FMSc/1.0)"), key("tcUrl"),
                str("rtmp://127.0.0.1:1935/live"), kEnd});
}

// "@setDataFrame", "onMetaData", ECMA{duration: 0, width: 1280, encoder: "Lavf"}
static Bytes set_data_frame()
{
    return cat({str("@setDataFrame"),
                str("onMetaData"),
                {0x08, 0x00, 0x00, 0x00, 0x03},
                key("duration"),
                num(0),
                key("width"),
                num(1280),
                key("encoder"),
                str("Lavf"),
                kEnd});
}

static Bytes build(void (*fn)(sr_buf_t *))
{
    sr_buf_t b;
    sr_buf_init(&b);
    fn(&b);
    Bytes out(b.data, b.data + b.len);
    sr_buf_deinit(&b);
    return out;
}

struct Buf {
    sr_buf_t b;
    Buf()
    {
        sr_buf_init(&b);
    }
    ~Buf()
    {
        sr_buf_deinit(&b);
    }
    Bytes bytes() const
    {
        return Bytes(b.data, b.data + b.len);
    }
};

TEST(RtmpCommand, ParsesFfmpegConnect)
{
    Bytes in = ffmpeg_connect();
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(in.data(), in.size(), false, &cmd));
    EXPECT_STREQ("connect", cmd.name);
    EXPECT_EQ(1.0, cmd.transaction_id);
    EXPECT_EQ(SR_AMF0_OBJECT, sr_amf0_type(cmd.command_object));
    EXPECT_STREQ("live", sr_amf0_object_get_string(cmd.command_object, "app"));
    EXPECT_STREQ("nonprivate", sr_amf0_object_get_string(cmd.command_object, "type"));
    EXPECT_STREQ("FMLE/3.0 (compatible; FMSc/1.0)", sr_amf0_object_get_string(cmd.command_object, "flashVer"));
    EXPECT_STREQ("rtmp://127.0.0.1:1935/live", sr_amf0_object_get_string(cmd.command_object, "tcUrl"));
    EXPECT_EQ(0, sr_amf0_object_get_number(cmd.command_object, "objectEncoding", 0));
    EXPECT_STREQ("tcUrl", sr_amf0_object_key_at(cmd.command_object, 3));
    EXPECT_EQ(0u, cmd.nargs);
    sr_rtmp_command_deinit(&cmd);
    sr_rtmp_command_deinit(&cmd); // idempotent
}

TEST(RtmpCommand, BuildsConnectLikeFfmpeg)
{
    sr_rtmp_connect_args_t a = {};
    a.app = "live";
    a.tc_url = "rtmp://127.0.0.1:1935/live";
    Buf b;
    sr_rtmp_build_connect(&b.b, 1, &a);
    EXPECT_EQ(ffmpeg_connect(), b.bytes());

    sr_rtmp_connect_args_t full = a;
    full.flash_ver = "LNX 9,0,124,2";
    full.swf_url = "http://x/p.swf";
    full.page_url = "http://x/";
    full.object_encoding = 3;
    Buf c;
    sr_rtmp_build_connect(&c.b, 1, &full);
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(c.b.data, c.b.len, false, &cmd));
    EXPECT_STREQ("LNX 9,0,124,2", sr_amf0_object_get_string(cmd.command_object, "flashVer"));
    EXPECT_STREQ("http://x/p.swf", sr_amf0_object_get_string(cmd.command_object, "swfUrl"));
    EXPECT_STREQ("http://x/", sr_amf0_object_get_string(cmd.command_object, "pageUrl"));
    EXPECT_EQ(3, sr_amf0_object_get_number(cmd.command_object, "objectEncoding", 0));
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpCommand, ParsesPublish)
{
    Bytes in = cat({str("publish"), num(5), kNull, str("livestream?token=abc"), str("live")});
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(in.data(), in.size(), false, &cmd));
    EXPECT_STREQ(SR_RTMP_CMD_PUBLISH, cmd.name);
    EXPECT_EQ(5, cmd.transaction_id);
    EXPECT_EQ(SR_AMF0_NULL, sr_amf0_type(cmd.command_object));
    ASSERT_EQ(2u, cmd.nargs);
    EXPECT_STREQ("livestream?token=abc", sr_rtmp_command_arg_string(&cmd, 0));
    EXPECT_STREQ("live", sr_rtmp_command_arg_string(&cmd, 1));
    EXPECT_EQ(nullptr, sr_rtmp_command_arg_string(&cmd, 2));
    sr_rtmp_command_deinit(&cmd);

    Buf b;
    sr_rtmp_build_publish(&b.b, 5, "livestream?token=abc", nullptr);
    EXPECT_EQ(in, b.bytes());
}

TEST(RtmpCommand, ParsesPlayWithArgs)
{
    Bytes in = cat({str("play"), num(4), kNull, str("stream"), num(-2000), num(-1), {0x01, 0x01}});
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(in.data(), in.size(), false, &cmd));
    EXPECT_STREQ(SR_RTMP_CMD_PLAY, cmd.name);
    ASSERT_EQ(4u, cmd.nargs);
    EXPECT_STREQ("stream", sr_rtmp_command_arg_string(&cmd, 0));
    EXPECT_EQ(-2000, sr_rtmp_command_arg_number(&cmd, 1, 0));
    EXPECT_EQ(-1, sr_rtmp_command_arg_number(&cmd, 2, 0));
    EXPECT_TRUE(sr_amf0_boolean(cmd.args[3]));
    EXPECT_EQ(7, sr_rtmp_command_arg_number(&cmd, 0, 7)); // a string, not a number
    EXPECT_EQ(7, sr_rtmp_command_arg_number(&cmd, 9, 7));
    sr_rtmp_command_deinit(&cmd);

    Buf b;
    sr_rtmp_build_play(&b.b, 4, "stream", -2000);
    EXPECT_EQ(cat({str("play"), num(4), kNull, str("stream"), num(-2000)}), b.bytes());
}

TEST(RtmpCommand, ParsesAmf3CommandAfterFormatByte)
{
    Bytes in = cat({{0x00}, ffmpeg_connect()});
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(in.data(), in.size(), true, &cmd));
    EXPECT_STREQ("connect", cmd.name);
    EXPECT_STREQ("live", sr_amf0_object_get_string(cmd.command_object, "app"));
    sr_rtmp_command_deinit(&cmd);
    // the same body as an AMF0 command is a number where the name should be
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(in.data(), in.size(), false, &cmd));
    // a type 17 message without the format byte is still understood
    Bytes bare = ffmpeg_connect();
    ASSERT_SR_OK(sr_rtmp_command_parse(bare.data(), bare.size(), true, &cmd));
    EXPECT_STREQ("connect", cmd.name);
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpCommand, ToleratesShortCommands)
{
    Bytes name_only = str("FCUnpublish");
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(name_only.data(), name_only.size(), false, &cmd));
    EXPECT_STREQ("FCUnpublish", cmd.name);
    EXPECT_EQ(0, cmd.transaction_id);
    EXPECT_EQ(nullptr, cmd.command_object);
    sr_rtmp_command_deinit(&cmd);
    Bytes create = cat({str("createStream"), num(2), kNull});
    ASSERT_SR_OK(sr_rtmp_command_parse(create.data(), create.size(), false, &cmd));
    EXPECT_EQ(2, cmd.transaction_id);
    EXPECT_EQ(0u, cmd.nargs);
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpCommand, RefusesMalformedCommands)
{
    sr_rtmp_command_t cmd;
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(nullptr, 0, false, &cmd));
    Bytes zero = {0x00};
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(zero.data(), zero.size(), true, &cmd));
    Bytes tid_str = cat({str("connect"), str("1")});
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(tid_str.data(), tid_str.size(), false, &cmd));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "\"connect\""));
    Bytes long_name = cat({str(std::string(SR_RTMP_COMMAND_NAME_MAX, 'a')), num(1)});
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(long_name.data(), long_name.size(), false, &cmd));
    Bytes nul_name = cat({str(std::string("play\0x", 6)), num(1)});
    EXPECT_SR_ERR(SR_ERTMP_COMMAND, sr_rtmp_command_parse(nul_name.data(), nul_name.size(), false, &cmd));
    Bytes max_name = cat({str(std::string(SR_RTMP_COMMAND_NAME_MAX - 1, 'a')), num(1)});
    ASSERT_SR_OK(sr_rtmp_command_parse(max_name.data(), max_name.size(), false, &cmd));
    sr_rtmp_command_deinit(&cmd);
    Bytes bad_arg = cat({str("play"), num(1), kNull, {0x07, 0x00, 0x01}});
    EXPECT_SR_ERR(SR_ERTMP_AMF0, sr_rtmp_command_parse(bad_arg.data(), bad_arg.size(), false, &cmd));
    EXPECT_EQ(0u, cmd.nargs);
    EXPECT_EQ(nullptr, cmd.command_object);
}

TEST(RtmpCommand, TruncatedConnectFailsCleanly)
{
    Bytes in = cat({ffmpeg_connect(), str("extra"), num(1)});
    // cuts that end exactly between values are complete (shorter) commands
    const size_t conn = ffmpeg_connect().size();
    const size_t ok_at[] = {str("connect").size(), str("connect").size() + 9, conn, conn + str("extra").size()};
    for (size_t n = 0; n < in.size(); n++) {
        sr_rtmp_command_t cmd;
        int rc = sr_rtmp_command_parse(in.data(), n, false, &cmd);
        bool should_pass = std::find(std::begin(ok_at), std::end(ok_at), n) != std::end(ok_at);
        EXPECT_EQ(should_pass, rc == SR_OK) << "cut at " << n << ": " << sr_err_name(rc);
        if (rc == SR_OK) {
            sr_rtmp_command_deinit(&cmd);
        }
    }
}

TEST(RtmpCommand, IgnoresArgsBeyondEight)
{
    Bytes in = cat({str("call"), num(3), kNull});
    for (int i = 0; i < 12; i++) {
        in = cat({in, num(i)});
    }
    in = cat({in, {0x07}}); // never decoded
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(in.data(), in.size(), false, &cmd));
    ASSERT_EQ((size_t)SR_RTMP_COMMAND_MAX_ARGS, cmd.nargs);
    EXPECT_EQ(7, sr_rtmp_command_arg_number(&cmd, 7, -1));
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpData, ParsesSetDataFrame)
{
    Bytes in = set_data_frame();
    sr_rtmp_data_t d;
    ASSERT_SR_OK(sr_rtmp_data_parse(in.data(), in.size(), false, &d));
    EXPECT_STREQ(SR_RTMP_DATA_SET_DATA_FRAME, d.name);
    ASSERT_EQ(2u, d.count);
    EXPECT_STREQ("onMetaData", sr_amf0_string(d.values[0], nullptr));
    EXPECT_EQ(SR_AMF0_ECMA_ARRAY, sr_amf0_type(d.values[1]));
    EXPECT_EQ(1280, sr_amf0_object_get_number(d.values[1], "width", 0));
    EXPECT_STREQ("encoder", sr_amf0_object_key_at(d.values[1], 2));
    sr_rtmp_data_deinit(&d);

    Bytes amf3 = cat({{0x00}, in});
    ASSERT_SR_OK(sr_rtmp_data_parse(amf3.data(), amf3.size(), true, &d));
    EXPECT_STREQ(SR_RTMP_DATA_SET_DATA_FRAME, d.name);
    EXPECT_EQ(2u, d.count);
    sr_rtmp_data_deinit(&d);

    Bytes bad = cat({str("@setDataFrame"), {0x03, 0x00}});
    EXPECT_SR_ERR(SR_ERTMP_AMF0, sr_rtmp_data_parse(bad.data(), bad.size(), false, &d));
    EXPECT_EQ(0u, d.count);
}

TEST(RtmpData, SlicesSetDataFrameToOnMetaData)
{
    Bytes in = set_data_frame();
    const uint8_t *body = nullptr;
    size_t size = 0;
    ASSERT_SR_OK(sr_rtmp_metadata_slice(in.data(), in.size(), false, &body, &size));
    const size_t skip = str("@setDataFrame").size();
    EXPECT_EQ(in.data() + skip, body); // a view, no copy
    EXPECT_EQ(Bytes(in.begin() + skip, in.end()), Bytes(body, body + size));
    sr_rtmp_data_t d;
    ASSERT_SR_OK(sr_rtmp_data_parse(body, size, false, &d));
    EXPECT_STREQ(SR_RTMP_DATA_ON_METADATA, d.name);
    ASSERT_EQ(1u, d.count);
    EXPECT_EQ(3u, sr_amf0_object_count(d.values[0]));
    sr_rtmp_data_deinit(&d);

    // AMF3 data (type 15): the format byte is dropped too
    Bytes amf3 = cat({{0x00}, in});
    ASSERT_SR_OK(sr_rtmp_metadata_slice(amf3.data(), amf3.size(), true, &body, &size));
    EXPECT_EQ(Bytes(in.begin() + skip, in.end()), Bytes(body, body + size));

    // a bare onMetaData is already the body
    Bytes bare(in.begin() + skip, in.end());
    ASSERT_SR_OK(sr_rtmp_metadata_slice(bare.data(), bare.size(), false, &body, &size));
    EXPECT_EQ(bare.data(), body);
    EXPECT_EQ(bare.size(), size);
}

TEST(RtmpData, MetadataSliceRefusesOthers)
{
    const uint8_t *body = nullptr;
    size_t size = 0;
    Bytes cue = cat({str("@setDataFrame"), str("onCuePoint"), kObj, kEnd});
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtmp_metadata_slice(cue.data(), cue.size(), false, &body, &size));
    Bytes text = cat({str("onTextData"), kObj, kEnd});
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtmp_metadata_slice(text.data(), text.size(), false, &body, &size));
    Bytes lone = str("@setDataFrame");
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtmp_metadata_slice(lone.data(), lone.size(), false, &body, &size));
    Bytes no_meta = cat({str("@setDataFrame"), str("onMetaData")});
    EXPECT_SR_ERR(SR_ERTMP_AMF0, sr_rtmp_metadata_slice(no_meta.data(), no_meta.size(), false, &body, &size));
    Bytes in = set_data_frame();
    for (size_t n = str("@setDataFrame").size() + str("onMetaData").size() + 5; n < in.size() - 3; n++) {
        // an ECMA array cut short is accepted only where it ends between properties
        int rc = sr_rtmp_metadata_slice(in.data(), n, false, &body, &size);
        EXPECT_TRUE(rc == SR_OK || rc == -SR_ERTMP_AMF0) << n;
    }
}

TEST(RtmpReply, ConnectResultReadsBack)
{
    Buf b;
    sr_rtmp_build_connect_result(&b.b, 1, 3);
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(b.b.data, b.b.len, false, &cmd));
    EXPECT_STREQ("_result", cmd.name);
    EXPECT_EQ(1, cmd.transaction_id);
    EXPECT_STREQ("FMS/3,5,3,888", sr_amf0_object_get_string(cmd.command_object, "fmsVer"));
    EXPECT_EQ(127, sr_amf0_object_get_number(cmd.command_object, "capabilities", 0));
    EXPECT_EQ(1, sr_amf0_object_get_number(cmd.command_object, "mode", 0));
    ASSERT_EQ(1u, cmd.nargs);
    const sr_amf0_t *info = cmd.args[0];
    EXPECT_STREQ("status", sr_amf0_object_get_string(info, "level"));
    EXPECT_STREQ("NetConnection.Connect.Success", sr_amf0_object_get_string(info, "code"));
    EXPECT_STREQ("Connection succeeded", sr_amf0_object_get_string(info, "description"));
    EXPECT_EQ(3, sr_amf0_object_get_number(info, "objectEncoding", -1));
    const sr_amf0_t *data = sr_amf0_object_get(info, "data");
    EXPECT_EQ(SR_AMF0_ECMA_ARRAY, sr_amf0_type(data));
    EXPECT_STREQ("Strand", sr_amf0_object_get_string(data, "server"));
    EXPECT_NE(nullptr, sr_amf0_object_get_string(data, "version"));
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpReply, ResultsAndErrorMatchBytes)
{
    Buf r;
    sr_rtmp_build_result_number(&r.b, 4, 1);
    EXPECT_EQ(cat({str("_result"), num(4), kNull, num(1)}), r.bytes());
    Buf u;
    sr_rtmp_build_result_undefined(&u.b, 2);
    EXPECT_EQ(cat({str("_result"), num(2), kNull, {0x06}}), u.bytes());
    Buf e;
    sr_rtmp_build_error(&e.b, 1, SR_RTMP_STATUS_CONNECT_REJECTED, "denied");
    EXPECT_EQ(cat({str("_error"), num(1), kNull, kObj, key("level"), str("error"), key("code"),
                   str("NetConnection.Connect.Rejected"), key("description"), str("denied"), kEnd}),
              e.bytes());
}

TEST(RtmpReply, OnStatusWithOptionalFields)
{
    sr_rtmp_status_t st = {};
    st.code = SR_RTMP_STATUS_PUBLISH_START;
    st.description = "Started publishing stream.";
    Buf a;
    sr_rtmp_build_on_status(&a.b, &st);
    EXPECT_EQ(cat({str("onStatus"), num(0), kNull, kObj, key("level"), str("status"), key("code"),
                   str("NetStream.Publish.Start"), key("description"), str("Started publishing stream."), kEnd}),
              a.bytes());

    st.level = SR_RTMP_LEVEL_ERROR;
    st.code = SR_RTMP_STATUS_PLAY_STREAM_NOT_FOUND;
    st.description = nullptr;
    st.details = "livestream";
    st.client_id = "k3j5x9a1";
    Buf b;
    sr_rtmp_build_on_status(&b.b, &st);
    sr_rtmp_command_t cmd;
    ASSERT_SR_OK(sr_rtmp_command_parse(b.b.data, b.b.len, false, &cmd));
    EXPECT_STREQ("onStatus", cmd.name);
    ASSERT_EQ(1u, cmd.nargs);
    EXPECT_STREQ("error", sr_amf0_object_get_string(cmd.args[0], "level"));
    EXPECT_STREQ("NetStream.Play.StreamNotFound", sr_amf0_object_get_string(cmd.args[0], "code"));
    EXPECT_STREQ("", sr_amf0_object_get_string(cmd.args[0], "description"));
    EXPECT_STREQ("livestream", sr_amf0_object_get_string(cmd.args[0], "details"));
    EXPECT_STREQ("k3j5x9a1", sr_amf0_object_get_string(cmd.args[0], "clientid"));
    sr_rtmp_command_deinit(&cmd);
}

TEST(RtmpReply, SmallMessagesMatchBytes)
{
    EXPECT_EQ(cat({str("onBWDone"), num(0), kNull}), build(sr_rtmp_build_on_bw_done));
    EXPECT_EQ(cat({str("|RtmpSampleAccess"), {0x01, 0x01}, {0x01, 0x01}}), build(sr_rtmp_build_sample_access));
    Buf p;
    sr_rtmp_build_on_fc_publish(&p.b, SR_RTMP_STATUS_PUBLISH_START, "Started publishing stream.");
    EXPECT_EQ(cat({str("onFCPublish"), num(0), kNull, kObj, key("code"), str("NetStream.Publish.Start"),
                   key("description"), str("Started publishing stream."), kEnd}),
              p.bytes());
    Buf u;
    sr_rtmp_build_on_fc_unpublish(&u.b, SR_RTMP_STATUS_UNPUBLISH_SUCCESS, nullptr);
    EXPECT_EQ(cat({str("onFCUnpublish"), num(0), kNull, kObj, key("code"), str("NetStream.Unpublish.Success"),
                   key("description"), str(""), kEnd}),
              u.bytes());
}

TEST(RtmpReply, ClientCommandsMatchBytes)
{
    Buf c;
    sr_rtmp_build_create_stream(&c.b, 4);
    EXPECT_EQ(cat({str("createStream"), num(4), kNull}), c.bytes());
    Buf r;
    sr_rtmp_build_stream_call(&r.b, SR_RTMP_CMD_RELEASE_STREAM, 2, "livestream");
    EXPECT_EQ(cat({str("releaseStream"), num(2), kNull, str("livestream")}), r.bytes());
    Buf d;
    sr_rtmp_build_delete_stream(&d.b, 6, 1);
    EXPECT_EQ(cat({str("deleteStream"), num(6), kNull, num(1)}), d.bytes());
    Buf p;
    sr_rtmp_build_publish(&p.b, 5, "s", "record");
    EXPECT_EQ(cat({str("publish"), num(5), kNull, str("s"), str("record")}), p.bytes());
}

TEST(RtmpCommand, StatusCodesAreSpelledRight)
{
    EXPECT_STREQ("NetStream.Publish.BadName", SR_RTMP_STATUS_PUBLISH_BAD_NAME);
    EXPECT_STREQ("NetStream.Play.Reset", SR_RTMP_STATUS_PLAY_RESET);
    EXPECT_STREQ("NetStream.Play.Start", SR_RTMP_STATUS_PLAY_START);
    EXPECT_STREQ("NetStream.Play.Stop", SR_RTMP_STATUS_PLAY_STOP);
    EXPECT_STREQ("NetStream.Play.UnpublishNotify", SR_RTMP_STATUS_PLAY_UNPUBLISH_NOTIFY);
    EXPECT_STREQ("NetStream.Play.PublishNotify", SR_RTMP_STATUS_PLAY_PUBLISH_NOTIFY);
    EXPECT_STREQ("NetStream.Pause.Notify", SR_RTMP_STATUS_PAUSE_NOTIFY);
    EXPECT_STREQ("NetStream.Unpause.Notify", SR_RTMP_STATUS_UNPAUSE_NOTIFY);
}
