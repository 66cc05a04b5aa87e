/* SPDX-License-Identifier: MIT */
/*
 * sr_resolve.h: host names to addresses without blocking the event loop. An IP literal
 * is answered at once; a name goes to getaddrinfo on the worker pool (sr_work), so only
 * the asking coroutine waits for the system resolver.
 */
#ifndef SR_RESOLVE_H
#define SR_RESOLVE_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* The textual address ("192.0.2.1", "2001:db8::1") of host (a name, or an IP literal
 * with or without [brackets]) into ip (at least 64 bytes); IPv4 first when the name has
 * both. -SR_ENOT_FOUND with the resolver's reason when it has none, -SR_EINTERRUPTED
 * when the coroutine was stopped meanwhile. May yield. */
int sr_resolve_host(const char *host, char *ip, size_t size);

SR_END_DECLS

#endif
