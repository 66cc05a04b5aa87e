/* SPDX-License-Identifier: MIT */
/*
 * sr_redis.h: a Redis client on ST sockets: commands are encoded and replies parsed by
 * hiredis's protocol functions (redisFormatCommandArgv, redisReader), the bytes move
 * through our own socket with timeouts, so a slow or dead Redis delays only the asking
 * coroutine. One command at a time per connection.
 */
#ifndef SR_REDIS_H
#define SR_REDIS_H

#include "sr_core.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_redis sr_redis_t;

/* Connect to url (redis://HOST[:PORT][/DB], port 6379 by default; HOST a name or an IP)
 * and SELECT the database when it is not 0, all within timeout_us. May yield. */
int sr_redis_connect(const char *url, sr_utime_t timeout_us, sr_redis_t **out);
/* Close; NULL ok. */
void sr_redis_close(sr_redis_t *r);
/* Send one command (argc arguments, borrowed) and wait for its reply within
 * timeout_us. A string or status reply is copied into out ("" for a nil, an integer in
 * decimal), *is_nil set when the reply is nil (NULL ok). -SR_EREDIS with the server's
 * message for an error reply; socket errors as sr_io. The connection is unusable after
 * any error but an error reply. May yield. */
int sr_redis_command(sr_redis_t *r, int argc, const char **argv, sr_utime_t timeout_us, char *out, size_t out_size,
                     bool *is_nil);

SR_END_DECLS

#endif
