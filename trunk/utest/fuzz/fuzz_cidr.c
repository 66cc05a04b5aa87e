// SPDX-License-Identifier: MIT
// fuzz_cidr.c: libFuzzer harness for access-rule addresses (core/sr_cidr.h). The input is
// "RULE\nADDRESS". Invariants: a parsed rule has a prefix in range for its family and no
// host bits set; it prints to text that parses back to the same rule; its own network
// address lies inside it, and a rule parsed from a client address matches that address;
// sr_cidr_match agrees with a bit-by-bit reference; refusals are -SR_EINVAL only.
#include <stdlib.h>
#include <string.h>

#include "sr_cidr.h"
#include "sr_error.h"

#include "fuzz.h"

static int bit(const uint8_t *a, int i)
{
    return (a[i / 8] >> (7 - i % 8)) & 1;
}

static bool reference_match(const sr_cidr_t *c, const sr_cidr_ip_t *ip)
{
    if (c->family == SR_CIDR_ALL) {
        return true;
    }
    if ((c->family == SR_CIDR_V6) != ip->is_v6) {
        return false;
    }
    for (int i = 0; i < c->prefix; i++) {
        if (bit(c->addr, i) != bit(ip->addr, i)) {
            return false;
        }
    }
    return true;
}

static void check_rule(const char *s, sr_cidr_t *c, bool *ok)
{
    int rc = sr_cidr_parse(s, c);
    *ok = rc == SR_OK;
    if (!*ok) {
        FUZZ_CHECK(rc == -SR_EINVAL);
        return;
    }
    int max = c->family == SR_CIDR_V6 ? 128 : c->family == SR_CIDR_V4 ? 32 : 0;
    FUZZ_CHECK(c->prefix <= max);
    for (int i = c->prefix; i < 128; i++) {
        FUZZ_CHECK(bit(c->addr, i) == 0);
    }
    char text[SR_CIDR_TEXT_MAX];
    sr_cidr_format(c, text, sizeof(text));
    sr_cidr_t again;
    FUZZ_CHECK(sr_cidr_parse(text, &again) == SR_OK);
    FUZZ_CHECK(memcmp(c, &again, sizeof(again)) == 0);
    if (c->family != SR_CIDR_ALL) {
        sr_cidr_ip_t self = {.is_v6 = c->family == SR_CIDR_V6};
        memcpy(self.addr, c->addr, sizeof(self.addr));
        FUZZ_CHECK(sr_cidr_match(c, &self));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char *nl = strchr(s, '\n');
    const char *addr = nl ? nl + 1 : "";
    if (nl) {
        *nl = '\0';
    }
    sr_cidr_t rule;
    bool is_rule = false;
    check_rule(s, &rule, &is_rule);

    sr_cidr_ip_t ip;
    int rc = sr_cidr_parse_ip(addr, &ip);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EINVAL);
    if (rc == SR_OK) {
        if (is_rule) {
            FUZZ_CHECK(sr_cidr_match(&rule, &ip) == reference_match(&rule, &ip));
            FUZZ_CHECK(sr_cidr_match_str(&rule, addr) == sr_cidr_match(&rule, &ip));
        }
        sr_cidr_t own;
        FUZZ_CHECK(sr_cidr_parse(addr, &own) == SR_OK); // an address is a rule of one
        FUZZ_CHECK(own.prefix == (ip.is_v6 ? 128 : 32));
        FUZZ_CHECK(sr_cidr_match(&own, &ip));
    } else if (is_rule) {
        FUZZ_CHECK(!sr_cidr_match_str(&rule, addr));
    }
    free(s);
    sr_err_clear();
    return 0;
}
