/* SPDX-License-Identifier: MIT */
/*
 * sr_cidr.c: addresses and CIDR blocks (RFC 4632 for IPv4, RFC 4291 2.3 for IPv6
 * prefixes) for access rules. The address part goes through inet_pton, which takes
 * only the canonical forms; the prefix is read here so that "/08 " or "/+8" cannot slip
 * through strtol's leniency. IPv4-mapped addresses (RFC 4291 2.5.5.2) are folded into
 * IPv4 on both sides, so a rule never depends on how the socket was opened.
 */
#include "sr_cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sr_error.h"

/* ::ffff:0:0/96 */
static const uint8_t sr_cidr_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Parse the address part (len bytes of s) into 4 or 16 bytes; mapped ones are IPv4 with
 * *was_mapped set. */
static int sr_cidr_parse_addr(const char *s, size_t len, uint8_t addr[16], bool *is_v6, bool *was_mapped)
{
    char text[INET6_ADDRSTRLEN];
    *was_mapped = false;
    if (len == 0 || len >= sizeof(text)) {
        return -SR_EINVAL;
    }
    memcpy(text, s, len);
    text[len] = '\0';
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, text, addr) == 1) {
        *is_v6 = false;
        return SR_OK;
    }
    if (inet_pton(AF_INET6, text, addr) != 1) {
        return -SR_EINVAL;
    }
    *is_v6 = true;
    if (memcmp(addr, sr_cidr_mapped_prefix, sizeof(sr_cidr_mapped_prefix)) == 0) {
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *is_v6 = false;
        *was_mapped = true;
    }
    return SR_OK;
}

/* 1..3 decimal digits and nothing else, into *out. */
static int sr_cidr_parse_prefix(const char *s, int *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 3 || strspn(s, "0123456789") != n) {
        return -SR_EINVAL;
    }
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return SR_OK;
}

static void sr_cidr_mask(uint8_t addr[16], int prefix)
{
    for (int i = 0; i < 16; i++) {
        int bits = prefix - i * 8;
        if (bits <= 0) {
            addr[i] = 0;
        } else if (bits < 8) {
            addr[i] &= (uint8_t)(0xff << (8 - bits));
        }
    }
}

int sr_cidr_parse(const char *s, sr_cidr_t *out)
{
    memset(out, 0, sizeof(*out));
    if (strcmp(s, "all") == 0) {
        out->family = SR_CIDR_ALL;
        return SR_OK;
    }
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    bool is_v6 = false, was_mapped = false;
    if (sr_cidr_parse_addr(s, len, out->addr, &is_v6, &was_mapped) != SR_OK) {
        return -SR_EINVAL;
    }
    int max = is_v6 ? 128 : 32;
    int prefix = max;
    if (slash) {
        if (sr_cidr_parse_prefix(slash + 1, &prefix) != SR_OK) {
            return -SR_EINVAL;
        }
        if (was_mapped) {
            /* written as IPv6: the prefix counts the 96 bits of ::ffff:0:0 too */
            if (prefix < 96 || prefix > 128) {
                return -SR_EINVAL;
            }
            prefix -= 96;
        } else if (prefix > max) {
            return -SR_EINVAL;
        }
    }
    out->family = is_v6 ? SR_CIDR_V6 : SR_CIDR_V4;
    out->prefix = (uint8_t)prefix;
    sr_cidr_mask(out->addr, prefix);
    return SR_OK;
}

int sr_cidr_parse_ip(const char *s, sr_cidr_ip_t *out)
{
    bool was_mapped = false;
    memset(out, 0, sizeof(*out));
    if (strchr(s, '/')) {
        return -SR_EINVAL;
    }
    return sr_cidr_parse_addr(s, strlen(s), out->addr, &out->is_v6, &was_mapped);
}

bool sr_cidr_match(const sr_cidr_t *c, const sr_cidr_ip_t *ip)
{
    if (c->family == SR_CIDR_ALL) {
        return true;
    }
    if ((c->family == SR_CIDR_V6) != ip->is_v6) {
        return false;
    }
    int whole = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, ip->addr, (size_t)whole) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (ip->addr[whole] & mask) == c->addr[whole];
}

bool sr_cidr_match_str(const sr_cidr_t *c, const char *ip)
{
    sr_cidr_ip_t a;
    return sr_cidr_parse_ip(ip, &a) == SR_OK && sr_cidr_match(c, &a);
}

void sr_cidr_format(const sr_cidr_t *c, char *out, size_t size)
{
    if (c->family == SR_CIDR_ALL) {
        snprintf(out, size, "all");
        return;
    }
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(c->family == SR_CIDR_V6 ? AF_INET6 : AF_INET, c->addr, text, sizeof(text));
    snprintf(out, size, "%s/%u", text, (unsigned)c->prefix);
}
