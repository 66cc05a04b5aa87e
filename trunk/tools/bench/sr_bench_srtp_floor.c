/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_srtp_floor.c: the SRTP yardstick of strand_bench (srtp-floor). A WebRTC
 * server encrypts every packet once per player, so libsrtp's protect is a cost no
 * server can go below: this loop protects RTP packets of the size the server sends
 * (1200 bytes with the header) for -d seconds of CPU (the bench default if not given; make
 * bench passes 1) with each profile the
 * DTLS handshake can agree (sr_dtls_cert.c offers AEAD_AES_128_GCM first when libsrtp
 * can run it), and reports CPU seconds per Gbit protected, to be set next to the
 * server's CPU-s per delivered Gbit.
 *
 * Not for: measuring unprotect, RTCP, or anything but one core's worth of one loop.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sr_bench.h"
#include "sr_error.h"
#include "sr_srtp.h"

#define SR_BENCH_SRTP_PACKET 1200

static double sr_bench_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Protect packets with profile for seconds of CPU; CPU-s per Gbit in *per_gbit. */
static int sr_bench_srtp_floor_one(int profile, double seconds, double *per_gbit, double *pps)
{
    sr_srtp_keys_t keys;
    memset(&keys, 0, sizeof(keys));
    keys.profile = profile;
    keys.key_len = sr_srtp_profile_key_len(profile);
    for (size_t i = 0; i < keys.key_len; i++) {
        keys.local_key[i] = (uint8_t)(i * 7 + 1);
        keys.remote_key[i] = (uint8_t)(i * 11 + 3);
    }
    sr_srtp_t *s = NULL;
    int rc = sr_srtp_new(&keys, &s);
    if (rc != SR_OK) {
        return rc;
    }
    uint8_t pkt[SR_BENCH_SRTP_PACKET + SR_SRTP_MAX_TRAILER];
    uint64_t count = 0, bytes = 0;
    double start = sr_bench_cpu_s(), now = start;
    for (uint32_t seq = 0; rc == SR_OK && now - start < seconds; seq++) {
        memset(pkt, 0x5a, SR_BENCH_SRTP_PACKET);
        pkt[0] = 0x80;
        pkt[1] = 102;
        pkt[2] = (uint8_t)(seq >> 8);
        pkt[3] = (uint8_t)seq;
        memcpy(pkt + 4, &seq, 4);               /* timestamp */
        memcpy(pkt + 8, "\x01\x02\x03\x04", 4); /* SSRC */
        size_t len = SR_BENCH_SRTP_PACKET;
        rc = sr_srtp_protect_rtp(s, pkt, &len, sizeof(pkt));
        count++;
        bytes += SR_BENCH_SRTP_PACKET;
        if ((count & 1023) == 0) {
            now = sr_bench_cpu_s();
        }
    }
    now = sr_bench_cpu_s();
    sr_srtp_free(s);
    if (rc != SR_OK) {
        return sr_err_new(SR_ESRTP, "protect failed after %llu packets", (unsigned long long)count);
    }
    *per_gbit = (now - start) / ((double)bytes * 8 / 1e9);
    *pps = (double)count / (now - start);
    return SR_OK;
}

int sr_bench_srtp_floor_run(const sr_bench_opts_t *opts)
{
    static const struct {
        int profile;
        const char *name;
    } profiles[] = {{SR_SRTP_PROFILE_AEAD_AES_128_GCM, "AEAD_AES_128_GCM"},
                    {SR_SRTP_PROFILE_AES128_CM_SHA1_80, "AES128_CM_SHA1_80"}};
    double seconds = opts->duration_s > 0 ? opts->duration_s : 1.0; /* -d 0 means one second here */
    printf("strand_bench srtp-floor: libsrtp protect of %d-byte RTP packets, %.1f s each\n", SR_BENCH_SRTP_PACKET,
           seconds);
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
        if (!sr_srtp_is_supported(profiles[i].profile)) {
            printf("  %-28s not supported by this libsrtp\n", profiles[i].name);
            continue;
        }
        double per_gbit = 0, pps = 0;
        if (sr_bench_srtp_floor_one(profiles[i].profile, seconds, &per_gbit, &pps) != SR_OK) {
            fprintf(stderr, "strand_bench: %s: %s\n", profiles[i].name, sr_err_trail());
            return 1;
        }
        printf("  %-28s %.3f CPU-s per Gbit (%.0f packets/s, %.2f Gbit/s on one core)\n", profiles[i].name, per_gbit,
               pps, 1.0 / per_gbit);
        if (opts->is_json) {
            printf("{\"mode\":\"srtp-floor\",\"profile\":\"%s\",\"cpu_s_per_gbit\":%.4f,\"packets_per_s\":%.0f}\n",
                   profiles[i].name, per_gbit, pps);
        }
    }
    return 0;
}
