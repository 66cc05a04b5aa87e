/* SPDX-License-Identifier: MIT */
/*
 * sr_cidr.h: IP addresses and networks as access rules write them: `all`, an IPv4 or
 * IPv6 address, or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), and whether a client's
 * address falls inside one. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4
 * address it carries, both as a client and in a rule (::ffff:10.0.0.0/104 is
 * 10.0.0.0/8), so a dual-stack socket's peers meet the IPv4 rules.
 *
 * Pure parsing and matching on caller storage: no allocation, no error trail, no policy
 * (which rule wins is sr_security's). Not here: host names, zone ids (fe80::1%eth0),
 * IPv4 shorthand (10.1, 012.0.0.1): inet_pton's strict forms only.
 */
#ifndef SR_CIDR_H
#define SR_CIDR_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef enum sr_cidr_family {
    SR_CIDR_ALL, /* `all`: every address of both families */
    SR_CIDR_V4,
    SR_CIDR_V6,
} sr_cidr_family_t;

/* One address of a client: 4 bytes (IPv4, mapped addresses included) or 16. */
typedef struct sr_cidr_ip {
    uint8_t addr[16];
    bool is_v6;
} sr_cidr_ip_t;

/* A network: the first prefix bits of addr (the rest are zero). A bare address is a
 * network of one: /32 or /128. */
typedef struct sr_cidr {
    sr_cidr_family_t family;
    uint8_t prefix; /* 0..32 (V4), 0..128 (V6), 0 (ALL) */
    uint8_t addr[16];
} sr_cidr_t;

/* Longest text sr_cidr_format writes, NUL included ("ffff:...:ffff/128"). */
#define SR_CIDR_TEXT_MAX 64

/* Parse s (borrowed, NUL-terminated): "all", an address, or address/prefix with a
 * decimal prefix of 1 to 3 digits in range for the family. Host bits after the prefix
 * are cleared (10.1.2.3/8 is 10.0.0.0/8). Returns SR_OK, or -SR_EINVAL (no trail) for
 * anything else: empty text, spaces, a host name, a missing, signed or out-of-range
 * prefix, a zone id. */
int sr_cidr_parse(const char *s, sr_cidr_t *out);
/* Parse a client's address s (no prefix); an IPv4-mapped IPv6 address becomes IPv4.
 * Returns SR_OK or -SR_EINVAL (no trail). */
int sr_cidr_parse_ip(const char *s, sr_cidr_ip_t *out);
/* Whether ip lies inside c: ALL matches every address; otherwise the families must be
 * equal and the first c->prefix bits too. */
bool sr_cidr_match(const sr_cidr_t *c, const sr_cidr_ip_t *ip);
/* sr_cidr_match for an address in text; false when ip does not parse. */
bool sr_cidr_match_str(const sr_cidr_t *c, const char *ip);
/* Write c as "all", "a.b.c.d/n" or "v6/n" into out (size >= SR_CIDR_TEXT_MAX). */
void sr_cidr_format(const sr_cidr_t *c, char *out, size_t size);

SR_END_DECLS

#endif
