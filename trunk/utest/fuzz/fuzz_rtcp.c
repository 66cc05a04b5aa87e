// SPDX-License-Identifier: MIT
// fuzz_rtcp.c: libFuzzer harness for RTCP (kernel/sr_rtcp.h). The input is one compound
// RTCP packet; every packet the walk yields goes through every parser. Invariants: the
// packets tile the input from its start, each inside it with its body inside the
// packet; a parser fails with an RTCP code or fills what its count says; what parses
// is written again and parses back the same (SR, RR, BYE's sources as an RR, NACK as a
// set of sequence numbers, FIR, PLI, REMB's rate); every TWCC feedback yields exactly
// its status count, and a recorder fed its received packets builds feedback that
// reports every one of them again (unless it had to drop some: too old, or beyond its
// history), in packets no larger than asked (the last input byte picks the size).
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_rtcp.h"

#include "fuzz.h"

static bool rtcp_rc(int rc)
{
    return rc == -SR_EFORMAT || rc == -SR_ETRUNCATED || rc == -SR_EOVERFLOW || rc == -SR_EUNSUPPORTED;
}

static uint8_t out[70000];

/* Parse the one packet of out[0..n). */
static sr_rtcp_packet_t reparse(size_t n)
{
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t p;
    sr_rtcp_iter_init(&it, out, n);
    FUZZ_CHECK(sr_rtcp_next(&it, &p) == SR_OK && p.size == n);
    FUZZ_CHECK(sr_rtcp_next(&it, &p) == -SR_ENOT_FOUND);
    sr_rtcp_iter_init(&it, out, n);
    sr_rtcp_next(&it, &p);
    return p;
}

static void same_reports(const sr_rtcp_report_t *a, const sr_rtcp_report_t *b, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        FUZZ_CHECK(a[i].ssrc == b[i].ssrc && a[i].fraction_lost == b[i].fraction_lost);
        FUZZ_CHECK(a[i].cumulative_lost == b[i].cumulative_lost && a[i].ext_highest_seq == b[i].ext_highest_seq);
        FUZZ_CHECK(a[i].jitter == b[i].jitter && a[i].lsr == b[i].lsr && a[i].dlsr == b[i].dlsr);
    }
}

static void check_reports(const sr_rtcp_packet_t *p)
{
    sr_rtcp_sr_t sr, sr2;
    sr_rtcp_rr_t rr, rr2;
    size_t n;
    int rc = sr_rtcp_parse_sr(p, &sr);
    if (rc == SR_OK) {
        FUZZ_CHECK(sr_rtcp_write_sr(&sr, out, sizeof(out), &n) == SR_OK);
        sr_rtcp_packet_t q = reparse(n);
        FUZZ_CHECK(sr_rtcp_parse_sr(&q, &sr2) == SR_OK && sr2.nb_reports == sr.nb_reports);
        FUZZ_CHECK(sr2.ssrc == sr.ssrc && sr2.ntp == sr.ntp && sr2.rtp_ts == sr.rtp_ts);
        FUZZ_CHECK(sr2.packet_count == sr.packet_count && sr2.octet_count == sr.octet_count);
        same_reports(sr.reports, sr2.reports, sr.nb_reports);
    } else {
        FUZZ_CHECK(rtcp_rc(rc));
    }
    rc = sr_rtcp_parse_rr(p, &rr);
    if (rc == SR_OK) {
        FUZZ_CHECK(sr_rtcp_write_rr(&rr, out, sizeof(out), &n) == SR_OK);
        sr_rtcp_packet_t q = reparse(n);
        FUZZ_CHECK(sr_rtcp_parse_rr(&q, &rr2) == SR_OK && rr2.nb_reports == rr.nb_reports && rr2.ssrc == rr.ssrc);
        same_reports(rr.reports, rr2.reports, rr.nb_reports);
    } else {
        FUZZ_CHECK(rtcp_rc(rc));
    }
}

static void check_bye(const sr_rtcp_packet_t *p)
{
    sr_rtcp_bye_t bye;
    int rc = sr_rtcp_parse_bye(p, &bye);
    if (rc != SR_OK) {
        FUZZ_CHECK(rtcp_rc(rc));
        return;
    }
    FUZZ_CHECK(bye.nb_ssrc == p->count);
    FUZZ_CHECK(!bye.reason || (bye.reason >= p->body && bye.reason + bye.reason_size <= p->body + p->body_size));
}

static bool has_seq(const uint16_t *seqs, size_t nb, uint16_t s)
{
    for (size_t i = 0; i < nb; i++) {
        if (seqs[i] == s) {
            return true;
        }
    }
    return false;
}

static void check_nack(const sr_rtcp_packet_t *p)
{
    static uint16_t seqs[20000], back[20000];
    sr_rtcp_fb_t fb;
    size_t nb, nb2, n;
    int rc = sr_rtcp_parse_nack(p, &fb, seqs, sizeof(seqs) / 2, &nb);
    if (rc != SR_OK) {
        FUZZ_CHECK(rtcp_rc(rc));
        return;
    }
    FUZZ_CHECK(nb >= 1 && nb <= 17 * (p->body_size - 8) / 4);
    FUZZ_CHECK(sr_rtcp_write_nack(fb.sender_ssrc, fb.media_ssrc, seqs, nb, out, sizeof(out), &n) == SR_OK);
    sr_rtcp_packet_t q = reparse(n);
    sr_rtcp_fb_t fb2;
    FUZZ_CHECK(sr_rtcp_parse_nack(&q, &fb2, back, sizeof(back) / 2, &nb2) == SR_OK);
    FUZZ_CHECK(fb2.sender_ssrc == fb.sender_ssrc && fb2.media_ssrc == fb.media_ssrc);
    for (size_t i = 0; i < nb; i++) {
        FUZZ_CHECK(has_seq(back, nb2, seqs[i]));
    }
    for (size_t i = 0; i < nb2; i++) {
        FUZZ_CHECK(has_seq(seqs, nb, back[i]));
    }
}

static void check_psfb(const sr_rtcp_packet_t *p)
{
    sr_rtcp_fb_t fb, fb2;
    sr_rtcp_fir_entry_t fir[8];
    sr_rtcp_remb_t remb, remb2;
    size_t nb, n;
    int rc = sr_rtcp_parse_pli(p, &fb);
    if (rc == SR_OK) {
        FUZZ_CHECK(sr_rtcp_write_pli(fb.sender_ssrc, fb.media_ssrc, out, sizeof(out), &n) == SR_OK);
        sr_rtcp_packet_t q = reparse(n);
        FUZZ_CHECK(sr_rtcp_parse_pli(&q, &fb2) == SR_OK && fb2.media_ssrc == fb.media_ssrc);
    }
    rc = sr_rtcp_parse_fir(p, &fb, fir, 8, &nb);
    FUZZ_CHECK(rc == SR_OK || rtcp_rc(rc));
    if (rc == SR_OK) {
        FUZZ_CHECK(nb >= 1 && nb <= 8);
        FUZZ_CHECK(sr_rtcp_write_fir(fb.sender_ssrc, fir[0].ssrc, fir[0].seq_nr, out, sizeof(out), &n) == SR_OK);
        sr_rtcp_packet_t q = reparse(n);
        FUZZ_CHECK(sr_rtcp_parse_fir(&q, &fb2, fir + 1, 1, &nb) == SR_OK && nb == 1);
        FUZZ_CHECK(fir[1].ssrc == fir[0].ssrc && fir[1].seq_nr == fir[0].seq_nr);
    }
    rc = sr_rtcp_parse_remb(p, &remb);
    FUZZ_CHECK(rc == SR_OK || rtcp_rc(rc));
    if (rc == SR_OK && remb.bitrate_bps != UINT64_MAX) {
        size_t kept = remb.nb_ssrc < SR_RTCP_REMB_MAX_SSRC ? remb.nb_ssrc : SR_RTCP_REMB_MAX_SSRC;
        FUZZ_CHECK(sr_rtcp_write_remb(remb.sender_ssrc, remb.bitrate_bps, remb.ssrc, kept, out, sizeof(out), &n) ==
                   SR_OK);
        sr_rtcp_packet_t q = reparse(n);
        FUZZ_CHECK(sr_rtcp_parse_remb(&q, &remb2) == SR_OK && remb2.bitrate_bps == remb.bitrate_bps);
        FUZZ_CHECK(remb2.nb_ssrc == kept && memcmp(remb2.ssrc, remb.ssrc, kept * 4) == 0);
    }
}

static void check_twcc(const sr_rtcp_packet_t *p, size_t cap)
{
    sr_rtcp_twcc_t t;
    int rc = sr_rtcp_twcc_parse(p, &t);
    if (rc != SR_OK) {
        FUZZ_CHECK(rtcp_rc(rc));
        return;
    }
    static bool seen[65536];
    memset(seen, 0, sizeof(seen));
    sr_rtcp_twcc_recorder_t *r = sr_rtcp_twcc_recorder_new();
    sr_rtcp_twcc_entry_t e;
    size_t count = 0, received = 0;
    while (sr_rtcp_twcc_next(&t, &e)) {
        FUZZ_CHECK(e.seq == (uint16_t)(t.base_seq + count));
        count++;
        if (e.is_received) {
            sr_rtcp_twcc_record(r, e.seq, e.arrival_us);
            seen[e.seq] = true;
            received++;
        }
    }
    FUZZ_CHECK(count == t.status_count);
    const sr_rtcp_twcc_stats_t *st = sr_rtcp_twcc_stats(r);
    size_t n;
    while ((rc = sr_rtcp_twcc_build(r, 1, 2, out, cap, &n)) == SR_OK) {
        FUZZ_CHECK(n <= cap && n % 4 == 0);
        sr_rtcp_packet_t q = reparse(n);
        sr_rtcp_twcc_t t2;
        FUZZ_CHECK(sr_rtcp_twcc_parse(&q, &t2) == SR_OK);
        while (sr_rtcp_twcc_next(&t2, &e)) {
            FUZZ_CHECK(!e.is_received || seen[e.seq]);
            if (e.is_received && seen[e.seq]) {
                seen[e.seq] = false;
                received--;
            }
        }
    }
    FUZZ_CHECK(rc == -SR_ENOT_FOUND);
    /* a feedback may span more than the history, or more than half the sequence space
     * (a jump the recorder takes for an old packet) */
    FUZZ_CHECK(received == 0 || st->unreported > 0 || st->too_old > 0);
    sr_rtcp_twcc_recorder_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size > 0 ? SR_RTCP_TWCC_MIN_PACKET_BYTES + data[size - 1] * 4u : 1200;
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t p;
    size_t end = 0;
    int rc;
    sr_rtcp_iter_init(&it, data, size);
    while ((rc = sr_rtcp_next(&it, &p)) == SR_OK) {
        FUZZ_CHECK(p.data == data + end && p.size >= 4 && p.size % 4 == 0 && p.size <= size - end);
        FUZZ_CHECK(p.body == p.data + 4 && p.body_size <= p.size - 4);
        end += p.size;
        check_reports(&p);
        check_bye(&p);
        check_nack(&p);
        check_psfb(&p);
        check_twcc(&p, cap);
        sr_rtcp_fb_t fb;
        rc = sr_rtcp_parse_fb(&p, &fb);
        FUZZ_CHECK(rc == SR_OK || rtcp_rc(rc));
    }
    FUZZ_CHECK(rc == -SR_ENOT_FOUND || rc == -SR_ETRUNCATED || rc == -SR_EFORMAT);
    FUZZ_CHECK(sr_rtcp_next(&it, &p) == -SR_ENOT_FOUND);
    return 0;
}
