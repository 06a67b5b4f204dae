// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad calls: the back-to-back user agent.
 *
 * A call is two dialogs. Leg A is the caller's: we are its UAS, with the
 * caller's Call-ID and our own To tag. Leg B is ours toward the next hop:
 * a fresh Call-ID, From tag and CSeq space, our own Contact. Nothing of one
 * leg's Via, Record-Route or Contact leaks into the other; SDP crosses
 * rewritten by sdp.c so that media flows through the relay ports, and
 * media.c puts the relaying into the kernel.
 *
 * In-dialog requests toward the caller go to the address its INVITE came
 * from (the flow, which works behind NAT), or to its Contact once that
 * flow is a closed TCP connection; toward the callee to its Contact, or
 * through its Record-Route set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kmediad.h"

#define BRANCH_PREFIX "z9hG4bKkmd"
#define KMD_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, NOTIFY, " \
	"MESSAGE, REFER, REGISTER, PRACK, SUBSCRIBE"
#define CALL_LINGER_MS (64 * KMD_T1)

enum call_state {
	CALL_INVITING,		/* INVITE sent to B, nothing final yet */
	CALL_EARLY,		/* a provisional response with a To tag */
	CALL_CONFIRMED,		/* 2xx relayed to A */
	CALL_ENDING,		/* BYE/CANCEL sent, waiting for the answers */
};

struct leg {
	char *call_id;
	osip_from_t *local;	/* our From in requests, with our tag */
	osip_to_t *remote;	/* their To in requests, with their tag */
	char *target;		/* remote target URI */
	osip_list_t routes;	/* of osip_route_t, in Route header order */
	union kmd_addr peer;	/* where in-dialog requests go */
	unsigned int cseq;
	bool confirmed;
};

struct kmd_call {
	char *log_id;		/* leg A's Call-ID */
	char cookie_key[24];
	enum call_state state;
	struct leg leg[2];
	uint64_t cookie;
	osip_message_t *invite;	/* A's INVITE, for our responses */
	struct kmd_stx *invite_stx;
	struct kmd_stx *reinvite_stx[2];	/* a re-INVITE from that leg */
	struct kmd_ctx *invite_ctx;
	struct kmd_media *media;
	struct kmd_list ctxs;
	char *ack_b;		/* our ACK of B's 2xx, resent on retransmissions */
	size_t ack_b_len;
	bool cancelled, cancel_pending;
	unsigned int byes_pending;
	struct kmd_timer linger;
	/* late offer: A's INVITE had no SDP, B's 2xx has the offer and A's
	 * ACK the answer; B's ACK waits for it
	 */
	bool late, late_ack_pending;
	/* 100rel (RFC 3262): A takes reliable provisionals; the last RSeq
	 * from B (RSeq crosses unchanged: A's reliable provisionals are
	 * exactly B's, so B's sequence is a valid one for leg A too)
	 */
	bool rel_a;
	uint32_t rseq_b;
	/* late offer with 100rel (RFC 3262 section 5): B's offer came in a
	 * reliable 18x (RSeq early_rseq), rewritten for A as early_offer_a;
	 * A's PRACK of it carries the answer, which programs the kernel
	 */
	char *early_offer_a;
	uint32_t early_rseq;
	bool early_answered;
	/* a SUBSCRIBE's dialogs, or an out-of-dialog MESSAGE: no media */
	bool subscription, no_media;
};

static const struct kmd_config *cfg;
static struct kmd_map *calls;
static unsigned int n_calls;
static uint64_t calls_total, calls_answered, calls_failed;

int kmd_call_init(const struct kmd_config *c)
{
	cfg = c;
	calls = kmd_map_new(8191);
	return calls ? 0 : -ENOMEM;
}

unsigned int kmd_call_count(void)
{
	return n_calls;
}

void kmd_call_dump(void)
{
	kmd_info(NULL, "calls: %u active, %" PRIu64 " total, %" PRIu64
		 " answered, %" PRIu64 " failed; %u transactions; %" PRIu64
		 " datagrams dropped on SIP sockets", n_calls, calls_total,
		 calls_answered, calls_failed, kmd_txn_count(),
		 kmd_sip_dropped());
	kmd_media_log_stats();
}

/* ---- helpers ---- */

static char *call_id_str(const osip_call_id_t *cid)
{
	char *s = NULL, *copy;

	if (osip_call_id_to_str(cid, &s) || !s)
		return NULL;
	copy = strdup(s);
	osip_free(s);
	return copy;
}

static const char *tag_of(const osip_from_t *h)
{
	osip_generic_param_t *tag = NULL;

	osip_from_get_tag((osip_from_t *)h, &tag);
	return tag && tag->gvalue ? tag->gvalue : NULL;
}

static void set_tag(osip_from_t *h, const char *tag)
{
	osip_generic_param_t *old = NULL;

	osip_from_get_tag(h, &old);
	if (old) {
		osip_free(old->gvalue);
		old->gvalue = osip_strdup(tag);
	} else {
		osip_from_set_tag(h, osip_strdup(tag));
	}
}

static char *uri_str(const osip_uri_t *uri)
{
	char *s = NULL, *copy;

	if (!uri || osip_uri_to_str(uri, &s) || !s)
		return NULL;
	copy = strdup(s);
	osip_free(s);
	return copy;
}

/* The numeric host:port of a SIP URI; -EINVAL for names. Its transport
 * is the URI's transport parameter; without one, that of `flow` when the
 * URI names the same address and port (a peer we already talk TCP to),
 * else UDP.
 */
static int uri_addr(const osip_uri_t *uri, const union kmd_addr *flow,
		    union kmd_addr *a)
{
	osip_uri_param_t *tp = NULL;
	unsigned long port = 5060;
	int err;

	if (!uri || !uri->host)
		return -EINVAL;
	if (uri->port)
		port = strtoul(uri->port, NULL, 10);
	if (!port || port > 65535)
		return -EINVAL;
	err = kmd_addr_from_str(uri->host, port, a);
	if (err)
		return err;
	osip_uri_uparam_get_byname((osip_uri_t *)uri, "transport", &tp);
	if (tp && tp->gvalue)
		a->tp.proto = !strcasecmp(tp->gvalue, "tcp") ? KMD_TP_TCP :
			!strcasecmp(tp->gvalue, "tls") ? KMD_TP_TLS : KMD_TP_UDP;
	else if (flow && kmd_addr_equal(a, flow))
		a->tp.proto = flow->tp.proto;
	return 0;
}

/* A header of that name lists the option tag (Supported, Require). */
static bool has_option(const osip_message_t *msg, const char *name,
		       const char *tag)
{
	osip_header_t *h = NULL;
	int pos = 0;

	while ((pos = osip_message_header_get_byname(msg, name, pos, &h)) >= 0 &&
	       h) {
		const char *p = h->hvalue;
		size_t n = strlen(tag);

		while (p && *p) {
			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			if (!strncasecmp(p, tag, n) &&
			    (!p[n] || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
				return true;
			p = strchr(p, ',');
		}
		pos++;
	}
	return false;
}

static uint32_t header_u32(const osip_message_t *msg, const char *name)
{
	osip_header_t *h = NULL;

	osip_message_header_get_byname(msg, name, 0, &h);
	return h && h->hvalue ? strtoul(h->hvalue, NULL, 10) : 0;
}

static struct kmd_call *find_call(const osip_message_t *msg, int *legp)
{
	struct kmd_call *call;
	char *id = call_id_str(msg->call_id);

	if (!id)
		return NULL;
	call = kmd_map_get(calls, id);
	if (call)
		*legp = strcmp(call->leg[KMD_SIDE_A].call_id, id) ?
			KMD_SIDE_B : KMD_SIDE_A;
	free(id);
	return call;
}

static void leg_free(struct leg *l)
{
	osip_route_t *r;

	free(l->call_id);
	free(l->target);
	if (l->local)
		osip_from_free(l->local);
	if (l->remote)
		osip_to_free(l->remote);
	while ((r = osip_list_get(&l->routes, 0))) {
		osip_list_remove(&l->routes, 0);
		osip_route_free(r);
	}
}

static void call_free(struct kmd_call *call)
{
	int i;

	kmd_timer_stop(&call->linger);
	for (i = 0; i < 2; i++)
		if (call->leg[i].call_id)
			kmd_map_del(calls, call->leg[i].call_id);
	kmd_map_del(calls, call->cookie_key);
	kmd_media_free(call->media);
	while (!kmd_list_empty(&call->ctxs))
		kmd_ctx_orphan(kmd_container_of(call->ctxs.next, struct kmd_ctx,
						call_node));
	if (call->invite_stx)
		call->invite_stx->call = NULL;
	for (i = 0; i < 2; i++)
		if (call->reinvite_stx[i])
			call->reinvite_stx[i]->call = NULL;
	kmd_info(call->log_id, "call gone");
	for (i = 0; i < 2; i++)
		leg_free(&call->leg[i]);
	osip_message_free(call->invite);
	osip_free(call->ack_b);
	free(call->early_offer_a);
	free(call->log_id);
	free(call);
	n_calls--;
}

static void call_linger_done(struct kmd_timer *t)
{
	call_free(kmd_container_of(t, struct kmd_call, linger));
}

void kmd_call_stx_gone(struct kmd_call *call, struct kmd_stx *stx)
{
	int i;

	if (call->invite_stx == stx)
		call->invite_stx = NULL;
	for (i = 0; i < 2; i++)
		if (call->reinvite_stx[i] == stx)
			call->reinvite_stx[i] = NULL;
}

void kmd_call_ctx_gone(struct kmd_call *call, struct kmd_ctx *ctx)
{
	if (call->invite_ctx == ctx)
		call->invite_ctx = NULL;
}

/* The connection the peer of leg opened is closed: a new one to its
 * remote target, the Contact (RFC 3261 12.2.1.1), over the transport it
 * used unless the Contact names one.
 */
static void target_addr(const struct leg *leg, union kmd_addr *dst)
{
	osip_uri_param_t *tp = NULL;
	osip_uri_t *uri = NULL;
	union kmd_addr a;
	char s1[KMD_ADDRSTRLEN], s2[KMD_ADDRSTRLEN];

	if (!leg->target || osip_uri_init(&uri))
		return;
	if (!osip_uri_parse(uri, leg->target) && !uri_addr(uri, NULL, &a)) {
		osip_uri_uparam_get_byname(uri, "transport", &tp);
		if (!tp || !tp->gvalue)
			a.tp.proto = dst->tp.proto;
		kmd_info(NULL, "the connection from %s is closed: to its "
			 "Contact %s", kmd_addr_str(dst, s1, sizeof(s1)),
			 kmd_addr_str(&a, s2, sizeof(s2)));
		*dst = a;
	}
	osip_uri_free(uri);
}

/* A new request on leg l: Request-URI, our Via, From/To/Call-ID/CSeq from
 * the dialog, Route set. NULL on failure.
 */
static osip_message_t *leg_request(struct kmd_call *call, int l,
				   const char *method, unsigned int cseq,
				   union kmd_addr *dst)
{
	struct leg *leg = &call->leg[l];
	char host[INET6_ADDRSTRLEN + 2], buf[512], branch[33];
	osip_message_t *req;
	osip_uri_t *uri = NULL;
	osip_route_t *r;
	int i;

	*dst = leg->peer;
	r = osip_list_get(&leg->routes, 0);
	if (r) {
		union kmd_addr via_route;

		if (!uri_addr(r->url, &leg->peer, &via_route))
			*dst = via_route;
	} else if (kmd_tcp_flow_gone(dst)) {
		target_addr(leg, dst);
	}
	if (kmd_sip_local_host(dst, host, sizeof(host)) ||
	    osip_message_init(&req))
		return NULL;
	osip_message_set_method(req, osip_strdup(method));
	osip_message_set_version(req, osip_strdup("SIP/2.0"));
	if (osip_uri_init(&uri) || osip_uri_parse(uri, leg->target)) {
		if (uri)
			osip_uri_free(uri);
		goto err;
	}
	osip_message_set_uri(req, uri);
	kmd_random_hex(branch, 16);
	snprintf(buf, sizeof(buf), "SIP/2.0/%s %s:%u;branch=" BRANCH_PREFIX
		 "%s;rport", kmd_sip_via_proto(dst), host, kmd_sip_port_for(dst),
		 branch);
	if (osip_message_set_via(req, buf) ||
	    osip_from_clone(leg->local, &req->from) ||
	    osip_to_clone(leg->remote, &req->to) ||
	    osip_message_set_call_id(req, leg->call_id))
		goto err;
	snprintf(buf, sizeof(buf), "%u %s", cseq, method);
	osip_message_set_cseq(req, buf);
	for (i = 0; (r = osip_list_get(&leg->routes, i)); i++) {
		osip_route_t *copy;

		if (osip_route_clone(r, &copy))
			goto err;
		osip_list_add(&req->routes, copy, -1);
	}
	osip_message_set_max_forwards(req, "70");
	osip_message_set_user_agent(req, kmd_sip_user_agent());
	return req;
err:
	osip_message_free(req);
	return NULL;
}

static void set_contact(osip_message_t *msg, const union kmd_addr *toward)
{
	char host[INET6_ADDRSTRLEN + 2], buf[128];

	if (kmd_sip_local_host(toward, host, sizeof(host)))
		return;
	snprintf(buf, sizeof(buf), "<sip:kmediad@%s:%u%s>", host,
		 kmd_sip_port_for(toward),
		 toward->tp.proto == KMD_TP_TCP ? ";transport=tcp" :
		 toward->tp.proto == KMD_TP_TLS ? ";transport=tls" : "");
	osip_message_set_contact(msg, buf);
}

/* A client transaction of the call: it learns when the call goes away. */
static struct kmd_ctx *call_ctx_send(struct kmd_call *call, osip_message_t *req,
				     const union kmd_addr *dst, int l,
				     kmd_ctx_resp_cb on_response,
				     kmd_ctx_timeout_cb on_timeout)
{
	struct kmd_ctx *ctx;

	ctx = kmd_ctx_send(req, dst, call, l, on_response, on_timeout);
	if (ctx)
		kmd_list_add_tail(&call->ctxs, &ctx->call_node);
	return ctx;
}

/* ---- ending calls ---- */

static void bye_response(struct kmd_ctx *ctx, osip_message_t *resp)
{
	struct kmd_call *call = ctx->call;

	if (resp->status_code < 200)
		return;
	kmd_info(call->log_id, "BYE on leg %c answered %d", 'A' + ctx->leg,
		 resp->status_code);
	if (call->byes_pending && !--call->byes_pending)
		call_free(call);
}

static void bye_timeout(struct kmd_ctx *ctx)
{
	struct kmd_call *call = ctx->call;

	kmd_warn(call->log_id, "%s on leg %c not answered",
		 ctx->req->sip_method, 'A' + ctx->leg);
	if (call->byes_pending && !--call->byes_pending)
		call_free(call);
}

static void send_bye(struct kmd_call *call, int l)
{
	union kmd_addr dst;
	osip_message_t *req;

	req = leg_request(call, l, "BYE", ++call->leg[l].cseq, &dst);
	if (!req)
		return;
	osip_message_set_content_length(req, "0");
	if (call_ctx_send(call, req, &dst, l, bye_response, bye_timeout))
		call->byes_pending++;
}

static void send_cancel(struct kmd_call *call)
{
	struct kmd_ctx *ictx = call->invite_ctx;
	osip_message_t *req = ictx->req, *cancel;
	osip_uri_t *uri = NULL;
	osip_via_t *via = NULL;

	/* CANCEL copies the INVITE's Request-URI, top Via (branch), From,
	 * To, Call-ID and CSeq number (RFC 3261 9.1)
	 */
	if (osip_message_init(&cancel))
		return;
	osip_message_set_method(cancel, osip_strdup("CANCEL"));
	osip_message_set_version(cancel, osip_strdup("SIP/2.0"));
	if (osip_uri_clone(req->req_uri, &uri))
		goto err;
	osip_message_set_uri(cancel, uri);
	if (osip_via_clone(osip_list_get(&req->vias, 0), &via))
		goto err;
	osip_list_add(&cancel->vias, via, 0);
	if (osip_from_clone(req->from, &cancel->from) ||
	    osip_to_clone(req->to, &cancel->to) ||
	    osip_call_id_clone(req->call_id, &cancel->call_id) ||
	    osip_cseq_clone(req->cseq, &cancel->cseq))
		goto err;
	osip_free(cancel->cseq->method);
	cancel->cseq->method = osip_strdup("CANCEL");
	osip_message_set_max_forwards(cancel, "70");
	osip_message_set_content_length(cancel, "0");
	/* its own transaction (retransmitted until answered); the INVITE's
	 * 487 is what ends leg B
	 */
	call_ctx_send(call, cancel, &ictx->dst, KMD_SIDE_B, NULL, NULL);
	kmd_info(call->log_id, "CANCEL sent on leg B");
	return;
err:
	osip_message_free(cancel);
}

/*
 * End the call from whichever side (from = KMD_SIDE_A/B, or -1 for the
 * relay itself: media timeout, shutdown): BYE where a dialog is confirmed,
 * CANCEL toward a callee still ringing, a final response to a caller not
 * answered yet.
 */
static void end_call(struct kmd_call *call, int from, int code,
		     const char *reason)
{
	if (call->state == CALL_ENDING)
		return;
	if (call->no_media) {
		call_free(call);	/* no BYE in a subscription */
		return;
	}
	call->state = CALL_ENDING;
	kmd_media_free(call->media);
	call->media = NULL;
	if (from != KMD_SIDE_A) {
		if (call->leg[KMD_SIDE_A].confirmed)
			send_bye(call, KMD_SIDE_A);
		else if (call->invite_stx && call->invite_stx->last_code < 200)
			kmd_stx_reply(call->invite_stx, call->invite, code, reason,
				      tag_of(call->leg[KMD_SIDE_A].local));
	}
	if (from != KMD_SIDE_B) {
		if (call->leg[KMD_SIDE_B].confirmed)
			send_bye(call, KMD_SIDE_B);
		else if (call->invite_ctx && !call->invite_ctx->completed) {
			call->cancelled = true;
			if (call->invite_ctx->provisional)
				send_cancel(call);
			else
				call->cancel_pending = true;
		}
	}
	/* whatever is left unanswered, the call goes away in 32 s */
	kmd_timer_arm(&call->linger, CALL_LINGER_MS);
	if (!call->byes_pending && !call->cancelled)
		call_free(call);
}

/* ---- leg B's INVITE transaction ---- */

static void relay_to_a(struct kmd_call *call, const osip_message_t *resp,
		       const char *sdp, uint32_t rseq)
{
	osip_message_t *r;
	char buf[16];

	if (!call->invite_stx)
		return;
	r = kmd_sip_response(call->invite, resp->status_code,
			     resp->reason_phrase ?: "Unknown",
			     tag_of(call->leg[KMD_SIDE_A].local));
	if (!r)
		return;
	if (resp->status_code > 100 && resp->status_code < 300) {
		set_contact(r, &call->leg[KMD_SIDE_A].peer);
		osip_message_set_allow(r, KMD_ALLOW);
	}
	if (rseq) {
		snprintf(buf, sizeof(buf), "%u", rseq);
		osip_message_set_header(r, "Require", "100rel");
		osip_message_set_header(r, "RSeq", buf);
	}
	kmd_sip_set_body(r, "application/sdp", sdp);
	kmd_stx_respond(call->invite_stx, r);
}

/* B's reliable provisional response when A cannot take one: we PRACK it
 * ourselves (RFC 3262 section 7.2) and A gets it unreliably.
 */
static void prack_b(struct kmd_call *call, const struct kmd_ctx *ictx,
		    uint32_t rseq)
{
	union kmd_addr dst;
	osip_message_t *req;
	char buf[64];

	req = leg_request(call, KMD_SIDE_B, "PRACK", ++call->leg[KMD_SIDE_B].cseq,
			  &dst);
	if (!req)
		return;
	snprintf(buf, sizeof(buf), "%u %s INVITE", rseq, ictx->req->cseq->number);
	osip_message_set_header(req, "RAck", buf);
	osip_message_set_content_length(req, "0");
	call_ctx_send(call, req, &dst, KMD_SIDE_B, NULL, NULL);
}

/* The Contact of B's early dialog: where its PRACKs go. */
static void early_target_b(struct kmd_call *call, const osip_message_t *resp)
{
	struct leg *b = &call->leg[KMD_SIDE_B];
	osip_contact_t *contact = osip_list_get(&resp->contacts, 0);
	union kmd_addr a;
	char *t;

	if (!contact || !contact->url || !(t = uri_str(contact->url)))
		return;
	free(b->target);
	b->target = t;
	if (!uri_addr(contact->url, &b->peer, &a))
		b->peer = a;
}

static void send_ack_b(struct kmd_call *call)
{
	union kmd_addr dst;
	osip_message_t *ack;

	if (call->ack_b) {
		kmd_sip_send(&call->leg[KMD_SIDE_B].peer, call->ack_b,
			     call->ack_b_len);
		return;
	}
	ack = leg_request(call, KMD_SIDE_B, "ACK", 1, &dst);
	if (!ack)
		return;
	osip_message_set_content_length(ack, "0");
	kmd_sip_send_msg(ack, &dst, &call->ack_b, &call->ack_b_len);
	osip_message_free(ack);
}

/* B's answer (18x or 2xx) with SDP: rewrite it for A, program the kernel. */
static int answer_sdp(struct kmd_call *call, const osip_message_t *resp,
		      char **out)
{
	const char *sdp = kmd_sip_sdp_body(resp);
	int err;

	*out = NULL;
	if (!sdp || !call->media)
		return 0;
	err = kmd_sdp_rewrite(call->media, KMD_SIDE_B, false, sdp, out);
	if (err) {
		kmd_warn(call->log_id, "unusable SDP answer from leg B: %s",
			 strerror(-err));
		return err;
	}
	err = kmd_media_program(call->media);
	if (!err)
		kmd_info(call->log_id, "media in the kernel, cookie %016" PRIx64,
			 call->cookie);
	return 0;
}

/* The dialog with B is established: its tag, Contact and Record-Route. */
static void leg_b_dialog(struct kmd_call *call, const osip_message_t *resp)
{
	struct leg *b = &call->leg[KMD_SIDE_B];
	osip_contact_t *contact = osip_list_get(&resp->contacts, 0);
	osip_record_route_t *rr;
	const char *tag = tag_of(resp->to);
	union kmd_addr a;
	int i, n;

	if (tag)
		set_tag(b->remote, tag);
	if (contact && contact->url) {
		char *t = uri_str(contact->url);

		if (t) {
			free(b->target);
			b->target = t;
		}
		if (!uri_addr(contact->url, &b->peer, &a))
			b->peer = a;
	}
	/* the UAC's route set is the Record-Route list reversed (12.1.2) */
	n = osip_list_size(&resp->record_routes);
	for (i = n - 1; i >= 0; i--) {
		osip_route_t *r;

		rr = osip_list_get(&resp->record_routes, i);
		if (!osip_record_route_clone(rr, (osip_record_route_t **)&r))
			osip_list_add(&b->routes, r, -1);
	}
}

/*
 * Late offer (RFC 3261 13.2.1, 14.2): A's INVITE had no SDP, so leg B's
 * INVITE has none either; B's 2xx carries the offer, rewritten for A, and
 * A's ACK the answer, rewritten for B's ACK, which waits for it. The
 * kernel streams are programmed at A's ACK.
 */
static void late_offer_answered(struct kmd_call *call,
				const osip_message_t *resp)
{
	const char *body = kmd_sip_sdp_body(resp);
	char *sdp = NULL;
	int err;

	if (call->leg[KMD_SIDE_B].confirmed) {
		/* a retransmitted 2xx: our ACK again once A's answer came */
		if (!call->late_ack_pending && call->ack_b)
			send_ack_b(call);
		return;
	}
	call->leg[KMD_SIDE_B].confirmed = true;
	leg_b_dialog(call, resp);
	err = body ? kmd_sdp_rewrite(call->media, KMD_SIDE_B, true, body, &sdp) :
		-EINVAL;
	if (err) {
		kmd_warn(call->log_id, "late offer: 2xx from leg B without a "
			 "usable SDP offer: %s", strerror(-err));
		send_ack_b(call);
		end_call(call, -1, 488, "Not Acceptable Here");
		return;
	}
	call->late_ack_pending = true;
	relay_to_a(call, resp, sdp, 0);
	free(sdp);
	call->leg[KMD_SIDE_A].confirmed = true;
	call->state = CALL_CONFIRMED;
	calls_answered++;
	kmd_info(call->log_id, "answered (%d) with the offer, waiting for the "
		 "answer in the ACK", resp->status_code);
}

/* A's ACK of a late-offer 2xx: the answer, for B's ACK and the kernel. */
static void late_offer_ack(struct kmd_call *call, const osip_message_t *ack)
{
	const char *body = kmd_sip_sdp_body(ack);
	union kmd_addr dst;
	osip_message_t *out;
	char *sdp = NULL;
	int err = -EINVAL;

	call->late_ack_pending = false;
	if (body)
		err = kmd_sdp_rewrite(call->media, KMD_SIDE_A, false, body, &sdp);
	out = leg_request(call, KMD_SIDE_B, "ACK", 1, &dst);
	if (out) {
		kmd_sip_set_body(out, "application/sdp", sdp);
		kmd_sip_send_msg(out, &dst, &call->ack_b, &call->ack_b_len);
		osip_message_free(out);
	}
	free(sdp);
	if (err) {
		kmd_warn(call->log_id, "late offer: ACK from leg A without a "
			 "usable SDP answer, ending the call");
		end_call(call, -1, 488, "Not Acceptable Here");
		return;
	}
	if (!kmd_media_program(call->media))
		kmd_info(call->log_id, "media in the kernel, cookie %016" PRIx64,
			 call->cookie);
}

/*
 * Late offer with 100rel (RFC 3262 section 5): B's first reliable 18x with
 * SDP is the offer, rewritten for A like any offer (relay ports, SDES keys
 * of ours); A's PRACK of it brings the answer (early_offer_prack()). The
 * same SDP in later 18x or in the 2xx is no new offer: A gets the rewritten
 * offer again. 0, or -errno when the offer is unusable.
 */
static int early_offer(struct kmd_call *call, const osip_message_t *resp,
		       uint32_t rseq, char **out)
{
	const char *body = kmd_sip_sdp_body(resp);
	int err;

	*out = NULL;
	if (!body || !call->media)
		return 0;
	if (call->early_offer_a) {
		*out = strdup(call->early_offer_a);
		return *out ? 0 : -ENOMEM;
	}
	err = kmd_sdp_rewrite(call->media, KMD_SIDE_B, true, body, out);
	if (!err && !(call->early_offer_a = strdup(*out)))
		err = -ENOMEM;
	if (err) {
		kmd_warn(call->log_id, "late offer: unusable SDP offer in the "
			 "reliable %d from leg B: %s", resp->status_code,
			 strerror(-err));
		free(*out);
		*out = NULL;
		return err;
	}
	call->early_rseq = rseq;
	kmd_info(call->log_id, "offer in the reliable %d (RSeq %u), waiting "
		 "for the answer in the PRACK", resp->status_code, rseq);
	return 0;
}

static void invite_response(struct kmd_ctx *ctx, osip_message_t *resp)
{
	struct kmd_call *call = ctx->call;
	int code = resp->status_code;
	char *sdp = NULL;

	if (call->cancelled) {
		if (code > 100 && code < 200 && call->cancel_pending) {
			call->cancel_pending = false;
			send_cancel(call);
		} else if (code >= 200 && code < 300) {
			/* answered while being cancelled: hang up at once */
			call->leg[KMD_SIDE_B].confirmed = true;
			leg_b_dialog(call, resp);
			send_ack_b(call);
			send_bye(call, KMD_SIDE_B);
		} else if (code >= 300 && !call->byes_pending) {
			call_free(call);
		}
		return;
	}
	if (call->state == CALL_ENDING)
		return;
	if (code == 100)
		return;
	if (code < 200) {
		const char *tag = tag_of(resp->to);
		uint32_t rseq = has_option(resp, "require", "100rel") ?
			header_u32(resp, "rseq") : 0;
		struct kmd_stx *stx = call->invite_stx;

		if (tag)
			set_tag(call->leg[KMD_SIDE_B].remote, tag);
		if (rseq && rseq <= call->rseq_b) {
			/* B repeats it until the PRACK: so do we toward A */
			if (call->rel_a && stx && stx->last)
				kmd_sip_send(&stx->peer, stx->last, stx->last_len);
			return;
		}
		if (rseq) {
			call->rseq_b = rseq;
			early_target_b(call, resp);
			if (!call->rel_a)
				prack_b(call, ctx, rseq);
		}
		/* late offer: an unreliable 18x cannot carry the offer, a
		 * reliable one toward a caller doing 100rel can
		 */
		if (call->late ? rseq && call->rel_a &&
			early_offer(call, resp, rseq, &sdp) :
		    answer_sdp(call, resp, &sdp)) {
			end_call(call, -1, 488, "Not Acceptable Here");
			return;
		}
		if (tag)
			call->state = CALL_EARLY;
		relay_to_a(call, resp, sdp, call->rel_a ? rseq : 0);
		free(sdp);
		return;
	}
	if (code < 300 && call->late && !call->early_offer_a) {
		late_offer_answered(call, resp);
		return;
	}
	if (code < 300) {
		if (call->leg[KMD_SIDE_B].confirmed) {
			send_ack_b(call);	/* a retransmitted 2xx */
			return;
		}
		call->leg[KMD_SIDE_B].confirmed = true;
		leg_b_dialog(call, resp);
		send_ack_b(call);
		if (call->early_offer_a) {
			/* after an offer in a reliable 18x: the same SDP again,
			 * no new offer; the PRACK's answer programmed the media
			 */
			if (kmd_sip_sdp_body(resp))
				sdp = strdup(call->early_offer_a);
			if (!call->early_answered)
				kmd_warn(call->log_id, "2xx from leg B before the "
					 "PRACK with the answer");
		} else if (answer_sdp(call, resp, &sdp) ||
			   (!sdp && !call->media->m[0].programmed)) {
			kmd_warn(call->log_id, "2xx from leg B without a usable "
				 "SDP answer");
			end_call(call, -1, 488, "Not Acceptable Here");
			return;
		}
		relay_to_a(call, resp, sdp, 0);
		free(sdp);
		call->leg[KMD_SIDE_A].confirmed = true;
		call->state = CALL_CONFIRMED;
		calls_answered++;
		kmd_info(call->log_id, "answered (%d)", code);
		return;
	}
	kmd_info(call->log_id, "leg B refused: %d %s", code,
		 resp->reason_phrase ?: "");
	calls_failed++;
	/* 3xx too: contacts of B mean nothing to A through a B2BUA */
	relay_to_a(call, resp, NULL, 0);
	call->state = CALL_ENDING;
	call_free(call);
}

static void invite_timeout(struct kmd_ctx *ctx)
{
	struct kmd_call *call = ctx->call;

	kmd_warn(call->log_id, "leg B never answered the INVITE");
	calls_failed++;
	if (call->cancelled) {
		if (!call->byes_pending)
			call_free(call);
		return;
	}
	end_call(call, KMD_SIDE_B, 408, "Request Timeout");
}

/* ---- requests from either side ---- */

/* max_cps: new calls counted per wall-clock second */
static bool cps_exceeded(void)
{
	static uint64_t second;
	static unsigned int count;
	uint64_t now = kmd_now_ms() / 1000;

	if (!cfg->max_cps)
		return false;
	if (now != second) {
		second = now;
		count = 0;
	}
	return ++count > cfg->max_cps;
}

struct relay {
	struct kmd_stx *stx;
	osip_message_t *req;	/* as received, for the response */
	int from;
	bool sdp, done;
};

static void relay_free(void *data)
{
	struct relay *r = data;

	osip_message_free(r->req);
	free(r);
}

/* Max-Forwards of a request relayed: one less than it came with. */
static void max_forwards(osip_message_t *out, const osip_message_t *req)
{
	osip_header_t *mf = NULL, *h = NULL;
	char buf[24];

	osip_message_get_max_forwards(req, 0, &mf);
	if (!mf || !mf->hvalue)
		return;
	snprintf(buf, sizeof(buf), "%ld", strtol(mf->hvalue, NULL, 10) - 1);
	osip_message_get_max_forwards(out, 0, &h);
	if (h) {
		osip_free(h->hvalue);
		h->hvalue = osip_strdup(buf);
	}
}

/* A body other than SDP crosses untouched, with its type. */
static void copy_body(osip_message_t *out, const osip_message_t *req)
{
	osip_body_t *body = osip_list_get(&req->bodies, 0);
	char *ct = NULL;

	if (body && body->body && req->content_type &&
	    !osip_content_type_to_str(req->content_type, &ct) && ct) {
		kmd_sip_set_body(out, ct, body->body);
		osip_free(ct);
	} else {
		osip_message_set_content_length(out, "0");
	}
}

static void ood_response(struct kmd_ctx *ctx, osip_message_t *resp);
static void ood_timeout(struct kmd_ctx *ctx);
static void copy_header(osip_message_t *to, const osip_message_t *from,
			const char *name);

/* How long a subscription's dialogs live without a refresh: its Expires
 * (default one hour, RFC 6665 leaves it to the event package) and 32 s.
 */
static void sub_expiry(struct kmd_call *call, const osip_message_t *msg)
{
	osip_header_t *h = NULL;
	unsigned long expires = 3600;

	osip_message_get_expires(msg, 0, &h);
	if (h && h->hvalue)
		expires = strtoul(h->hvalue, NULL, 10);
	kmd_timer_arm(&call->linger, expires * 1000 + CALL_LINGER_MS);
}

/*
 * SUBSCRIBE and MESSAGE outside a dialog are routed like an INVITE
 * (registered user, then static routes) as a call without media. MESSAGE
 * is one transaction; SUBSCRIBE makes a dialog on each leg in which NOTIFY
 * and refreshing SUBSCRIBEs cross like in-dialog requests of a call. The
 * call goes when the subscription expires or a NOTIFY ends it.
 */
static void ood_start(struct kmd_call *call, osip_message_t *req,
		      struct kmd_stx *stx, const union kmd_addr *src)
{
	static const char *const carried[] = { "Event", "Expires", "Accept" };
	struct leg *b = &call->leg[KMD_SIDE_B];
	char s1[KMD_ADDRSTRLEN], s2[KMD_ADDRSTRLEN];
	struct relay *r;
	union kmd_addr dst;
	osip_message_t *out;
	struct kmd_ctx *ctx;
	size_t k;

	call->no_media = true;
	call->subscription = MSG_IS_SUBSCRIBE(req);
	out = leg_request(call, KMD_SIDE_B, req->sip_method, ++b->cseq, &dst);
	r = calloc(1, sizeof(*r));
	if (!out || !r || osip_message_clone(req, &r->req)) {
		if (out)
			osip_message_free(out);
		free(r);
		kmd_stx_reply(stx, req, 500, "Server Internal Error", NULL);
		call_free(call);
		return;
	}
	r->stx = stx;
	max_forwards(out, req);
	if (call->subscription)
		set_contact(out, &dst);
	for (k = 0; k < sizeof(carried) / sizeof(carried[0]); k++)
		copy_header(out, req, carried[k]);
	copy_body(out, req);
	ctx = call_ctx_send(call, out, &dst, KMD_SIDE_B, ood_response,
			    ood_timeout);
	if (!ctx) {
		relay_free(r);
		kmd_stx_reply(stx, req, 500, "Server Internal Error", NULL);
		call_free(call);
		return;
	}
	ctx->data = r;
	ctx->data_free = relay_free;
	if (call->subscription)
		sub_expiry(call, req);
	else
		kmd_timer_arm(&call->linger, 2 * CALL_LINGER_MS);
	kmd_info(call->log_id, "%s %s from %s routed to %s as leg B %s",
		 req->sip_method, b->target, kmd_addr_str(src, s1, sizeof(s1)),
		 kmd_addr_str(&dst, s2, sizeof(s2)), b->call_id);
}

static void new_call(osip_message_t *req, struct kmd_stx *stx,
		     const union kmd_addr *src)
{
	const char *host = req->req_uri->host, *user = req->req_uri->username;
	const struct kmd_route *route;
	const char *sdp = kmd_sip_sdp_body(req), *reg_contact;
	union kmd_addr reg_addr;
	char tag[17], id[33], lhost[INET6_ADDRSTRLEN + 2], buf[128];
	char *sdp_b = NULL, *cid;
	struct kmd_call *call;
	struct leg *a, *b;
	osip_message_t *inv;
	osip_contact_t *contact;
	osip_record_route_t *rr;
	union kmd_addr dst;
	int i, err;

	cid = call_id_str(req->call_id);
	if (!cid)
		return;
	if (n_calls >= cfg->max_calls) {
		kmd_warn(cid, "call limit (%u) reached", cfg->max_calls);
		free(cid);
		kmd_stx_reply(stx, req, 503, "Too Many Calls", NULL);
		return;
	}
	if (cps_exceeded()) {
		kmd_warn(cid, "call rate limit (%u/s) reached", cfg->max_cps);
		free(cid);
		kmd_stx_reply(stx, req, 503, "Call Rate Too High", NULL);
		return;
	}
	/* a registered user first, then the static routes */
	reg_contact = kmd_reg_lookup(user, &reg_addr);
	route = reg_contact ? NULL : kmd_route_lookup(cfg, user, host);
	if (!route && !reg_contact) {
		kmd_info(cid, "no route for %s@%s", user ?: "", host ?: "");
		free(cid);
		kmd_stx_reply(stx, req, 404, "No Route", NULL);
		return;
	}

	call = calloc(1, sizeof(*call));
	if (!call) {
		free(cid);
		kmd_stx_reply(stx, req, 500, "Out Of Memory", NULL);
		return;
	}
	n_calls++;
	calls_total++;
	call->log_id = cid;
	kmd_list_init(&call->ctxs);
	kmd_timer_init(&call->linger, call_linger_done);
	osip_list_init(&call->leg[0].routes);
	osip_list_init(&call->leg[1].routes);
	call->cookie = kmd_random_u64();
	snprintf(call->cookie_key, sizeof(call->cookie_key), "c%016" PRIx64,
		 call->cookie);

	/* leg A: the caller's dialog, we are its UAS */
	a = &call->leg[KMD_SIDE_A];
	a->call_id = strdup(cid);
	a->peer = *src;
	kmd_random_hex(tag, 8);
	if (osip_message_clone(req, &call->invite) ||
	    osip_to_clone(req->to, &a->local) ||
	    osip_from_clone(req->from, &a->remote))
		goto fail500;
	set_tag(a->local, tag);
	contact = osip_list_get(&req->contacts, 0);
	a->target = uri_str(contact && contact->url ? contact->url :
			    req->from->url);
	for (i = 0; (rr = osip_list_get(&req->record_routes, i)); i++) {
		osip_route_t *r;

		if (!osip_record_route_clone(rr, (osip_record_route_t **)&r))
			osip_list_add(&a->routes, r, -1);
	}
	/* leg B: ours, toward the route's next hop */
	b = &call->leg[KMD_SIDE_B];
	b->peer = reg_contact ? reg_addr : route->hop;
	if (kmd_sip_local_host(&b->peer, lhost, sizeof(lhost)))
		goto fail500;
	kmd_random_hex(id, 16);
	snprintf(buf, sizeof(buf), "%s@%s", id, lhost);
	b->call_id = strdup(buf);
	kmd_random_hex(tag, 8);
	if (osip_from_clone(req->from, &b->local) ||
	    osip_to_clone(req->to, &b->remote))
		goto fail500;
	osip_uri_param_freelist(&b->local->gen_params);
	osip_uri_param_freelist(&b->remote->gen_params);
	set_tag(b->local, tag);
	b->target = reg_contact ? strdup(reg_contact) : uri_str(req->req_uri);
	if (!a->call_id || !b->call_id || !a->target || !b->target)
		goto fail500;
	if (kmd_map_put(calls, a->call_id, call) ||
	    kmd_map_put(calls, b->call_id, call) ||
	    kmd_map_put(calls, call->cookie_key, call))
		goto fail500;
	if (!MSG_IS_INVITE(req)) {
		ood_start(call, req, stx, src);
		return;
	}
	call->invite_stx = stx;
	stx->call = call;

	call->media = kmd_media_new(call->cookie, call->log_id, &a->peer,
				    &b->peer);
	if (!call->media)
		goto fail500;
	call->late = !sdp;
	call->rel_a = has_option(req, "supported", "100rel") ||
		      has_option(req, "require", "100rel");
	err = sdp ? kmd_sdp_rewrite(call->media, KMD_SIDE_A, true, sdp, &sdp_b) : 0;
	if (err) {
		kmd_warn(cid, "SDP offer: %s", strerror(-err));
		if (err == -EINVAL)
			kmd_stx_reply(stx, req, 400, "Malformed SDP", tag);
		else
			kmd_stx_reply(stx, req, err == -ENOSPC ? 503 : 488,
				      err == -ENOSPC ? "No Relay Ports Free" :
				      "Not Acceptable Here", tag);
		calls_failed++;
		call_free(call);
		return;
	}
	kmd_stx_reply(stx, req, 100, "Trying", NULL);

	inv = leg_request(call, KMD_SIDE_B, "INVITE", ++b->cseq, &dst);
	if (!inv)
		goto fail500;
	max_forwards(inv, req);
	set_contact(inv, &dst);
	osip_message_set_allow(inv, KMD_ALLOW);
	/* we PRACK B ourselves when A cannot */
	osip_message_set_header(inv, "Supported", "100rel");
	if (has_option(req, "require", "100rel"))
		osip_message_set_header(inv, "Require", "100rel");
	kmd_sip_set_body(inv, "application/sdp", sdp_b);
	free(sdp_b);
	sdp_b = NULL;
	call->invite_ctx = call_ctx_send(call, inv, &dst, KMD_SIDE_B,
					 invite_response, invite_timeout);
	if (!call->invite_ctx)
		goto fail500;
	{
		char s1[KMD_ADDRSTRLEN], s2[KMD_ADDRSTRLEN];

		kmd_info(cid, "INVITE %s from %s routed to %s as leg B %s, "
			 "media cookie %016" PRIx64, b->target,
			 kmd_addr_str(src, s1, sizeof(s1)),
			 kmd_addr_str(&dst, s2, sizeof(s2)), b->call_id,
			 call->cookie);
	}
	return;

fail500:
	free(sdp_b);
	kmd_err(cid, "cannot set up the call");
	kmd_stx_reply(stx, req, 500, "Server Internal Error", tag);
	calls_failed++;
	call_free(call);
}

static bool tags_match(const struct kmd_call *call, int l,
		       const osip_message_t *req)
{
	const char *ours = tag_of(call->leg[l].local);
	const char *to = tag_of(req->to);

	return ours && to && !strcmp(ours, to);
}

static void handle_bye(struct kmd_call *call, int l, osip_message_t *req,
		       struct kmd_stx *stx)
{
	kmd_stx_reply(stx, req, 200, "OK", NULL);
	kmd_info(call->log_id, "BYE from leg %c", 'A' + l);
	end_call(call, l, 487, "Request Terminated");
}

/*
 * In-dialog requests other than BYE cross to the other leg as new requests
 * of that dialog: re-INVITE and UPDATE with their SDP rewritten (hold,
 * resume, new address or port: the answer changes the kernel streams in
 * place), INFO, NOTIFY, MESSAGE, REFER with their body and the headers
 * that give it meaning. The answer comes back to the sender as the same
 * status.
 */

static void relay_response(struct kmd_ctx *ctx, osip_message_t *resp)
{
	struct kmd_call *call = ctx->call;
	struct relay *r = ctx->data;
	int code = resp->status_code, o = ctx->leg;
	bool invite = !strcmp(r->req->sip_method, "INVITE");
	const char *body = kmd_sip_sdp_body(resp);
	char *sdp = NULL;
	osip_message_t *out;

	if (code == 100)
		return;
	if (invite && code >= 200 && code < 300) {
		union kmd_addr dst;
		osip_message_t *ack;

		ack = leg_request(call, o, "ACK", strtoul(resp->cseq->number, NULL, 10),
				  &dst);
		if (ack) {
			osip_message_set_content_length(ack, "0");
			kmd_sip_send_msg(ack, &dst, NULL, NULL);
			osip_message_free(ack);
		}
	}
	if (r->done)
		return;		/* a retransmitted 2xx: ACKed again above */
	if (r->sdp && body && call->media && call->state != CALL_ENDING) {
		if (kmd_sdp_rewrite(call->media, o, false, body, &sdp))
			kmd_warn(call->log_id, "unusable SDP answer in %d from leg %c",
				 code, 'A' + o);
		else if (!kmd_media_program(call->media))
			kmd_info(call->log_id, "media updated by %s (cookie %016"
				 PRIx64 ")", r->req->sip_method, call->cookie);
	}
	out = kmd_sip_response(r->req, code, resp->reason_phrase ?: "Unknown",
			       NULL);
	if (out) {
		if (invite && code < 300)
			set_contact(out, &call->leg[r->from].peer);
		if (sdp)
			kmd_sip_set_body(out, "application/sdp", sdp);
		kmd_stx_respond(r->stx, out);
	}
	free(sdp);
	if (code >= 200) {
		r->done = true;
		kmd_info(call->log_id, "%s from leg %c answered %d",
			 r->req->sip_method, 'A' + r->from, code);
	}
}

static void relay_timeout(struct kmd_ctx *ctx)
{
	struct relay *r = ctx->data;

	if (!r->done)
		kmd_stx_reply(r->stx, r->req, 408, "Request Timeout", NULL);
	r->done = true;
}

/* The answer to a routed SUBSCRIBE or MESSAGE, back to A. */
static void ood_response(struct kmd_ctx *ctx, osip_message_t *resp)
{
	struct kmd_call *call = ctx->call;
	struct relay *r = ctx->data;
	int code = resp->status_code;
	osip_message_t *out;

	if (code == 100 || r->done)
		return;
	if (call->subscription && code >= 200 && code < 300 &&
	    !call->leg[KMD_SIDE_B].confirmed) {
		leg_b_dialog(call, resp);
		call->leg[KMD_SIDE_A].confirmed = true;
		call->leg[KMD_SIDE_B].confirmed = true;
		call->state = CALL_CONFIRMED;
	}
	out = kmd_sip_response(r->req, code, resp->reason_phrase ?: "Unknown",
			       tag_of(call->leg[KMD_SIDE_A].local));
	if (out) {
		if (call->subscription && code >= 200 && code < 300) {
			set_contact(out, &call->leg[KMD_SIDE_A].peer);
			copy_header(out, resp, "Expires");
		}
		kmd_stx_respond(r->stx, out);
	}
	if (code < 200)
		return;
	r->done = true;
	kmd_info(call->log_id, "%s answered %d", r->req->sip_method, code);
	if (code < 300 && call->subscription)
		sub_expiry(call, resp);
	else if (!call->leg[KMD_SIDE_B].confirmed)
		call_free(call);	/* MESSAGE done, or no subscription */
}

static void ood_timeout(struct kmd_ctx *ctx)
{
	struct kmd_call *call = ctx->call;
	struct relay *r = ctx->data;

	if (!r->done)
		kmd_stx_reply(r->stx, r->req, 408, "Request Timeout",
			      tag_of(call->leg[KMD_SIDE_A].local));
	r->done = true;
	if (!call->leg[KMD_SIDE_B].confirmed)
		call_free(call);
}

static void copy_header(osip_message_t *to, const osip_message_t *from,
			const char *name)
{
	osip_header_t *h = NULL;
	int pos = 0;

	while ((pos = osip_message_header_get_byname(from, name, pos, &h)) >= 0 &&
	       h) {
		osip_message_set_header(to, name, h->hvalue);
		pos++;
	}
}

/*
 * A's PRACK of the reliable 18x with B's offer: its SDP is the answer,
 * rewritten for B's PRACK; the kernel streams are programmed now, before
 * the 2xx. Without a usable answer the PRACK is refused and the call ends.
 * 0, or -1 when the PRACK was answered here.
 */
static int early_offer_prack(struct kmd_call *call, const osip_message_t *req,
			     struct kmd_stx *stx, char **out)
{
	const char *body = kmd_sip_sdp_body(req);
	int err = body ? kmd_sdp_rewrite(call->media, KMD_SIDE_A, false, body,
					 out) : -ENOMSG;

	if (err) {
		kmd_warn(call->log_id, "late offer: PRACK from leg A without a "
			 "usable SDP answer (%s), ending the call",
			 body ? strerror(-err) : "no SDP");
		kmd_stx_reply(stx, req, 488, "Not Acceptable Here", NULL);
		end_call(call, -1, 488, "Not Acceptable Here");
		return -1;
	}
	call->early_answered = true;
	kmd_info(call->log_id, "answer in the PRACK");
	if (!kmd_media_program(call->media))
		kmd_info(call->log_id, "media in the kernel, cookie %016" PRIx64,
			 call->cookie);
	return 0;
}

static void relay_in_dialog(struct kmd_call *call, int l, osip_message_t *req,
			    struct kmd_stx *stx)
{
	static const char *const carried[] = {
		"Event", "Subscription-State", "Refer-To", "Referred-By",
		"Info-Package", "Recv-Info", "Expires",
	};
	int o = !l;
	bool invite = MSG_IS_INVITE(req), sdp_method = invite || MSG_IS_UPDATE(req);
	const char *sdp = kmd_sip_sdp_body(req);
	char *sdp_out = NULL, rack_b[64] = "";
	osip_message_t *out;
	union kmd_addr dst;
	struct kmd_ctx *ctx;
	struct relay *r;
	size_t k;

	if (call->subscription && MSG_IS_NOTIFY(req) && l == KMD_SIDE_B &&
	    !call->leg[KMD_SIDE_B].confirmed && call->state != CALL_ENDING) {
		/* a NOTIFY may come before the SUBSCRIBE's 2xx (RFC 6665
		 * 4.1.2.4): it makes the dialog on both legs
		 */
		const char *t = tag_of(req->from);

		if (t)
			set_tag(call->leg[KMD_SIDE_B].remote, t);
		early_target_b(call, req);
		call->leg[KMD_SIDE_A].confirmed = true;
		call->leg[KMD_SIDE_B].confirmed = true;
		call->state = CALL_CONFIRMED;
	}
	if (call->no_media && sdp_method) {
		kmd_stx_reply(stx, req, 405, "Not In A Subscription", NULL);
		return;
	}
	if (MSG_IS_PRACK(req)) {
		/* A's PRACK of a reliable 18x relayed from B: into B's early
		 * dialog, RAck naming B's INVITE (RSeq crosses unchanged)
		 */
		osip_header_t *rack = NULL;
		unsigned long rseq;

		osip_message_header_get_byname(req, "rack", 0, &rack);
		rseq = rack && rack->hvalue ? strtoul(rack->hvalue, NULL, 10) : 0;
		if (l != KMD_SIDE_A || !call->rel_a || !rseq ||
		    rseq > call->rseq_b || !tag_of(call->leg[o].remote) ||
		    call->state == CALL_ENDING) {
			kmd_stx_reply(stx, req, 481, "No Such Reliable Response",
				      NULL);
			return;
		}
		snprintf(rack_b, sizeof(rack_b), "%lu %s INVITE", rseq,
			 call->invite_ctx ? call->invite_ctx->req->cseq->number :
			 "1");
		if (call->early_offer_a && rseq == call->early_rseq &&
		    !call->early_answered &&
		    early_offer_prack(call, req, stx, &sdp_out))
			return;
	} else if (call->state != CALL_CONFIRMED || !call->leg[o].confirmed) {
		kmd_stx_reply(stx, req, invite ? 491 : 403, invite ?
			      "Request Pending" : "Dialog Not Confirmed", NULL);
		return;
	}
	if (invite && (call->reinvite_stx[0] || call->reinvite_stx[1]) &&
	    ((call->reinvite_stx[0] && call->reinvite_stx[0]->last_code < 200) ||
	     (call->reinvite_stx[1] && call->reinvite_stx[1]->last_code < 200))) {
		kmd_stx_reply(stx, req, 491, "Request Pending", NULL);
		return;
	}
	if (sdp_method && sdp) {
		int err = kmd_sdp_rewrite(call->media, l, true, sdp, &sdp_out);

		if (err) {
			kmd_stx_reply(stx, req, err == -EINVAL ? 400 : 488,
				      err == -EINVAL ? "Malformed SDP" :
				      "Not Acceptable Here", NULL);
			return;
		}
	}
	out = leg_request(call, o, req->sip_method, ++call->leg[o].cseq, &dst);
	r = calloc(1, sizeof(*r));
	if (!out || !r || osip_message_clone(req, &r->req)) {
		if (out)
			osip_message_free(out);
		free(r);
		free(sdp_out);
		kmd_stx_reply(stx, req, 500, "Server Internal Error", NULL);
		return;
	}
	if (sdp_method)
		set_contact(out, &dst);
	for (k = 0; k < sizeof(carried) / sizeof(carried[0]); k++)
		copy_header(out, req, carried[k]);
	if (rack_b[0])
		osip_message_set_header(out, "RAck", rack_b);
	if (rack_b[0] && !sdp_out) {
		/* a PRACK's body means nothing but the answer to an offer in
		 * a reliable 18x (early_offer_prack())
		 */
		osip_message_set_content_length(out, "0");
	} else if (sdp_out) {
		kmd_sip_set_body(out, "application/sdp", sdp_out);
	} else {
		copy_body(out, req);
	}
	free(sdp_out);
	r->stx = stx;
	r->from = l;
	r->sdp = sdp_method;
	ctx = call_ctx_send(call, out, &dst, o, relay_response, relay_timeout);
	if (!ctx) {
		relay_free(r);
		kmd_stx_reply(stx, req, 500, "Server Internal Error", NULL);
		return;
	}
	ctx->data = r;
	ctx->data_free = relay_free;
	if (invite) {
		call->reinvite_stx[l] = stx;
		stx->call = call;
	}
	if (call->subscription && MSG_IS_SUBSCRIBE(req)) {
		sub_expiry(call, req);
	} else if (call->subscription && MSG_IS_NOTIFY(req)) {
		osip_header_t *st = NULL;

		osip_message_header_get_byname(req, "subscription-state", 0, &st);
		if (st && st->hvalue && !strncasecmp(st->hvalue, "terminated", 10))
			kmd_timer_arm(&call->linger, CALL_LINGER_MS);
	}
	kmd_info(call->log_id, "%s from leg %c relayed to leg %c",
		 req->sip_method, 'A' + l, 'A' + o);
}

static void handle_cancel(osip_message_t *req, const union kmd_addr *src)
{
	osip_message_t probe;
	struct kmd_stx *stx, *inv_stx;
	struct kmd_call *call;

	stx = kmd_stx_find(req);
	if (stx) {
		kmd_stx_retransmitted(stx, src);
		return;
	}
	stx = kmd_stx_new(req, src);
	if (!stx)
		return;
	/* the INVITE transaction has the same branch */
	probe = *req;
	probe.sip_method = "INVITE";
	inv_stx = kmd_stx_find(&probe);
	if (!inv_stx) {
		kmd_stx_reply(stx, req, 481, "Call/Transaction Does Not Exist",
			      NULL);
		return;
	}
	kmd_stx_reply(stx, req, 200, "OK", NULL);
	call = inv_stx->call;
	/* a re-INVITE runs to its end: only a call's first INVITE is cancelled */
	if (!call || call->invite_stx != inv_stx || inv_stx->last_code >= 200)
		return;
	kmd_info(call->log_id, "CANCEL from leg A");
	calls_failed++;
	kmd_stx_reply(inv_stx, call->invite, 487, "Request Terminated",
		      tag_of(call->leg[KMD_SIDE_A].local));
	end_call(call, KMD_SIDE_A, 487, "Request Terminated");
}

static void handle_ack(osip_message_t *req)
{
	struct kmd_call *call;
	int l;

	if (kmd_stx_ack(req))
		return;		/* ACK of a non-2xx final response */
	call = find_call(req, &l);
	if (!call || !tags_match(call, l, req))
		return;
	if (l == KMD_SIDE_A && call->invite_stx)
		kmd_stx_acked(call->invite_stx);
	if (l == KMD_SIDE_A && call->late_ack_pending &&
	    call->state == CALL_CONFIRMED)
		late_offer_ack(call, req);
	if (call->reinvite_stx[l])
		kmd_stx_acked(call->reinvite_stx[l]);
}

static void reply_options(osip_message_t *req, struct kmd_stx *stx)
{
	osip_message_t *r = kmd_sip_response(req, 200, "OK", NULL);
	char tag[17];

	if (!r)
		return;
	if (!tag_of(r->to)) {
		kmd_random_hex(tag, 8);
		osip_to_set_tag(r->to, osip_strdup(tag));
	}
	osip_message_set_allow(r, KMD_ALLOW);
	osip_message_set_accept(r, "application/sdp");
	osip_message_set_content_length(r, "0");
	kmd_stx_respond(stx, r);
}

static bool known_method(const char *m)
{
	static const char *const known[] = {
		"SUBSCRIBE", "NOTIFY", "MESSAGE", "INFO", "UPDATE",
		"PRACK", "REFER", "PUBLISH",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return true;
	return false;
}

static void reply_not_allowed(osip_message_t *req, struct kmd_stx *stx)
{
	osip_message_t *r;

	if (!known_method(req->sip_method)) {
		kmd_stx_reply(stx, req, 501, "Not Implemented", NULL);
		return;
	}
	r = kmd_sip_response(req, 405, "Method Not Allowed", NULL);
	if (!r)
		return;
	osip_message_set_allow(r, KMD_ALLOW);
	kmd_stx_respond(stx, r);
}

/* A parsed request fit for processing, or why not (a 400 reason). */
static const char *request_problem(const osip_message_t *req, int *code)
{
	osip_header_t *mf = NULL;
	char *end;

	*code = 400;
	if (!req->sip_method || !req->req_uri || !req->sip_version)
		return "Bad Request-Line";
	if (strcmp(req->sip_version, "SIP/2.0")) {
		*code = 505;
		return "Version Not Supported";
	}
	if (!osip_list_get(&req->vias, 0))
		return "Missing Via";
	if (!req->from || !req->from->url)
		return "Missing Or Bad From";
	if (!req->to || !req->to->url)
		return "Missing Or Bad To";
	if (!req->call_id || !req->call_id->number)
		return "Missing Call-ID";
	if (!req->cseq || !req->cseq->number || !req->cseq->method)
		return "Missing CSeq";
	strtoul(req->cseq->number, &end, 10);
	if (!*req->cseq->number || *end)
		return "Bad CSeq Number";
	if (strcmp(req->cseq->method, req->sip_method))
		return "CSeq Method Mismatch";
	osip_message_get_max_forwards((osip_message_t *)req, 0, &mf);
	if (mf && (!mf->hvalue || !*mf->hvalue ||
		   (strtol(mf->hvalue, &end, 10), *end)))
		return "Bad Max-Forwards";
	if (!req->req_uri->scheme ||
	    (strcasecmp(req->req_uri->scheme, "sip") &&
	     strcasecmp(req->req_uri->scheme, "sips"))) {
		*code = 416;
		return "Unsupported URI Scheme";
	}
	if (!req->req_uri->host)
		return "Bad Request-URI";
	if ((MSG_IS_INVITE(req) || MSG_IS_SUBSCRIBE(req) || MSG_IS_MESSAGE(req)) &&
	    mf && !strtol(mf->hvalue, NULL, 10)) {
		*code = 483;
		return "Too Many Hops";
	}
	return NULL;
}

/* One of the request's Via headers is ours: our own request came back
 * (directly, or through proxies that keep the Via set).
 */
static bool our_via(const osip_message_t *req)
{
	osip_generic_param_t *b;
	osip_via_t *via;
	int i;

	for (i = 0; (via = osip_list_get(&req->vias, i)); i++) {
		b = NULL;
		osip_via_param_get_byname(via, "branch", &b);
		if (b && b->gvalue && !strncmp(b->gvalue, BRANCH_PREFIX,
						strlen(BRANCH_PREFIX)))
			return true;
	}
	return false;
}

static void handle_request(osip_message_t *req, const char *buf, size_t len,
			   const union kmd_addr *src)
{
	struct kmd_stx *stx;
	struct kmd_call *call;
	const char *why;
	int code, l;

	why = request_problem(req, &code);
	if (why) {
		char str[KMD_ADDRSTRLEN];

		kmd_info(NULL, "%d %s to a request from %s", code, why,
			 kmd_addr_str(src, str, sizeof(str)));
		kmd_sip_reject_raw(buf, len, src, code, why);
		return;
	}
	kmd_sip_fix_via(req, src);
	if (MSG_IS_ACK(req)) {
		handle_ack(req);
		return;
	}
	if (MSG_IS_CANCEL(req)) {
		handle_cancel(req, src);
		return;
	}
	stx = kmd_stx_find(req);
	if (stx) {
		/* a retransmission: the last response again, if any yet */
		kmd_stx_retransmitted(stx, src);
		return;
	}
	if (!kmd_sip_branch(req)) {
		kmd_sip_reject_raw(buf, len, src, 400, "Missing Via Branch");
		return;
	}
	stx = kmd_stx_new(req, src);
	if (!stx)
		return;

	if (tag_of(req->to)) {
		call = find_call(req, &l);
		if (!call || !tags_match(call, l, req)) {
			kmd_stx_reply(stx, req, 481,
				      "Call/Transaction Does Not Exist", NULL);
			return;
		}
		if (MSG_IS_BYE(req))
			handle_bye(call, l, req, stx);
		else if (MSG_IS_OPTIONS(req))
			reply_options(req, stx);
		else if (MSG_IS_INVITE(req) || MSG_IS_UPDATE(req) ||
			 MSG_IS_INFO(req) || MSG_IS_NOTIFY(req) ||
			 MSG_IS_MESSAGE(req) || MSG_IS_REFER(req) ||
			 MSG_IS_PRACK(req) || MSG_IS_SUBSCRIBE(req))
			relay_in_dialog(call, l, req, stx);
		else
			reply_not_allowed(req, stx);
		return;
	}
	if (MSG_IS_INVITE(req) || MSG_IS_SUBSCRIBE(req) || MSG_IS_MESSAGE(req)) {
		if (our_via(req)) {
			/* leg B of one of our calls came back to us */
			kmd_info(NULL, "%s %s came back through kmediad: 482",
				 req->sip_method, req->call_id->number);
			kmd_stx_reply(stx, req, 482, "Loop Detected", NULL);
			return;
		}
		if (find_call(req, &l)) {
			/* same Call-ID, new branch, no tag: a merged request */
			kmd_stx_reply(stx, req, 482, "Loop Detected", NULL);
			return;
		}
		new_call(req, stx, src);
	} else if (MSG_IS_OPTIONS(req)) {
		reply_options(req, stx);
	} else if (MSG_IS_REGISTER(req)) {
		kmd_reg_handle(req, stx, src);
	} else if (MSG_IS_BYE(req)) {
		kmd_stx_reply(stx, req, 481, "Call/Transaction Does Not Exist",
			      NULL);
	} else {
		reply_not_allowed(req, stx);
	}
}

static void handle_response(osip_message_t *resp)
{
	const char *branch = kmd_sip_branch(resp);
	struct kmd_ctx *ctx;
	osip_via_t *via;

	if (!branch || strncmp(branch, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) ||
	    !resp->cseq || !resp->to || !resp->call_id)
		return;		/* not a response to one of our requests */
	ctx = kmd_ctx_match(resp);
	if (!ctx)
		return;
	/* our Via goes; nothing is forwarded as is through a B2BUA */
	via = osip_list_get(&resp->vias, 0);
	osip_list_remove(&resp->vias, 0);
	osip_via_free(via);
	kmd_ctx_input(ctx, resp);
}

void kmd_call_input(const char *buf, size_t len, const union kmd_addr *src)
{
	osip_message_t *msg;

	if (osip_message_init(&msg))
		return;
	if (osip_message_parse(msg, buf, len)) {
		kmd_sip_reject_raw(buf, len, src, 400, "Malformed Message");
		osip_message_free(msg);
		return;
	}
	if (MSG_IS_RESPONSE(msg))
		handle_response(msg);
	else
		handle_request(msg, buf, len, src);
	osip_message_free(msg);
}

static struct kmd_call *call_by_cookie(uint64_t cookie)
{
	char key[24];

	snprintf(key, sizeof(key), "c%016" PRIx64, cookie);
	return kmd_map_get(calls, key);
}

void kmd_call_media_latched(uint64_t cookie, uint32_t id,
			    const union kmd_addr *src)
{
	struct kmd_call *call = call_by_cookie(cookie);

	if (call && call->media && call->state != CALL_ENDING)
		kmd_media_latched(call->media, id, src);
}

void kmd_call_media_idle(uint64_t cookie)
{
	struct kmd_call *call = call_by_cookie(cookie);

	if (!call || call->state == CALL_ENDING)
		return;
	kmd_info(call->log_id, "media timeout: no packet for %u s, ending the call",
		 cfg->idle_timeout);
	end_call(call, -1, 408, "Media Timeout");
}

struct call_vec {
	struct kmd_call **v;
	unsigned int n, max;
};

static void collect(void *value, void *data)
{
	struct call_vec *cv = data;
	unsigned int i;

	/* each call is in the map three times: keep one */
	for (i = 0; i < cv->n; i++)
		if (cv->v[i] == value)
			return;
	if (cv->n < cv->max)
		cv->v[cv->n++] = value;
}

void kmd_call_shutdown(void)
{
	struct call_vec cv = { .max = n_calls };
	unsigned int i;

	if (!n_calls)
		return;
	cv.v = calloc(cv.max, sizeof(*cv.v));
	if (!cv.v)
		return;
	/* collect first: ending a call may delete map entries */
	kmd_map_each(calls, collect, &cv);
	for (i = 0; i < cv.n; i++)
		if (cv.v[i]->state != CALL_ENDING)
			end_call(cv.v[i], -1, 503, "Service Unavailable");
	free(cv.v);
}
