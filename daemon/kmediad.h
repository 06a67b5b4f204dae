/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmediad: declarations shared by the daemon's files. Each file owns one
 * concern: main.c (options, signals, start-up), config.c (the ini file and
 * routes), log.c, loop.c (epoll and timers), util.c (addresses, IDs, maps),
 * sip.c (UDP transport and message helpers), tcp.c and tls.c (SIP over
 * TCP and TLS), txn.c (SIP transactions),
 * call.c (the back-to-back dialogs), sdp.c (offer/answer rewriting) and
 * media.c (relay ports and kernel streams).
 */
#ifndef KMEDIAD_H
#define KMEDIAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <syslog.h>

#include <osipparser2/osip_parser.h>

/* ---- log.c ---- */

void kmd_log_open(bool use_syslog, int max_level);
/* One line; call_id (may be NULL) is printed on every line of a call. */
void kmd_log(int level, const char *call_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define kmd_err(cid, ...)	kmd_log(LOG_ERR, cid, __VA_ARGS__)
#define kmd_warn(cid, ...)	kmd_log(LOG_WARNING, cid, __VA_ARGS__)
#define kmd_info(cid, ...)	kmd_log(LOG_INFO, cid, __VA_ARGS__)
#define kmd_dbg(cid, ...)	kmd_log(LOG_DEBUG, cid, __VA_ARGS__)

/* ---- util.c ---- */

struct kmd_list {
	struct kmd_list *next, *prev;
};

void kmd_list_init(struct kmd_list *head);
void kmd_list_add_tail(struct kmd_list *head, struct kmd_list *node);
void kmd_list_del(struct kmd_list *node);
bool kmd_list_empty(const struct kmd_list *head);

#define kmd_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

union kmd_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_storage ss;
	/* The SIP transport of a signalling address (KMD_TP_*), kept in the
	 * storage's last bytes that no sockaddr_in/in6 reaches, so that it
	 * travels with every copy of the address (flows, routes, bindings).
	 */
	struct {
		uint8_t pad[sizeof(struct sockaddr_storage) - 2];
		/* set by tcp.c on the peer of a connection it accepted: an
		 * address that takes no new connection (RFC 3261 18.2.2)
		 */
		uint8_t flow;
		uint8_t proto;
	} tp;
};

enum { KMD_TP_UDP, KMD_TP_TCP, KMD_TP_TLS };

/* TCP and TLS: no retransmissions, responses on the request's connection */
static inline bool kmd_addr_stream(const union kmd_addr *a)
{
	return a->tp.proto != KMD_TP_UDP;
}

#define KMD_ADDRSTRLEN (INET6_ADDRSTRLEN + 8)

socklen_t kmd_addr_len(const union kmd_addr *a);
unsigned int kmd_addr_port(const union kmd_addr *a);
void kmd_addr_set_port(union kmd_addr *a, unsigned int port);
bool kmd_addr_equal(const union kmd_addr *a, const union kmd_addr *b);
bool kmd_addr_ip_equal(const union kmd_addr *a, const union kmd_addr *b);
/* "1.2.3.4:5" or "[::1]:5" */
const char *kmd_addr_str(const union kmd_addr *a, char *buf, size_t len);
/* The address only, no brackets. */
const char *kmd_addr_ip(const union kmd_addr *a, char *buf, size_t len);
/* The host part of a SIP URI or Via: brackets around IPv6. */
const char *kmd_addr_host(const union kmd_addr *a, char *buf, size_t len);
/* A numeric IPv4/IPv6 address (brackets allowed); 0 or -EINVAL. */
int kmd_addr_from_str(const char *host, unsigned int port, union kmd_addr *a);
/* "host[:port]" or "[v6][:port]", names resolved once; 0 or -errno. */
int kmd_addr_resolve(const char *hostport, unsigned int def_port,
		     union kmd_addr *a);
/* The source address the kernel would use toward peer (port 0). */
int kmd_addr_local_for(const union kmd_addr *peer, union kmd_addr *local);

/* Random lowercase hex of 2 * bytes characters. */
void kmd_random_hex(char *buf, size_t bytes);
uint64_t kmd_random_u64(void);
uint64_t kmd_now_ms(void);

/* A string-keyed hash map of pointers (keys copied). */
struct kmd_map;

struct kmd_map *kmd_map_new(unsigned int buckets);
void *kmd_map_get(const struct kmd_map *map, const char *key);
int kmd_map_put(struct kmd_map *map, const char *key, void *value);
void kmd_map_del(struct kmd_map *map, const char *key);
unsigned int kmd_map_count(const struct kmd_map *map);
/* Calls fn for every value; fn may delete the entry it is given. */
void kmd_map_each(struct kmd_map *map, void (*fn)(void *value, void *data),
		  void *data);

/* ---- config.c ---- */

#define KMD_MAX_ADDRS 8
#define KMD_MAX_SRTP_PEERS 64
#define KMD_MAX_SRTP_SUITES 8

struct kmd_route {
	char *match;		/* user prefix, or domain */
	bool domain;
	bool any;		/* "*": the default route */
	union kmd_addr hop;
	char *host;		/* as written: the name a TLS next hop proves */
};

struct kmd_user {
	char *name;
	char *password;
};

struct kmd_config {
	union kmd_addr listen[KMD_MAX_ADDRS];
	unsigned int n_listen;
	unsigned int sip_port;
	char *user_agent;
	/* SIP over TCP (tcp.c) */
	bool tcp;			/* listen on TCP too (default yes) */
	unsigned int tcp_max_conns;	/* connections open at once */
	unsigned int tcp_idle;		/* seconds before an idle one closes */
	unsigned int max_msg;		/* largest message over TCP, bytes */
	/* SIP over TLS (tls.c): on when both files are set */
	char *tls_cert, *tls_key;	/* PEM */
	unsigned int tls_port;		/* default 5061 */
	int tls_verify;			/* enum kmd_tls_verify */
	char *tls_ca;			/* PEM bundle, NULL: the system's */

	union kmd_addr media[KMD_MAX_ADDRS];
	unsigned int n_media;
	unsigned int port_min, port_max;
	unsigned int idle_timeout;	/* seconds, 0: none */
	bool strict_source;

	struct kmd_route *routes;
	unsigned int n_routes;
	struct kmd_user *users;
	unsigned int n_users;
	char *registrations;	/* file keeping the bindings, or NULL */

	unsigned int max_calls;
	unsigned int max_cps;	/* new calls per second, 0: no limit */
	int log_level;

	/* SRTP (SDES) policy: enum kmd_srtp_policy, by default and per peer */
	int srtp_policy;
	struct kmd_srtp_peer {
		union kmd_addr addr;
		int policy;
	} srtp_peers[KMD_MAX_SRTP_PEERS];
	unsigned int n_srtp_peers;
	int srtp_suites[KMD_MAX_SRTP_SUITES];	/* enum kmedia_srtp_suite */
	unsigned int n_srtp_suites;
	unsigned int hold_timeout;	/* seconds while on hold, 0: idle_timeout */
	bool userspace_fallback;	/* relay media here without the module */
};

/* What the relay offers a peer: mirror the other side's offer (optional),
 * never SRTP (plain), or always RTP/SAVP, refusing plain offers from it
 * (mandatory).
 */
/* Whose certificate TLS checks: nobody, the next hops kmediad connects
 * to, or also the clients that connect to it (mutual TLS).
 */
enum kmd_tls_verify {
	KMD_TLS_VERIFY_NONE,
	KMD_TLS_VERIFY_NEXT_HOP,
	KMD_TLS_VERIFY_PEER,
};

enum kmd_srtp_policy {
	KMD_SRTP_OPTIONAL,
	KMD_SRTP_PLAIN,
	KMD_SRTP_MANDATORY,
};

int kmd_srtp_policy_for(const struct kmd_config *cfg,
			const union kmd_addr *peer);

/* 0, or -1 with a message "file:line: what" in err. */
int kmd_config_load(const char *path, struct kmd_config *cfg, char *err,
		    size_t errlen);
void kmd_config_free(struct kmd_config *cfg);
/* SIGHUP: routes, users and limits from the file again; on an error the
 * running configuration stays as it is.
 */
int kmd_config_reload(const char *path, struct kmd_config *cfg, char *err,
		      size_t errlen);
/* Longest user prefix, else exact domain, else "*"; NULL if none. */
const struct kmd_route *kmd_route_lookup(const struct kmd_config *cfg,
					 const char *user, const char *host);

/* ---- registrar.c ---- */

struct kmd_stx;

int kmd_reg_init(const struct kmd_config *cfg);
/* A REGISTER (its server transaction is answered here). */
void kmd_reg_handle(osip_message_t *req, struct kmd_stx *stx,
		    const union kmd_addr *src);
/* The registered contact of user and the address to reach it, or NULL. */
const char *kmd_reg_lookup(const char *user, union kmd_addr *addr);

/* ---- loop.c ---- */

struct kmd_io {
	int fd;
	void (*cb)(struct kmd_io *io, uint32_t events);
};

struct kmd_timer {
	uint64_t when;		/* expiry, kmd_now_ms() */
	uint64_t seq;		/* arming order: equal expiries fire FIFO */
	unsigned int slot;	/* 1 + index in the timer heap; 0: not armed */
	void (*cb)(struct kmd_timer *t);
};

int kmd_loop_init(void);
int kmd_loop_add(struct kmd_io *io);
/* Change the events (EPOLLIN, EPOLLOUT) io waits for. */
int kmd_loop_set(struct kmd_io *io, uint32_t events);
void kmd_loop_del(struct kmd_io *io);
void kmd_timer_init(struct kmd_timer *t, void (*cb)(struct kmd_timer *t));
void kmd_timer_arm(struct kmd_timer *t, uint64_t delay_ms);
void kmd_timer_stop(struct kmd_timer *t);
static inline bool kmd_timer_armed(const struct kmd_timer *t)
{
	return t->slot != 0;
}

/* Fire the timers that are due; the milliseconds until the next one
 * (at most 60000), or -1 with none armed.
 */
int kmd_timers_run(void);
/* free(p) once the current batch of events is handled (p holds a kmd_io,
 * whose fd the caller set to -1 after closing it).
 */
void kmd_loop_free_later(void *p);
/* Run until *stop is set (by a callback). */
int kmd_loop_run(volatile bool *stop);

/* ---- sip.c: UDP transport and message helpers ---- */

int kmd_sip_open(const struct kmd_config *cfg);
void kmd_sip_close(void);
int kmd_sip_send(const union kmd_addr *dst, const char *buf, size_t len);
/* Serialize and send; returns the text in *textp when textp is set. */
int kmd_sip_send_msg(osip_message_t *msg, const union kmd_addr *dst,
		     char **textp, size_t *lenp);
/* Our address toward dst as a URI/Via host, and our SIP port. */
int kmd_sip_local_host(const union kmd_addr *dst, char *host, size_t len);
unsigned int kmd_sip_port(void);
/* Our port for the transport toward dst (tls_port for TLS). */
unsigned int kmd_sip_port_for(const union kmd_addr *dst);
const char *kmd_sip_user_agent(void);
/* Datagrams that were not SIP at all (dropped silently), for the dump. */
uint64_t kmd_sip_dropped(void);

/* Response to req (Via, From, To, Call-ID, CSeq copied; to_tag added to a
 * tagless To; Record-Route copied for dialog-creating INVITE responses).
 */
osip_message_t *kmd_sip_response(const osip_message_t *req, int code,
				 const char *reason, const char *to_tag);
/* Where responses to req go: RFC 3261 18.2.2 with RFC 3581. */
void kmd_sip_response_dst(const osip_message_t *req, const union kmd_addr *src,
			  union kmd_addr *dst);
/* Set received= and rport= on the top Via of a request from src. */
void kmd_sip_fix_via(osip_message_t *req, const union kmd_addr *src);
/* The top Via's branch, or NULL. */
const char *kmd_sip_branch(const osip_message_t *msg);
int kmd_sip_set_body(osip_message_t *msg, const char *type, const char *body);
/* The first body with a type/subtype of application/sdp, or NULL. */
const char *kmd_sip_sdp_body(const osip_message_t *msg);
/* Answer a request too broken for a regular response (400 and kin):
 * Via, From, To, Call-ID and CSeq lines are echoed as they came; without
 * a Via the datagram is dropped and counted.
 */
void kmd_sip_reject_raw(const char *buf, size_t len, const union kmd_addr *src,
			int code, const char *reason);

/* "UDP" or "TCP", for a Via toward dst. */
const char *kmd_sip_via_proto(const union kmd_addr *dst);

/* ---- tcp.c: SIP over TCP (RFC 3261 section 18.3) ---- */

int kmd_tcp_open(const struct kmd_config *cfg);
void kmd_tcp_close(void);
/* Over the connection to dst, opened if there is none (dst's proto is
 * KMD_TP_TCP). 0 once queued, or -errno.
 */
int kmd_tcp_send(const union kmd_addr *dst, const char *buf, size_t len);
unsigned int kmd_tcp_count(void);
/* dst is the address of a connection a peer opened (tp.flow) and that
 * connection is closed: nothing can reach it any more.
 */
bool kmd_tcp_flow_gone(const union kmd_addr *dst);

/* ---- tls.c: OpenSSL sessions on tcp.c's connections ---- */

int kmd_tls_init(const struct kmd_config *cfg);
bool kmd_tls_enabled(void);
/* An SSL session on fd toward peer (NULL when TLS is off or on failure);
 * as a client it checks the certificate as [sip] tls_verify says.
 */
void *kmd_tls_new(int fd, const union kmd_addr *peer, bool server);
/* Why the handshake failed (or is not done), as a SIP reason phrase;
 * NULL once it is done.
 */
const char *kmd_tls_failure(void *tls);
void kmd_tls_free(void *tls);
/* Like recv()/send(); a send waiting for handshake bytes fails with
 * EINPROGRESS.
 */
ssize_t kmd_tls_recv(void *tls, void *buf, size_t len);
ssize_t kmd_tls_send(void *tls, const void *buf, size_t len);

/* ---- txn.c: transactions over UDP (RFC 3261 section 17) ---- */

#define KMD_T1 500
#define KMD_T2 4000

struct kmd_call;
struct kmd_ctx;

/* A server transaction: absorbs retransmitted requests by resending the
 * last response; an INVITE's final response is repeated until the ACK.
 */
struct kmd_stx {
	char *key;
	char *method;
	union kmd_addr peer;
	char *last;
	size_t last_len;
	int last_code;
	struct kmd_call *call;
	struct kmd_timer retx;
	struct kmd_timer expire;
	unsigned int interval;
	uint64_t give_up;
};

struct kmd_stx *kmd_stx_find(const osip_message_t *req);
struct kmd_stx *kmd_stx_new(const osip_message_t *req,
			    const union kmd_addr *src);
void kmd_stx_respond(struct kmd_stx *stx, osip_message_t *resp);
void kmd_stx_reply(struct kmd_stx *stx, const osip_message_t *req, int code,
		   const char *reason, const char *to_tag);
/* The request came again from src: the last response again, if any. */
void kmd_stx_retransmitted(struct kmd_stx *stx, const union kmd_addr *src);
/* The ACK arrived: stop repeating the final response. */
void kmd_stx_acked(struct kmd_stx *stx);
/* Absorb an ACK whose branch matches an INVITE transaction; true if so. */
bool kmd_stx_ack(const osip_message_t *ack);

typedef void (*kmd_ctx_resp_cb)(struct kmd_ctx *ctx, osip_message_t *resp);
typedef void (*kmd_ctx_timeout_cb)(struct kmd_ctx *ctx);

/* A client transaction: retransmits req until a response (INVITE: until a
 * provisional one), ACKs non-2xx final INVITE responses itself.
 */
struct kmd_ctx {
	struct kmd_list call_node;	/* in call->ctxs */
	char *key;			/* branch|method */
	void *data;			/* the call layer's, */
	void (*data_free)(void *data);	/* freed with the transaction */
	osip_message_t *req;
	char *text;
	size_t len;
	union kmd_addr dst;
	struct kmd_call *call;
	int leg;
	bool invite, provisional, completed;
	unsigned int interval;
	uint64_t deadline;
	struct kmd_timer retx;
	struct kmd_timer expire;
	kmd_ctx_resp_cb on_response;
	kmd_ctx_timeout_cb on_timeout;
};

/* Takes req (must carry our Via with a branch). NULL on failure. */
struct kmd_ctx *kmd_ctx_send(osip_message_t *req, const union kmd_addr *dst,
			     struct kmd_call *call, int leg,
			     kmd_ctx_resp_cb on_response,
			     kmd_ctx_timeout_cb on_timeout);
/* Match a response to our client transaction by its top Via; NULL. */
struct kmd_ctx *kmd_ctx_match(const osip_message_t *resp);
/* A response matched by kmd_ctx_match(). */
void kmd_ctx_input(struct kmd_ctx *ctx, osip_message_t *resp);
/* Forget the call (it is being freed); the transaction runs on alone. */
void kmd_ctx_orphan(struct kmd_ctx *ctx);
/* Requests toward dst that got no response fail with a 503 and this
 * reason phrase: the connection to dst failed (RFC 3261 8.1.3.1).
 */
void kmd_ctx_transport_error(const union kmd_addr *dst, const char *reason);
void kmd_txn_init(void);
unsigned int kmd_txn_count(void);

/* ---- call.c ---- */

int kmd_call_init(const struct kmd_config *cfg);
/* One datagram from the SIP sockets. */
void kmd_call_input(const char *buf, size_t len, const union kmd_addr *src);
/* The transaction layer lets go of a call's INVITE server transaction or
 * one of its client transactions.
 */
void kmd_call_stx_gone(struct kmd_call *call, struct kmd_stx *stx);
void kmd_call_ctx_gone(struct kmd_call *call, struct kmd_ctx *ctx);
/* A kernel stream of the call with this cookie latched on src. */
void kmd_call_media_latched(uint64_t cookie, uint32_t id,
			    const union kmd_addr *src);
/* A kernel stream of the call with this cookie went idle. */
void kmd_call_media_idle(uint64_t cookie);
/* End every call (BYE on both legs); SIGTERM. */
void kmd_call_shutdown(void);
unsigned int kmd_call_count(void);
void kmd_call_dump(void);

/* ---- media.c: relay ports and kernel streams ---- */

#define KMD_MAX_MLINES 8

enum { KMD_SIDE_A, KMD_SIDE_B };

struct kmd_ustream;

struct kmd_port {
	struct kmd_io io;
	uint32_t id;		/* kmedia socket ID */
	unsigned int port;
	union kmd_addr local;
	/* without the module: the RTP and RTCP streams arriving here */
	struct kmd_ustream *rx[2];
	uint32_t rx_id[2];
	uint64_t cookie;
};

struct kmedia_srtp;

/* SDES keys of one m= line: the relay ends SRTP on each side with its own
 * keys (RFC 4568), so either side may be plain RTP.
 */
#define KMD_SDES_MAX_OFFER 4

struct kmd_sdes {
	struct kmedia_srtp *remote[2];	/* what side s sends with */
	struct kmedia_srtp *local[2];	/* what we send to side s with */
	/* our keys in the pending offer, a=crypto tag i + 1 */
	struct kmedia_srtp *offered[KMD_SDES_MAX_OFFER];
	int policy[2];			/* enum kmd_srtp_policy of each side */
	unsigned int gen_remote[2], gen_local[2];	/* bumped on change */
	unsigned int offer_tag;		/* the offerer's a=crypto line we took */
	int offerer;			/* side that made the pending offer */
	char offer_proto[16];		/* its m= protocol */
};

struct kmd_mline {
	bool used;		/* ports allocated */
	bool mux;		/* rtcp-mux negotiated */
	bool offered_mux;
	bool has_peer[2];
	bool hold[2];		/* side's last SDP: sendonly, recvonly, inactive */
	bool programmed;
	struct kmd_port rtp[2], rtcp[2];
	union kmd_addr peer_rtp[2], peer_rtcp[2];
	uint32_t stream[4];	/* A->B RTP, B->A RTP, A->B RTCP, B->A RTCP */
	unsigned int stream_gen_in[4], stream_gen_out[4];	/* keys installed */
	struct kmd_ustream *ustream[4];	/* without the module: stream[k] */
	struct kmd_sdes sdes;
};

struct kmd_media {
	struct kmd_list link;		/* every call's media */
	uint64_t cookie;
	int srtp_policy[2];		/* of each side's signalling peer */
	const char *log_id;
	union kmd_addr toward[2];	/* signalling peers, to pick addresses */
	unsigned int n;
	struct kmd_mline m[KMD_MAX_MLINES];
};

int kmd_media_init(const struct kmd_config *cfg);
void kmd_media_exit(void);
struct kmd_media *kmd_media_new(uint64_t cookie, const char *log_id,
				const union kmd_addr *toward_a,
				const union kmd_addr *toward_b);
/* Delete the call's streams (flush by cookie) and close its sockets. */
void kmd_media_free(struct kmd_media *m);
/* Allocate the RTP/RTCP pair of both sides of m-line i. */
int kmd_media_alloc(struct kmd_media *m, unsigned int i,
		    const union kmd_addr *peer_a);
void kmd_media_release(struct kmd_media *m, unsigned int i);
/* Stream id of m latched on src: the reverse stream follows (NAT). */
void kmd_media_latched(struct kmd_media *m, uint32_t id,
		       const union kmd_addr *src);
/* Create or update the four streams of every m-line whose peers are known. */
int kmd_media_program(struct kmd_media *m);
uint64_t kmd_media_read_packets(void);
void kmd_media_log_stats(void);
unsigned int kmd_media_ports_in_use(void);
/* Whether the media path (kernel or userspace relay) can do this SRTP key. */
bool kmd_media_srtp_ok(const struct kmedia_srtp *ctx);
bool kmd_media_suite_ok(int suite);

/* ---- sdes.c: SDES (RFC 4568) keys of an m= line ---- */

/*
 * In an offer from side `from`: take the preferred a=crypto line kmedia can
 * use as `from`'s key, remove every a=crypto line and, as the other side's
 * policy says, offer it plain RTP or a=crypto lines with fresh keys of ours
 * (the m= profile *proto converted AVP <-> SAVP). 0, or -EOPNOTSUPP when
 * there were a=crypto lines but none usable, or none from an
 * SDES-mandatory side.
 */
int kmd_sdes_offer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		   char **proto);
/* The preference list and policies of cfg (kept, not copied). */
void kmd_sdes_configure(const struct kmd_config *cfg);
/*
 * In the answer from side `from`: its key (if it accepted SRTP), and the
 * a=crypto line of ours answering the offerer's. A plain answerer facing an
 * SRTP offerer gets RTP: the relay converts. -EINVAL for a bad answer.
 */
int kmd_sdes_answer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		    char **proto);
void kmd_sdes_clear(struct kmd_sdes *k);
/* Remove a=crypto lines (an inactive m= line must not leak keys). */
void kmd_sdes_strip(osip_list_t *attrs);
const char *kmd_sdes_describe(const struct kmd_sdes *k, int side);

/* ---- sdp.c ---- */

/*
 * Rewrite the SDP body that side `from` sent so that the other side sends
 * its media to our ports: c=/o= addresses, m= ports, a=rtcp; ICE attributes
 * removed. An offer allocates ports, an answer fixes rtcp-mux and inactive
 * lines. Returns 0 and a malloc'd *out, -EINVAL for a malformed SDP,
 * -ENOSPC when no relay port is free.
 */
int kmd_sdp_rewrite(struct kmd_media *m, int from, bool offer,
		    const char *body, char **out);

/* ---- stun.c: Binding Requests on relay ports (ICE-lite) ---- */

bool kmd_stun_is_request(const void *buf, size_t len);
/* Answer a Binding Request from src on fd: 0, -EINVAL if buf is not
 * one, or -errno from sendto().
 */
int kmd_stun_answer(int fd, const void *req, size_t len,
		    const union kmd_addr *src);
uint64_t kmd_stun_answered(void);

#endif /* KMEDIAD_H */
