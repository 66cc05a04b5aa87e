/* SPDX-License-Identifier: MIT */
/*
 * sr_consumer_internal.h: what the source needs to create, list and free consumers.
 * Only sr_source.c and tests include it.
 */
#ifndef SR_CONSUMER_INTERNAL_H
#define SR_CONSUMER_INTERNAL_H

#include "sr_consumer.h"

SR_BEGIN_DECLS

sr_consumer_t *sr_consumer__new(struct sr_source *source, const sr_consumer_policy_t *policy);
void sr_consumer__free(sr_consumer_t *c);
/* Intrusive doubly linked list of a source's consumers: O(1) join and leave. */
sr_consumer_t *sr_consumer__next(const sr_consumer_t *c);
void sr_consumer__link(sr_consumer_t *c, sr_consumer_t **head);
void sr_consumer__unlink(sr_consumer_t *c, sr_consumer_t **head);
/* A new publisher took the stream: continue this consumer's timeline after what it
 * has been given (sr_jitter_restart). */
void sr_consumer__restart_timeline(sr_consumer_t *c);
/* Enqueue pkt (borrowed) into every consumer of the list. */
void sr_consumer__enqueue_all(sr_consumer_t *head, const sr_packet_t *pkt);

SR_END_DECLS

#endif
