// SPDX-License-Identifier: MIT
// utest_rtcp.cpp: RTCP (sr_rtcp.h): compound packets from a packet dump, every cut of
// them, SR/RR/SDES/BYE/NACK/PLI/FIR/REMB parse and write, NTP/RTT arithmetic and the
// receive statistics behind a report block; TWCC feedback captured from browsers
// (parsed entry by entry) and the recorder's feedback parsed back, across the sequence
// wrap, with losses, late arrivals, long gaps and small packets.
// The RR+SDES+BYE+PLI compound is "realPacket" of pion/rtcp's packet_test.go, from a
// packet dump (a Firefox-style CNAME); the TWCC packets are the feedback captures of
// pion/rtcp's transport_layer_cc_test.go (example1 and example4: Chrome, sender SSRC
// 0xfa17fa17; example6: another browser SSRC, with a large delta and a run longer than
// the status count).
#include <string.h>

#include <random>
#include <vector>

#include "sr_error.h"
#include "sr_rtcp.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

const uint8_t kDumpCompound[] = {
    // RR, RC=1: ssrc 0x902f9e2e reports on 0xbc5e9a40
    0x81, 0xc9, 0x00, 0x07, 0x90, 0x2f, 0x9e, 0x2e, 0xbc, 0x5e, 0x9a, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
    0xe1, 0x00, 0x00, 0x01, 0x11, 0x09, 0xf3, 0x64, 0x32, 0x00, 0x02, 0x4a, 0x79,
    // SDES, SC=1: CNAME "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}"
    0x81, 0xca, 0x00, 0x0c, 0x90, 0x2f, 0x9e, 0x2e, 0x01, 0x26, 0x7b, 0x39, 0x63, 0x30, 0x30, 0x65, 0x62, 0x39, 0x32,
    0x2d, 0x31, 0x61, 0x66, 0x62, 0x2d, 0x39, 0x64, 0x34, 0x39, 0x2d, 0x61, 0x34, 0x37, 0x64, 0x2d, 0x39, 0x31, 0x66,
    0x36, 0x34, 0x65, 0x65, 0x65, 0x36, 0x39, 0x66, 0x35, 0x7d, 0x00, 0x00, 0x00, 0x00,
    // BYE, SC=1
    0x81, 0xcb, 0x00, 0x01, 0x90, 0x2f, 0x9e, 0x2e,
    // PLI
    0x81, 0xce, 0x00, 0x02, 0x90, 0x2f, 0x9e, 0x2e, 0x90, 0x2f, 0x9e, 0x2e,
    // RTPFB FMT 5 (rapid resynchronisation request)
    0x85, 0xcd, 0x00, 0x02, 0x90, 0x2f, 0x9e, 0x2e, 0x90, 0x2f, 0x9e, 0x2e,
    // APP "NAME"
    0x80, 0xcc, 0x00, 0x03, 0x4b, 0xaa, 0xe1, 0xab, 0x4e, 0x41, 0x4d, 0x45, 0x41, 0x42, 0x43, 0x44};

const uint8_t kChromeTwcc1[] = {0xaf, 0xcd, 0x00, 0x05, 0xfa, 0x17, 0xfa, 0x17, 0x43, 0x03, 0x2f, 0xa0,
                                0x00, 0x99, 0x00, 0x01, 0x3d, 0xe8, 0x02, 0x17, 0x20, 0x01, 0x94, 0x01};
const uint8_t kChromeTwcc4[] = {0xaf, 0xcd, 0x00, 0x07, 0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8,
                                0xbb, 0x00, 0x04, 0x00, 0x07, 0x10, 0x63, 0x6e, 0x01, 0x20, 0x07,
                                0x4c, 0x24, 0x24, 0x10, 0x0c, 0x0c, 0x10, 0x00, 0x00, 0x03};
const uint8_t kBrowserTwcc6[] = {0xaf, 0xcd, 0x00, 0x07, 0x9b, 0x74, 0xf6, 0x1f, 0x93, 0x71, 0xdc,
                                 0xbc, 0x85, 0x3c, 0x00, 0x09, 0x63, 0xf9, 0x16, 0xb3, 0xd5, 0x52,
                                 0x00, 0x30, 0x9b, 0xaa, 0x6a, 0xaa, 0x7b, 0x01, 0x09, 0x01};

void ExpectSameReports(const sr_rtcp_report_t *a, const sr_rtcp_report_t *b, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        EXPECT_EQ(a[i].ssrc, b[i].ssrc);
        EXPECT_EQ(a[i].fraction_lost, b[i].fraction_lost);
        EXPECT_EQ(a[i].cumulative_lost, b[i].cumulative_lost);
        EXPECT_EQ(a[i].ext_highest_seq, b[i].ext_highest_seq);
        EXPECT_EQ(a[i].jitter, b[i].jitter);
        EXPECT_EQ(a[i].lsr, b[i].lsr);
        EXPECT_EQ(a[i].dlsr, b[i].dlsr);
    }
}

std::vector<sr_rtcp_packet_t> Walk(const uint8_t *data, size_t size, int *rc)
{
    std::vector<sr_rtcp_packet_t> out;
    sr_rtcp_iter_t it;
    sr_rtcp_iter_init(&it, data, size);
    sr_rtcp_packet_t p;
    while ((*rc = sr_rtcp_next(&it, &p)) == SR_OK) {
        out.push_back(p);
    }
    return out;
}

sr_rtcp_packet_t One(const uint8_t *data, size_t size)
{
    int rc;
    std::vector<sr_rtcp_packet_t> v = Walk(data, size, &rc);
    EXPECT_EQ(-SR_ENOT_FOUND, rc);
    EXPECT_EQ(1u, v.size());
    return v.empty() ? sr_rtcp_packet_t() : v[0];
}

TEST(Rtcp, WalksACompoundFromAPacketDump)
{
    int rc;
    std::vector<sr_rtcp_packet_t> v = Walk(kDumpCompound, sizeof(kDumpCompound), &rc);
    EXPECT_EQ(-SR_ENOT_FOUND, rc);
    ASSERT_EQ(6u, v.size());
    const uint8_t types[] = {SR_RTCP_RR, SR_RTCP_SDES, SR_RTCP_BYE, SR_RTCP_PSFB, SR_RTCP_RTPFB, SR_RTCP_APP};
    const size_t sizes[] = {32, 52, 8, 12, 12, 16};
    for (size_t i = 0; i < v.size(); i++) {
        EXPECT_EQ(types[i], v[i].pt) << i;
        EXPECT_EQ(sizes[i], v[i].size) << i;
        EXPECT_EQ(sizes[i] - 4, v[i].body_size) << i;
    }
    EXPECT_EQ(0x902f9e2eu, v[0].ssrc);
    EXPECT_EQ(0x4baae1abu, v[5].ssrc);
    EXPECT_TRUE(sr_rtcp_is_rtcp(kDumpCompound, sizeof(kDumpCompound)));

    sr_rtcp_rr_t rr;
    ASSERT_SR_OK(sr_rtcp_parse_rr(&v[0], &rr));
    EXPECT_EQ(0x902f9e2eu, rr.ssrc);
    ASSERT_EQ(1, rr.nb_reports);
    EXPECT_EQ(0xbc5e9a40u, rr.reports[0].ssrc);
    EXPECT_EQ(0, rr.reports[0].fraction_lost);
    EXPECT_EQ(0, rr.reports[0].cumulative_lost);
    EXPECT_EQ(0x46e1u, rr.reports[0].ext_highest_seq);
    EXPECT_EQ(273u, rr.reports[0].jitter);
    EXPECT_EQ(0x09f36432u, rr.reports[0].lsr);
    EXPECT_EQ(150137u, rr.reports[0].dlsr);

    sr_rtcp_bye_t bye;
    ASSERT_SR_OK(sr_rtcp_parse_bye(&v[2], &bye));
    ASSERT_EQ(1, bye.nb_ssrc);
    EXPECT_EQ(0x902f9e2eu, bye.ssrc[0]);
    EXPECT_TRUE(bye.reason == NULL);

    sr_rtcp_fb_t fb;
    ASSERT_SR_OK(sr_rtcp_parse_pli(&v[3], &fb));
    EXPECT_EQ(0x902f9e2eu, fb.sender_ssrc);
    EXPECT_EQ(0x902f9e2eu, fb.media_ssrc);

    // each parser refuses the other packets
    sr_rtcp_sr_t sr;
    uint16_t seqs[4];
    size_t nb;
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_sr(&v[0], &sr));
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_rr(&v[1], &rr));
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_bye(&v[0], &bye));
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_pli(&v[4], &fb));
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_nack(&v[4], &fb, seqs, 4, &nb)); // FMT 5
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_fb(&v[5], &fb));
    ASSERT_SR_OK(sr_rtcp_parse_fb(&v[4], &fb));
}

TEST(Rtcp, EveryCutOfTheCompoundStopsCleanly)
{
    const size_t ends[] = {32, 84, 92, 104, 116, 132}; // where each packet ends
    for (size_t n = 0; n <= sizeof(kDumpCompound); n++) {
        int rc;
        std::vector<sr_rtcp_packet_t> v = Walk(kDumpCompound, n, &rc);
        size_t whole = 0;
        while (whole < 6 && ends[whole] <= n) {
            whole++;
        }
        EXPECT_EQ(whole, v.size()) << n;
        bool at_end = n == 0 || (whole > 0 && ends[whole - 1] == n);
        EXPECT_EQ(at_end ? -SR_ENOT_FOUND : -SR_ETRUNCATED, rc) << n;
    }
}

TEST(Rtcp, RejectsBadVersionsLengthsAndPadding)
{
    Bytes b(kDumpCompound, kDumpCompound + 32);
    int rc;
    b[0] = 0x41; // version 1
    EXPECT_TRUE(Walk(b.data(), b.size(), &rc).empty());
    EXPECT_EQ(-SR_EFORMAT, rc);
    b[0] = 0xa1; // padding: the last byte counts it (0x79 = 121 > 28)
    EXPECT_TRUE(Walk(b.data(), b.size(), &rc).empty());
    EXPECT_EQ(-SR_EFORMAT, rc);
    b[31] = 0;
    EXPECT_TRUE(Walk(b.data(), b.size(), &rc).empty());
    EXPECT_EQ(-SR_EFORMAT, rc);
    b[31] = 4; // 4 bytes of padding: the report block no longer fits
    sr_rtcp_packet_t p = One(b.data(), b.size());
    EXPECT_EQ(24u, p.body_size);
    sr_rtcp_rr_t rr;
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_rr(&p, &rr));
    // a length beyond the data, then an error ends the walk for good
    Bytes c(kDumpCompound, kDumpCompound + 40);
    sr_rtcp_iter_t it;
    sr_rtcp_iter_init(&it, c.data(), c.size());
    ASSERT_SR_OK(sr_rtcp_next(&it, &p));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_next(&it, &p));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtcp_next(&it, &p));
}

TEST(Rtcp, SenderReportWithSdesRoundTrip)
{
    sr_rtcp_sr_t sr;
    memset(&sr, 0, sizeof(sr));
    sr.ssrc = 0x11223344;
    sr.ntp = sr_rtcp_ntp_from_us(INT64_C(1700000000123456));
    sr.rtp_ts = 0xdeadbeef;
    sr.packet_count = 1234;
    sr.octet_count = 987654;
    sr.nb_reports = 1;
    sr.reports[0] = {0x55667788, 25, -3, 0x0001fff0, 90, 0x12345678, 65536};
    uint8_t buf[256];
    size_t n, m;
    ASSERT_SR_OK(sr_rtcp_write_sr(&sr, buf, sizeof(buf), &n));
    ASSERT_EQ(52u, n);
    // the first bytes as RFC 3550 6.4.1 lays them out
    const uint8_t head[] = {0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44};
    EXPECT_EQ(0, memcmp(buf, head, sizeof(head)));
    const uint8_t lost[] = {25, 0xff, 0xff, 0xfd}; // fraction, -3 in 24 bits
    EXPECT_EQ(0, memcmp(buf + 32, lost, 4));
    ASSERT_SR_OK(sr_rtcp_write_sdes_cname(0x11223344, "strand", 6, buf + n, sizeof(buf) - n, &m));
    // header, ssrc, CNAME item (2 + 6), then a null octet and padding to 4
    const uint8_t sdes[] = {0x81, 0xca, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44, 0x01, 0x06,
                            's',  't',  'r',  'a',  'n',  'd',  0x00, 0x00, 0x00, 0x00};
    ASSERT_EQ(sizeof(sdes), m);
    EXPECT_EQ(0, memcmp(buf + n, sdes, sizeof(sdes)));

    int rc;
    std::vector<sr_rtcp_packet_t> v = Walk(buf, n + m, &rc);
    EXPECT_EQ(-SR_ENOT_FOUND, rc);
    ASSERT_EQ(2u, v.size());
    EXPECT_EQ(SR_RTCP_SDES, v[1].pt);
    sr_rtcp_sr_t back;
    ASSERT_SR_OK(sr_rtcp_parse_sr(&v[0], &back));
    EXPECT_EQ(sr.ssrc, back.ssrc);
    EXPECT_EQ(sr.ntp, back.ntp);
    EXPECT_EQ(sr.rtp_ts, back.rtp_ts);
    EXPECT_EQ(sr.packet_count, back.packet_count);
    EXPECT_EQ(sr.octet_count, back.octet_count);
    ASSERT_EQ(1, back.nb_reports);
    ExpectSameReports(sr.reports, back.reports, 1);
    for (size_t cap = 0; cap < 52; cap++) {
        EXPECT_EQ(-SR_EOVERFLOW, sr_rtcp_write_sr(&sr, buf, cap, &n));
        EXPECT_EQ(0u, n);
    }
    sr.nb_reports = 32;
    EXPECT_SR_ERR(SR_EINVAL, sr_rtcp_write_sr(&sr, buf, sizeof(buf), &n));
    EXPECT_SR_ERR(SR_EINVAL, sr_rtcp_write_sdes_cname(1, "", 0, buf, sizeof(buf), &n));
}

TEST(Rtcp, SdesCnameOfEveryLengthIsPadded)
{
    char cname[300];
    memset(cname, 'x', sizeof(cname));
    uint8_t buf[300];
    for (size_t len = 1; len <= 255; len++) {
        size_t n;
        ASSERT_SR_OK(sr_rtcp_write_sdes_cname(7, cname, len, buf, sizeof(buf), &n));
        EXPECT_EQ(0u, n % 4);
        EXPECT_GE(n, 4 + 4 + 2 + len + 1); // at least one null octet ends the chunk
        EXPECT_LT(n, 4 + 4 + 2 + len + 1 + 4);
        EXPECT_EQ(0, buf[10 + len]);
        sr_rtcp_packet_t p = One(buf, n);
        EXPECT_EQ(SR_RTCP_SDES, p.pt);
        EXPECT_EQ(7u, p.ssrc);
    }
    size_t n;
    EXPECT_SR_ERR(SR_EINVAL, sr_rtcp_write_sdes_cname(7, cname, 256, buf, sizeof(buf), &n));
}

TEST(Rtcp, ReceiverReportRoundTripClampsLoss)
{
    sr_rtcp_rr_t rr;
    memset(&rr, 0, sizeof(rr));
    rr.ssrc = 9;
    for (int nb = 0; nb <= SR_RTCP_MAX_REPORTS; nb++) {
        rr.nb_reports = (uint8_t)nb;
        if (nb > 0) {
            rr.reports[nb - 1] = {100u + nb, (uint8_t)nb, -5 * nb, 2, 3, 4, 5};
        }
        uint8_t buf[1024];
        size_t n;
        ASSERT_SR_OK(sr_rtcp_write_rr(&rr, buf, sizeof(buf), &n));
        ASSERT_EQ(8u + 24u * nb, n);
        sr_rtcp_packet_t p = One(buf, n);
        EXPECT_EQ(nb, p.count);
        sr_rtcp_rr_t back;
        ASSERT_SR_OK(sr_rtcp_parse_rr(&p, &back));
        EXPECT_EQ(rr.ssrc, back.ssrc);
        EXPECT_EQ(nb, back.nb_reports);
        ExpectSameReports(rr.reports, back.reports, (size_t)nb);
        // one byte less than the count needs
        p.body_size--;
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_rr(&p, &back));
    }
    // cumulative lost saturates at 24 bits signed
    rr.nb_reports = 2;
    rr.reports[0].cumulative_lost = 0x1000000;
    rr.reports[1].cumulative_lost = -0x1000000;
    uint8_t buf[64];
    size_t n;
    ASSERT_SR_OK(sr_rtcp_write_rr(&rr, buf, sizeof(buf), &n));
    sr_rtcp_rr_t back;
    sr_rtcp_packet_t p = One(buf, n);
    ASSERT_SR_OK(sr_rtcp_parse_rr(&p, &back));
    EXPECT_EQ(0x7fffff, back.reports[0].cumulative_lost);
    EXPECT_EQ(-0x800000, back.reports[1].cumulative_lost);
}

TEST(Rtcp, ByeWithReason)
{
    // BYE SC=2 with "gone" (length byte + 4 bytes, padded with 3 zeros)
    const uint8_t bye[] = {0x82, 0xcb, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 2, 0x04, 'g', 'o', 'n', 'e', 0, 0, 0};
    sr_rtcp_packet_t p = One(bye, sizeof(bye));
    sr_rtcp_bye_t b;
    ASSERT_SR_OK(sr_rtcp_parse_bye(&p, &b));
    ASSERT_EQ(2, b.nb_ssrc);
    EXPECT_EQ(2u, b.ssrc[1]);
    ASSERT_EQ(4u, b.reason_size);
    EXPECT_EQ(0, memcmp(b.reason, "gone", 4));
    Bytes lie(bye, bye + sizeof(bye));
    lie[12] = 8; // the reason runs past the packet
    p = One(lie.data(), lie.size());
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_bye(&p, &b));
    lie[0] = 0x85; // five sources in 16 bytes
    p = One(lie.data(), lie.size());
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_bye(&p, &b));
}

TEST(Rtcp, NackExpandsPidAndBlp)
{
    // as Chrome sends it: PID 0x1234 BLP 0x8005 (0x1235, 0x1237, 0x1244), PID 0xfffe BLP
    // 0x0003 (0xffff, 0x0000 across the wrap)
    const uint8_t nack[] = {0x81, 0xcd, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x7a, 0x7b,
                            0x7c, 0x7d, 0x12, 0x34, 0x80, 0x05, 0xff, 0xfe, 0x00, 0x03};
    sr_rtcp_packet_t p = One(nack, sizeof(nack));
    sr_rtcp_fb_t fb;
    uint16_t seqs[32];
    size_t nb;
    ASSERT_SR_OK(sr_rtcp_parse_nack(&p, &fb, seqs, 32, &nb));
    EXPECT_EQ(1u, fb.sender_ssrc);
    EXPECT_EQ(0x7a7b7c7du, fb.media_ssrc);
    const uint16_t want[] = {0x1234, 0x1235, 0x1237, 0x1244, 0xfffe, 0xffff, 0x0000};
    ASSERT_EQ(SR_ARRAY_SIZE(want), nb);
    EXPECT_EQ(0, memcmp(want, seqs, sizeof(want)));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtcp_parse_nack(&p, &fb, seqs, 5, &nb));
    EXPECT_EQ(5u, nb);

    // written from the sorted list: the same bytes
    uint8_t buf[64];
    size_t n;
    ASSERT_SR_OK(sr_rtcp_write_nack(1, 0x7a7b7c7d, want, nb = SR_ARRAY_SIZE(want), buf, sizeof(buf), &n));
    ASSERT_EQ(sizeof(nack), n);
    EXPECT_EQ(0, memcmp(nack, buf, n));
    for (size_t cap = 0; cap < n; cap++) {
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtcp_write_nack(1, 2, want, nb, buf, cap, &n));
    }
    EXPECT_SR_ERR(SR_EINVAL, sr_rtcp_write_nack(1, 2, want, 0, buf, sizeof(buf), &n));
    // no FCI, or a cut one
    Bytes empty(nack, nack + 12);
    empty[3] = 2;
    p = One(empty.data(), empty.size());
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_nack(&p, &fb, seqs, 32, &nb));
}

TEST(Rtcp, NackOfManyLossesRoundTrips)
{
    std::mt19937 rng(3);
    for (int round = 0; round < 50; round++) {
        std::vector<uint16_t> lost;
        uint16_t s = (uint16_t)rng();
        for (int i = 0; i < 1 + (int)(rng() % 200); i++) {
            s = (uint16_t)(s + 1 + rng() % 40); // sorted, wrapping
            lost.push_back(s);
        }
        uint8_t buf[4096];
        size_t n, nb;
        ASSERT_SR_OK(sr_rtcp_write_nack(5, 6, lost.data(), lost.size(), buf, sizeof(buf), &n));
        sr_rtcp_packet_t p = One(buf, n);
        sr_rtcp_fb_t fb;
        std::vector<uint16_t> back(lost.size() + 16);
        ASSERT_SR_OK(sr_rtcp_parse_nack(&p, &fb, back.data(), back.size(), &nb));
        back.resize(nb);
        EXPECT_EQ(lost, back);
    }
}

TEST(Rtcp, PliAndFir)
{
    uint8_t buf[32];
    size_t n;
    ASSERT_SR_OK(sr_rtcp_write_pli(0xa, 0xb, buf, sizeof(buf), &n));
    const uint8_t pli[] = {0x81, 0xce, 0x00, 0x02, 0, 0, 0, 0xa, 0, 0, 0, 0xb};
    ASSERT_EQ(sizeof(pli), n);
    EXPECT_EQ(0, memcmp(pli, buf, n));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtcp_write_pli(0xa, 0xb, buf, 11, &n));

    ASSERT_SR_OK(sr_rtcp_write_fir(0xa, 0xb, 7, buf, sizeof(buf), &n));
    const uint8_t fir[] = {0x84, 0xce, 0x00, 0x04, 0, 0, 0, 0xa, 0, 0, 0, 0, 0, 0, 0, 0xb, 7, 0, 0, 0};
    ASSERT_EQ(sizeof(fir), n);
    EXPECT_EQ(0, memcmp(fir, buf, n));
    sr_rtcp_packet_t p = One(buf, n);
    sr_rtcp_fb_t fb;
    sr_rtcp_fir_entry_t e[2];
    size_t nb;
    ASSERT_SR_OK(sr_rtcp_parse_fir(&p, &fb, e, 2, &nb));
    ASSERT_EQ(1u, nb);
    EXPECT_EQ(0xbu, e[0].ssrc);
    EXPECT_EQ(7, e[0].seq_nr);
    EXPECT_EQ(0xau, fb.sender_ssrc);
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtcp_parse_fir(&p, &fb, e, 0, &nb));
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_parse_pli(&p, &fb));
    p.body_size = 12; // the FCI cut
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_fir(&p, &fb, e, 2, &nb));
    p = One(pli, sizeof(pli));
    ASSERT_SR_OK(sr_rtcp_parse_pli(&p, &fb));
    EXPECT_EQ(0xbu, fb.media_ssrc);
    p.body_size = 4;
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_pli(&p, &fb));
}

TEST(Rtcp, Remb)
{
    // as Chrome sends it: exp 6, mantissa 0x22b3c = 9096960 bps, one SSRC
    const uint8_t remb[] = {0x8f, 0xce, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                            0x52, 0x45, 0x4d, 0x42, 0x01, 0x1a, 0x2b, 0x3c, 0x2d, 0x3e, 0x4f, 0x50};
    sr_rtcp_packet_t p = One(remb, sizeof(remb));
    sr_rtcp_remb_t r;
    ASSERT_SR_OK(sr_rtcp_parse_remb(&p, &r));
    EXPECT_EQ(1u, r.sender_ssrc);
    EXPECT_EQ(9096960u, r.bitrate_bps);
    ASSERT_EQ(1, r.nb_ssrc);
    EXPECT_EQ(0x2d3e4f50u, r.ssrc[0]);
    uint8_t buf[64];
    size_t n;
    uint32_t ssrc = 0x2d3e4f50;
    ASSERT_SR_OK(sr_rtcp_write_remb(1, 9096960, &ssrc, 1, buf, sizeof(buf), &n));
    ASSERT_EQ(sizeof(remb), n);
    EXPECT_EQ(0, memcmp(remb, buf, n));
    // big rates lose low bits; the largest exponent saturates
    ASSERT_SR_OK(sr_rtcp_write_remb(1, UINT64_C(123456789012345), NULL, 0, buf, sizeof(buf), &n));
    p = One(buf, n);
    ASSERT_SR_OK(sr_rtcp_parse_remb(&p, &r));
    EXPECT_LE(r.bitrate_bps, UINT64_C(123456789012345));
    EXPECT_GT(r.bitrate_bps, UINT64_C(123456789012345) - (UINT64_C(123456789012345) >> 17));
    Bytes max(remb, remb + sizeof(remb));
    max[17] = 0xff; // exponent 63, mantissa 0x3ffff
    p = One(max.data(), max.size());
    ASSERT_SR_OK(sr_rtcp_parse_remb(&p, &r));
    EXPECT_EQ(UINT64_MAX, r.bitrate_bps);
    max[12] = 'X';
    p = One(max.data(), max.size());
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_rtcp_parse_remb(&p, &r));
    max[12] = 'R';
    max[16] = 2; // two SSRCs announced, one there
    p = One(max.data(), max.size());
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtcp_parse_remb(&p, &r));
}

TEST(Rtcp, NtpAndRoundTripTime)
{
    EXPECT_EQ(UINT64_C(2208988800) << 32, sr_rtcp_ntp_from_us(0));
    EXPECT_EQ((UINT64_C(2208988801) << 32) | 0x80000000u, sr_rtcp_ntp_from_us(1500000));
    for (int64_t us : {INT64_C(0), INT64_C(1), INT64_C(999999), INT64_C(1700000000123456), INT64_C(-1500000)}) {
        EXPECT_EQ(us, sr_rtcp_ntp_to_us(sr_rtcp_ntp_from_us(us))) << us;
    }
    uint64_t sr_ntp = sr_rtcp_ntp_from_us(INT64_C(1700000000000000));
    uint32_t lsr = sr_rtcp_ntp_mid32(sr_ntp);
    uint32_t dlsr = sr_rtcp_dlsr_from_us(250000); // the receiver held it 250 ms
    EXPECT_EQ(16384u, dlsr);
    uint64_t now = sr_rtcp_ntp_from_us(INT64_C(1700000000000000) + 250000 + 40000); // 40 ms RTT
    int64_t rtt = sr_rtcp_rtt_us(now, lsr, dlsr);
    EXPECT_NEAR(40000, rtt, 32);
    EXPECT_EQ(-1, sr_rtcp_rtt_us(now, 0, dlsr));
    EXPECT_EQ(-1, sr_rtcp_rtt_us(sr_ntp, lsr, dlsr)); // negative: skewed
    EXPECT_EQ(0u, sr_rtcp_dlsr_from_us(-5));
    EXPECT_EQ(UINT32_MAX, sr_rtcp_dlsr_from_us(INT64_C(1) << 50));
}

TEST(RtcpRxStats, LossFractionAndWrap)
{
    sr_rtcp_rx_stats_t s;
    sr_rtcp_rx_stats_init(&s, 90000);
    sr_rtcp_report_t r;
    sr_rtcp_rx_stats_report(&s, 5, 0, 0, &r); // nothing yet
    EXPECT_EQ(5u, r.ssrc);
    EXPECT_EQ(0u, r.ext_highest_seq);
    // 65500 .. 65535, 0 .. 63 with every 10th lost: 100 expected, 90 received
    int received = 0;
    for (int i = 0; i < 100; i++) {
        if (i % 10 == 5) {
            continue;
        }
        sr_rtcp_rx_stats_update(&s, (uint16_t)(65500 + i), 3000u * (uint32_t)i, INT64_C(1000000) + 33333 * i);
        received++;
    }
    sr_rtcp_rx_stats_report(&s, 5, 0x1234, 0x5678, &r);
    EXPECT_EQ(10, r.cumulative_lost);
    EXPECT_EQ(10 * 256 / 100, r.fraction_lost);
    EXPECT_EQ(65536u + 63, r.ext_highest_seq); // one wrap
    EXPECT_EQ(0x1234u, r.lsr);
    EXPECT_EQ(0x5678u, r.dlsr);
    EXPECT_LT(r.jitter, 3u); // the arrival times match the timestamps: rounding only
    // the next interval: no loss, but two duplicates make cumulative lost go down
    for (int i = 100; i < 110; i++) {
        sr_rtcp_rx_stats_update(&s, (uint16_t)(65500 + i), 3000u * (uint32_t)i, INT64_C(1000000) + 33333 * i);
    }
    sr_rtcp_rx_stats_update(&s, (uint16_t)(65500 + 109), 3000u * 109, INT64_C(5000000));
    sr_rtcp_rx_stats_update(&s, (uint16_t)(65500 + 100), 3000u * 100, INT64_C(5000000));
    sr_rtcp_rx_stats_report(&s, 5, 0, 0, &r);
    EXPECT_EQ(0, r.fraction_lost);
    EXPECT_EQ(8, r.cumulative_lost);
}

TEST(RtcpRxStats, JitterFollowsRfc3550A8)
{
    sr_rtcp_rx_stats_t s;
    sr_rtcp_rx_stats_init(&s, 1000); // 1 kHz so that one tick is one ms
    // frames every 10 ticks, arrivals alternately 0 and 4 ms late: |D| = 4 each time
    uint32_t j = 0;
    for (int i = 0; i < 200; i++) {
        int64_t arrival_us = (int64_t)i * 10000 + (i % 2 ? 4000 : 0);
        sr_rtcp_rx_stats_update(&s, (uint16_t)i, (uint32_t)i * 10, arrival_us);
        if (i > 0) {
            j += 4 - ((j + 8) >> 4); // A.8's integer estimator, J scaled by 16
        }
    }
    sr_rtcp_report_t r;
    sr_rtcp_rx_stats_report(&s, 1, 0, 0, &r);
    EXPECT_EQ(j >> 4, r.jitter);
    EXPECT_EQ(3u, r.jitter); // the integer estimator settles just under |D| = 4
}

// ---- TWCC ----

std::vector<sr_rtcp_twcc_entry_t> Entries(sr_rtcp_twcc_t *t)
{
    std::vector<sr_rtcp_twcc_entry_t> out;
    sr_rtcp_twcc_entry_t e;
    while (sr_rtcp_twcc_next(t, &e)) {
        out.push_back(e);
    }
    return out;
}

struct TwccCase {
    Bytes pkt;
    uint32_t sender_ssrc;
    uint16_t base_seq;
    int32_t reference_time;
    uint8_t fb_count;
    std::vector<int32_t> deltas_us; // 0 for not received
    std::vector<bool> received;
};

TEST(RtcpTwcc, ParsesBrowserFeedback)
{
    const TwccCase cases[] = {
        {Bytes(kChromeTwcc1, kChromeTwcc1 + sizeof(kChromeTwcc1)), 0xfa17fa17, 153, 4057090, 23, {37000}, {true}},
        {Bytes(kChromeTwcc4, kChromeTwcc4 + sizeof(kChromeTwcc4)),
         0xfa17fa17,
         4,
         1074030,
         1,
         {19000, 9000, 9000, 4000, 3000, 3000, 4000},
         std::vector<bool>(7, true)},
        {Bytes(kBrowserTwcc6, kBrowserTwcc6 + sizeof(kBrowserTwcc6)),
         0x9b74f61f,
         34108,
         6551830,
         179,
         {38750, 42500, 26500, 42500, 30750, 0, 66250, 0, 0},
         {true, true, true, true, true, false, true, false, false}},
    };
    for (const TwccCase &c : cases) {
        SCOPED_TRACE(c.base_seq);
        sr_rtcp_twcc_t t;
        sr_rtcp_packet_t p = One(c.pkt.data(), c.pkt.size());
        ASSERT_SR_OK(sr_rtcp_twcc_parse(&p, &t));
        EXPECT_EQ(c.sender_ssrc, t.sender_ssrc);
        EXPECT_EQ(c.base_seq, t.base_seq);
        EXPECT_EQ(c.deltas_us.size(), t.status_count);
        EXPECT_EQ(c.reference_time, t.reference_time);
        EXPECT_EQ(c.fb_count, t.fb_count);
        std::vector<sr_rtcp_twcc_entry_t> e = Entries(&t);
        ASSERT_EQ(c.deltas_us.size(), e.size());
        int64_t arrival = (int64_t)c.reference_time * 64000;
        for (size_t i = 0; i < e.size(); i++) {
            arrival += c.deltas_us[i];
            EXPECT_EQ((uint16_t)(c.base_seq + i), e[i].seq) << i;
            EXPECT_EQ(c.received[i], e[i].is_received) << i;
            EXPECT_EQ(c.deltas_us[i], e[i].delta_us) << i;
            EXPECT_EQ(c.received[i] ? arrival : 0, e[i].arrival_us) << i;
        }
    }
}

TEST(RtcpTwcc, EveryCutAndReservedSymbolsFail)
{
    for (const Bytes &pkt : {Bytes(kChromeTwcc4, kChromeTwcc4 + sizeof(kChromeTwcc4)),
                             Bytes(kBrowserTwcc6, kBrowserTwcc6 + sizeof(kBrowserTwcc6))}) {
        // shorten the RTCP length word by word: the parse fails once deltas are cut
        for (size_t words = 1; words * 4 < pkt.size(); words++) {
            Bytes b(pkt.begin(), pkt.begin() + (long)(words * 4));
            b[0] &= (uint8_t)~0x20; // no padding
            b[3] = (uint8_t)(words - 1);
            sr_rtcp_packet_t p = One(b.data(), b.size());
            sr_rtcp_twcc_t t;
            int rc = sr_rtcp_twcc_parse(&p, &t);
            EXPECT_EQ(-SR_ETRUNCATED, rc) << words;
        }
    }
    Bytes b(kBrowserTwcc6, kBrowserTwcc6 + sizeof(kBrowserTwcc6));
    b[20] = 0xff; // a 2-bit vector of reserved symbols
    sr_rtcp_packet_t p = One(b.data(), b.size());
    sr_rtcp_twcc_t t;
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_twcc_parse(&p, &t));
    b.assign(kChromeTwcc1, kChromeTwcc1 + sizeof(kChromeTwcc1));
    b[14] = b[15] = 0; // status count 0
    p = One(b.data(), b.size());
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_twcc_parse(&p, &t));
    p = One(kDumpCompound + 92, 12); // a PLI
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtcp_twcc_parse(&p, &t));
}

struct Arrival {
    uint16_t seq;
    int64_t us;
};

// Build every feedback the recorder has with packets of cap bytes, parse them back and
// return what they say per sequence number (the last word wins on re-reports).
std::vector<sr_rtcp_twcc_entry_t> Drain(sr_rtcp_twcc_recorder_t *r, size_t cap, int *packets)
{
    std::vector<sr_rtcp_twcc_entry_t> all;
    Bytes buf(cap);
    size_t n;
    int rc;
    while ((rc = sr_rtcp_twcc_build(r, 0x1111, 0x2222, buf.data(), cap, &n)) == SR_OK) {
        EXPECT_EQ(0u, n % 4);
        EXPECT_LE(n, cap);
        sr_rtcp_packet_t p = One(buf.data(), n);
        EXPECT_EQ(SR_RTCP_RTPFB, p.pt);
        EXPECT_EQ(SR_RTCP_RTPFB_TWCC, p.count);
        sr_rtcp_twcc_t t;
        EXPECT_SR_OK(sr_rtcp_twcc_parse(&p, &t));
        EXPECT_EQ((uint8_t)*packets, t.fb_count);
        (*packets)++;
        std::vector<sr_rtcp_twcc_entry_t> e = Entries(&t);
        all.insert(all.end(), e.begin(), e.end());
        // the padding is what the P bit says: zeros, then their count
        if (buf[0] & 0x20) {
            size_t pad = buf[n - 1];
            EXPECT_TRUE(pad >= 1 && pad <= 3);
            for (size_t i = n - pad; i + 1 < n; i++) {
                EXPECT_EQ(0, buf[i]);
            }
        }
    }
    EXPECT_EQ(-SR_ENOT_FOUND, rc);
    return all;
}

TEST(RtcpTwcc, RecorderFeedbackParsesBackToTheArrivals)
{
    for (size_t cap : {(size_t)SR_RTCP_TWCC_MIN_PACKET_BYTES, (size_t)64, (size_t)1200}) {
        std::mt19937 rng((unsigned)cap);
        sr_rtcp_twcc_recorder_t *r = sr_rtcp_twcc_recorder_new();
        std::vector<Arrival> sent;
        int64_t now = INT64_C(1234567890123);
        uint16_t seq = 65000; // wraps during the test
        int packets = 0;
        std::vector<sr_rtcp_twcc_entry_t> got;
        for (int i = 0; i < 3000; i++, seq++) {
            now += rng() % 3000; // 0..3 ms apart: small deltas
            if (i % 500 == 499) {
                now += 100000; // a 100 ms stall: a large delta
            }
            if (rng() % 10 == 0) {
                continue; // lost
            }
            sr_rtcp_twcc_record(r, seq, now);
            sent.push_back({seq, now});
            if (i % 50 == 49) {
                std::vector<sr_rtcp_twcc_entry_t> e = Drain(r, cap, &packets);
                got.insert(got.end(), e.begin(), e.end());
            }
        }
        std::vector<sr_rtcp_twcc_entry_t> e = Drain(r, cap, &packets);
        got.insert(got.end(), e.begin(), e.end());
        // every arrival was reported once, received, at its time in 250 us ticks; the
        // arrivals of one feedback are relative to its reference time, so compare the
        // differences between consecutive received packets
        std::vector<sr_rtcp_twcc_entry_t> rx;
        for (const sr_rtcp_twcc_entry_t &x : got) {
            if (x.is_received) {
                rx.push_back(x);
            }
        }
        ASSERT_EQ(sent.size(), rx.size()) << cap;
        for (size_t i = 0; i < rx.size(); i++) {
            EXPECT_EQ(sent[i].seq, rx[i].seq);
            if (i > 0) {
                int64_t want = sent[i].us / 250 - sent[i - 1].us / 250;
                EXPECT_EQ(want * 250, rx[i].arrival_us - rx[i - 1].arrival_us) << cap << " " << i;
            }
        }
        // the statuses cover the range without holes: 3000 numbers, lost ones included
        EXPECT_EQ((uint16_t)(sent.back().seq - sent.front().seq) + 1u, got.size());
        EXPECT_EQ((size_t)sr_rtcp_twcc_stats(r)->packets, (size_t)packets);
        sr_rtcp_twcc_recorder_free(r);
    }
}

TEST(RtcpTwcc, LateArrivalsAreReportedAgainAndGapsSplitPackets)
{
    sr_rtcp_twcc_recorder_t *r = sr_rtcp_twcc_recorder_new();
    int packets = 0;
    sr_rtcp_twcc_record(r, 10, 1000000);
    sr_rtcp_twcc_record(r, 12, 1001000);
    std::vector<sr_rtcp_twcc_entry_t> e = Drain(r, 1200, &packets);
    ASSERT_EQ(3u, e.size());
    EXPECT_FALSE(e[1].is_received);
    // 11 arrives late: the next feedback starts again at 11
    sr_rtcp_twcc_record(r, 11, 1002000);
    sr_rtcp_twcc_record(r, 13, 1003000);
    sr_rtcp_twcc_record(r, 13, 1003500); // a duplicate: ignored
    e = Drain(r, 1200, &packets);
    ASSERT_EQ(3u, e.size());
    EXPECT_EQ(11, e[0].seq);
    EXPECT_TRUE(e[0].is_received && e[1].is_received && e[2].is_received);
    EXPECT_EQ(-1000, e[1].arrival_us - e[0].arrival_us); // 12 came before 11: a negative delta
    EXPECT_EQ(2000, e[2].arrival_us - e[1].arrival_us);
    EXPECT_EQ(1u, sr_rtcp_twcc_stats(r)->duplicates);
    // a 10 s silence does not fit a 16-bit delta: two packets
    sr_rtcp_twcc_record(r, 14, 1004000);
    sr_rtcp_twcc_record(r, 15, 11004000);
    int before = packets;
    e = Drain(r, 1200, &packets);
    EXPECT_EQ(2, packets - before);
    ASSERT_EQ(2u, e.size());
    EXPECT_TRUE(e[1].is_received);
    // too old: beyond the history
    sr_rtcp_twcc_record(r, (uint16_t)(15 + SR_RTCP_TWCC_HISTORY + 10), 11005000);
    sr_rtcp_twcc_record(r, 15, 11006000);
    EXPECT_EQ(1u, sr_rtcp_twcc_stats(r)->too_old);
    uint8_t small[SR_RTCP_TWCC_MIN_PACKET_BYTES - 1];
    size_t n;
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtcp_twcc_build(r, 1, 2, small, sizeof(small), &n));
    sr_rtcp_twcc_recorder_free(r);
}

TEST(RtcpTwcc, HistoryOverflowDropsTheOldestUnreported)
{
    sr_rtcp_twcc_recorder_t *r = sr_rtcp_twcc_recorder_new();
    for (int i = 0; i < SR_RTCP_TWCC_HISTORY + 100; i++) {
        sr_rtcp_twcc_record(r, (uint16_t)i, 1000 * i);
    }
    EXPECT_EQ(100u, sr_rtcp_twcc_stats(r)->unreported);
    int packets = 0;
    std::vector<sr_rtcp_twcc_entry_t> e = Drain(r, 1200, &packets);
    ASSERT_EQ((size_t)SR_RTCP_TWCC_HISTORY, e.size());
    EXPECT_EQ(100, e[0].seq);
    EXPECT_GT(packets, 1); // 1200-byte packets hold fewer than 4096 deltas
    sr_rtcp_twcc_recorder_free(r);
}

} // namespace
