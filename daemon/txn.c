// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SIP transactions over UDP (RFC 3261 section 17), kept small:
 *
 * - server side: a request is identified by its top Via branch and method;
 *   a retransmission gets the last response again, and an INVITE's final
 *   response is repeated (T1 doubling up to T2) until the ACK comes.
 * - client side: a request is retransmitted until a response arrives (an
 *   INVITE until a provisional one) or 64*T1 passes; non-2xx final INVITE
 *   responses are ACKed here, in the transaction, as the RFC says.
 *
 * Completed transactions linger 32 s to absorb late retransmissions.
 * Over TCP (and TLS) nothing is retransmitted by the transactions (17.1.1.2, 17.1.2.2,
 * 17.2.1): only the timeouts run, and a 2xx to an INVITE is still repeated
 * until the ACK, since the core owes that end to end (13.3.1.4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmediad.h"

#define TXN_LINGER_MS (64 * KMD_T1)

static struct kmd_map *servers, *clients;

void kmd_txn_init(void)
{
	servers = kmd_map_new(4099);
	clients = kmd_map_new(4099);
	if (!servers || !clients)
		abort();
}

unsigned int kmd_txn_count(void)
{
	return kmd_map_count(servers) + kmd_map_count(clients);
}

static int stx_key(const osip_message_t *req, const char *method, char *buf,
		   size_t len)
{
	const char *branch = kmd_sip_branch(req);

	if (!branch)
		return -EINVAL;
	snprintf(buf, len, "%s|%s", branch, method);
	return 0;
}

struct kmd_stx *kmd_stx_find(const osip_message_t *req)
{
	char key[512];

	if (stx_key(req, req->sip_method, key, sizeof(key)))
		return NULL;
	return kmd_map_get(servers, key);
}

static void stx_free(struct kmd_stx *stx)
{
	kmd_timer_stop(&stx->retx);
	kmd_timer_stop(&stx->expire);
	kmd_map_del(servers, stx->key);
	if (stx->call)
		kmd_call_stx_gone(stx->call, stx);
	free(stx->key);
	free(stx->method);
	osip_free(stx->last);
	free(stx);
}

static void stx_expire(struct kmd_timer *t)
{
	stx_free(kmd_container_of(t, struct kmd_stx, expire));
}

static void stx_retx(struct kmd_timer *t)
{
	struct kmd_stx *stx = kmd_container_of(t, struct kmd_stx, retx);

	if (kmd_now_ms() >= stx->give_up)
		return;		/* no ACK: the expiry timer cleans up */
	kmd_sip_send(&stx->peer, stx->last, stx->last_len);
	stx->interval = stx->interval * 2 > KMD_T2 ? KMD_T2 : stx->interval * 2;
	kmd_timer_arm(&stx->retx, stx->interval);
}

struct kmd_stx *kmd_stx_new(const osip_message_t *req,
			    const union kmd_addr *src)
{
	struct kmd_stx *stx;
	char key[512];

	if (stx_key(req, req->sip_method, key, sizeof(key)))
		return NULL;
	stx = calloc(1, sizeof(*stx));
	if (!stx)
		return NULL;
	stx->key = strdup(key);
	stx->method = strdup(req->sip_method);
	if (!stx->key || !stx->method || kmd_map_put(servers, key, stx)) {
		free(stx->key);
		free(stx->method);
		free(stx);
		return NULL;
	}
	kmd_sip_response_dst(req, src, &stx->peer);
	kmd_timer_init(&stx->retx, stx_retx);
	kmd_timer_init(&stx->expire, stx_expire);
	/* a transaction that never answers still goes away */
	kmd_timer_arm(&stx->expire, 5 * 60 * 1000);
	return stx;
}

void kmd_stx_respond(struct kmd_stx *stx, osip_message_t *resp)
{
	char *text = NULL;
	size_t len = 0;
	int code = resp->status_code;

	kmd_sip_send_msg(resp, &stx->peer, &text, &len);
	osip_message_free(resp);
	if (!text)
		return;
	osip_free(stx->last);
	stx->last = text;
	stx->last_len = len;
	stx->last_code = code;
	if (code < 200)
		return;
	kmd_timer_arm(&stx->expire, TXN_LINGER_MS);
	if (!strcmp(stx->method, "INVITE") &&
	    (code < 300 || !kmd_addr_stream(&stx->peer))) {
		stx->interval = KMD_T1;
		stx->give_up = kmd_now_ms() + TXN_LINGER_MS;
		kmd_timer_arm(&stx->retx, stx->interval);
	}
}

void kmd_stx_reply(struct kmd_stx *stx, const osip_message_t *req, int code,
		   const char *reason, const char *to_tag)
{
	osip_message_t *resp = kmd_sip_response(req, code, reason, to_tag);

	if (resp)
		kmd_stx_respond(stx, resp);
}

void kmd_stx_retransmitted(struct kmd_stx *stx, const union kmd_addr *src)
{
	/* over TCP the retransmission may come on a new connection: the
	 * answer follows it (the old one may be gone)
	 */
	if (kmd_addr_stream(src))
		stx->peer = *src;
	if (stx->last)
		kmd_sip_send(&stx->peer, stx->last, stx->last_len);
}

void kmd_stx_acked(struct kmd_stx *stx)
{
	kmd_timer_stop(&stx->retx);
}

bool kmd_stx_ack(const osip_message_t *ack)
{
	struct kmd_stx *stx;
	char key[512];

	if (stx_key(ack, "INVITE", key, sizeof(key)))
		return false;
	stx = kmd_map_get(servers, key);
	if (!stx || stx->last_code < 300)
		return false;
	kmd_stx_acked(stx);
	return true;
}

/* ---- client transactions ---- */

static void ctx_free(struct kmd_ctx *ctx)
{
	if (ctx->call)
		kmd_call_ctx_gone(ctx->call, ctx);
	if (ctx->data_free)
		ctx->data_free(ctx->data);
	kmd_timer_stop(&ctx->retx);
	kmd_timer_stop(&ctx->expire);
	kmd_list_del(&ctx->call_node);
	kmd_map_del(clients, ctx->key);
	free(ctx->key);
	osip_free(ctx->text);
	osip_message_free(ctx->req);
	free(ctx);
}

static void ctx_expire(struct kmd_timer *t)
{
	ctx_free(kmd_container_of(t, struct kmd_ctx, expire));
}

static void ctx_retx(struct kmd_timer *t)
{
	struct kmd_ctx *ctx = kmd_container_of(t, struct kmd_ctx, retx);

	if (kmd_now_ms() >= ctx->deadline) {
		/* Timer B/F: the peer never answered */
		ctx->completed = true;
		if (ctx->on_timeout && ctx->call)
			ctx->on_timeout(ctx);
		ctx_free(ctx);
		return;
	}
	kmd_sip_send(&ctx->dst, ctx->text, ctx->len);
	/* INVITE doubles without cap (Timer A); others cap at T2 (Timer E) */
	ctx->interval *= 2;
	if (!ctx->invite && ctx->interval > KMD_T2)
		ctx->interval = KMD_T2;
	kmd_timer_arm(&ctx->retx, ctx->interval);
}

struct kmd_ctx *kmd_ctx_send(osip_message_t *req, const union kmd_addr *dst,
			     struct kmd_call *call, int leg,
			     kmd_ctx_resp_cb on_response,
			     kmd_ctx_timeout_cb on_timeout)
{
	const char *branch = kmd_sip_branch(req);
	struct kmd_ctx *ctx;
	char key[512];

	if (!branch || !(ctx = calloc(1, sizeof(*ctx)))) {
		osip_message_free(req);
		return NULL;
	}
	kmd_list_init(&ctx->call_node);
	/* a CANCEL shares its INVITE's branch: the method tells them apart */
	snprintf(key, sizeof(key), "%s|%s", branch, req->sip_method);
	ctx->key = strdup(key);
	ctx->req = req;
	ctx->dst = *dst;
	ctx->call = call;
	ctx->leg = leg;
	ctx->invite = MSG_IS_INVITE(req);
	ctx->on_response = on_response;
	ctx->on_timeout = on_timeout;
	kmd_timer_init(&ctx->retx, ctx_retx);
	kmd_timer_init(&ctx->expire, ctx_expire);
	if (!ctx->key || kmd_map_put(clients, ctx->key, ctx)) {
		free(ctx->key);
		osip_message_free(req);
		free(ctx);
		return NULL;
	}
	kmd_sip_send_msg(req, dst, &ctx->text, &ctx->len);
	if (!ctx->text) {
		kmd_map_del(clients, ctx->key);
		free(ctx->key);
		osip_message_free(req);
		free(ctx);
		return NULL;
	}
	ctx->interval = KMD_T1;
	ctx->deadline = kmd_now_ms() + 64 * KMD_T1;
	/* reliable: no Timer A/E, the first run of the timer is B/F */
	kmd_timer_arm(&ctx->retx, kmd_addr_stream(dst) ? 64 * KMD_T1 :
		      ctx->interval);
	return ctx;
}

void kmd_ctx_orphan(struct kmd_ctx *ctx)
{
	ctx->call = NULL;
	kmd_list_del(&ctx->call_node);
}

/* The transaction's own ACK for a non-2xx final INVITE response (17.1.1.3). */
static void ctx_ack(struct kmd_ctx *ctx, const osip_message_t *resp)
{
	osip_message_t *ack;
	osip_uri_t *uri = NULL;
	osip_via_t *via = NULL;
	osip_route_t *r;
	int i;

	if (osip_message_init(&ack))
		return;
	osip_message_set_method(ack, osip_strdup("ACK"));
	osip_message_set_version(ack, osip_strdup("SIP/2.0"));
	if (osip_uri_clone(ctx->req->req_uri, &uri))
		goto out;
	osip_message_set_uri(ack, uri);
	if (osip_via_clone(osip_list_get(&ctx->req->vias, 0), &via))
		goto out;
	osip_list_add(&ack->vias, via, 0);
	if (osip_from_clone(ctx->req->from, &ack->from) ||
	    osip_to_clone(resp->to, &ack->to) ||
	    osip_call_id_clone(ctx->req->call_id, &ack->call_id) ||
	    osip_cseq_clone(ctx->req->cseq, &ack->cseq))
		goto out;
	osip_free(ack->cseq->method);
	ack->cseq->method = osip_strdup("ACK");
	for (i = 0; (r = osip_list_get(&ctx->req->routes, i)); i++) {
		osip_route_t *copy;

		if (!osip_route_clone(r, &copy))
			osip_list_add(&ack->routes, copy, -1);
	}
	osip_message_set_max_forwards(ack, "70");
	osip_message_set_content_length(ack, "0");
	kmd_sip_send_msg(ack, &ctx->dst, NULL, NULL);
out:
	osip_message_free(ack);
}

struct kmd_ctx *kmd_ctx_match(const osip_message_t *resp)
{
	const char *branch = kmd_sip_branch(resp);
	char key[512];

	if (!branch || !resp->cseq || !resp->cseq->method)
		return NULL;
	snprintf(key, sizeof(key), "%s|%s", branch, resp->cseq->method);
	return kmd_map_get(clients, key);
}

void kmd_ctx_input(struct kmd_ctx *ctx, osip_message_t *resp)
{
	int code = resp->status_code;

	if (code < 200) {
		if (ctx->invite || !ctx->provisional) {
			/* INVITE: Timer A stops (Timer B stays, via deadline) */
			if (ctx->invite) {
				kmd_timer_stop(&ctx->retx);
				/* wait long for the final answer: 3 minutes */
				kmd_timer_arm(&ctx->expire, 3 * 60 * 1000);
			}
		}
		ctx->provisional = true;
		if (!ctx->completed && ctx->call && ctx->on_response)
			ctx->on_response(ctx, resp);
		return;
	}
	if (ctx->invite && code >= 300)
		ctx_ack(ctx, resp);
	kmd_timer_stop(&ctx->retx);
	if (ctx->completed) {
		/* a retransmitted final response: 2xx goes to the call (its
		 * ACK is end-to-end), others were ACKed above
		 */
		if (code < 300 && ctx->call && ctx->on_response)
			ctx->on_response(ctx, resp);
		return;
	}
	ctx->completed = true;
	kmd_timer_arm(&ctx->expire, TXN_LINGER_MS);
	if (ctx->call && ctx->on_response)
		ctx->on_response(ctx, resp);
}

/* The keys of the client transactions toward one address still waiting
 * for their first response.
 */
struct waiting {
	const union kmd_addr *dst;
	char **keys;
	unsigned int n, max;
};

static void collect_waiting(void *value, void *data)
{
	struct kmd_ctx *ctx = value;
	struct waiting *w = data;
	char **keys;

	if (ctx->completed || ctx->provisional ||
	    ctx->dst.tp.proto != w->dst->tp.proto ||
	    !kmd_addr_equal(&ctx->dst, w->dst))
		return;
	if (w->n == w->max) {
		keys = realloc(w->keys, (w->max * 2 + 8) * sizeof(*keys));
		if (!keys)
			return;
		w->keys = keys;
		w->max = w->max * 2 + 8;
	}
	w->keys[w->n] = strdup(ctx->key);
	if (w->keys[w->n])
		w->n++;
}

void kmd_ctx_transport_error(const union kmd_addr *dst, const char *reason)
{
	struct waiting w = { .dst = dst };
	unsigned int i;

	kmd_map_each(clients, collect_waiting, &w);
	/* by key: a response handler may end other transactions */
	for (i = 0; i < w.n; i++) {
		struct kmd_ctx *ctx = kmd_map_get(clients, w.keys[i]);
		osip_message_t *resp;

		free(w.keys[i]);
		if (!ctx || ctx->completed)
			continue;
		/* no ACK for it: nothing reached the peer */
		ctx->completed = true;
		kmd_timer_stop(&ctx->retx);
		kmd_timer_arm(&ctx->expire, TXN_LINGER_MS);
		resp = kmd_sip_response(ctx->req, 503, reason, NULL);
		if (!resp)
			continue;
		if (ctx->call && ctx->on_response)
			ctx->on_response(ctx, resp);
		osip_message_free(resp);
	}
	free(w.keys);
}
