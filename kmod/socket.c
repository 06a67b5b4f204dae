// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: adoption of UDP sockets owned by userspace.
 *
 * The daemon binds its relay ports itself and hands each socket over by
 * file descriptor. We take a reference on the socket and install our
 * encap_rcv hook, so every datagram reaches kmedia_encap_recv() before the
 * socket's receive queue. The socket stays the daemon's: closing its last
 * file reference runs our encap_destroy hook, which detaches it and deletes
 * every stream using it, so forwarding never outlives the owner's interest.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/udp_tunnel.h>

#include "socket.h"
#include "stream.h"

/*
 * UDP encapsulation type marking our sockets. The value only needs to be
 * non-zero and distinct from the kernel's UDP_ENCAP_* in the UDP GRO and
 * xfrm paths that look at it; those stop at 8.
 */
#define KMEDIA_UDP_ENCAP 0x4b

static void kmedia_sock_free_rcu(struct rcu_head *head)
{
	struct kmedia_sock *ks = container_of(head, struct kmedia_sock, rcu);

	sock_put(ks->sk);
	kfree(ks);
	atomic_dec(&kmedia_live_objects);
}

static void kmedia_sock_release(struct kref *kref)
{
	struct kmedia_sock *ks = container_of(kref, struct kmedia_sock, refcount);

	call_rcu(&ks->rcu, kmedia_sock_free_rcu);
}

void kmedia_sock_get(struct kmedia_sock *ks)
{
	kref_get(&ks->refcount);
}

void kmedia_sock_put(struct kmedia_sock *ks)
{
	kref_put(&ks->refcount, kmedia_sock_release);
}

struct kmedia_sock *kmedia_sock_find(struct kmedia_net *kn, u32 id)
{
	lockdep_assert_held(&kn->lock);
	return xa_load(&kn->socks, id);
}

/* Called by UDP when the socket is being destroyed (its file was closed). */
static void kmedia_sock_encap_destroy(struct sock *sk)
{
	struct kmedia_sock *ks;
	struct kmedia_net *kn;

	rcu_read_lock();
	ks = rcu_dereference_sk_user_data(sk);
	if (ks && !kref_get_unless_zero(&ks->refcount))
		ks = NULL;
	rcu_read_unlock();
	if (!ks)
		return;

	kn = ks->kn;
	mutex_lock(&kn->lock);
	if (!ks->detached)
		kmedia_sock_detach(ks);
	mutex_unlock(&kn->lock);
	kmedia_sock_put(ks);
}

static void kmedia_sock_read_local(struct kmedia_sock *ks)
{
	struct sock *sk = ks->sk;
	struct inet_sock *inet = inet_sk(sk);

	ks->local.family = sk->sk_family;
	ks->local.port = inet->inet_sport;
	if (sk->sk_family == AF_INET)
		ks->local.addr4 = inet->inet_rcv_saddr;
	else
		ks->local.addr6 = sk->sk_v6_rcv_saddr;
}

/* Check that the socket can be ours; called with the socket locked. */
static int kmedia_sock_check(struct sock *sk, struct netlink_ext_ack *extack)
{
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "sock.fd: not a UDP socket (IPv4 or IPv6)");
		return -EPROTOTYPE;
	}
	if (sk->sk_family == AF_INET6 && !sk->sk_ipv6only) {
		NL_SET_ERR_MSG(extack, "sock.fd: IPv6 socket must be IPV6_V6ONLY");
		return -EINVAL;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "sock.fd: socket is not bound");
		return -EDESTADDRREQ;
	}
	if (READ_ONCE(udp_sk(sk)->encap_rcv) == kmedia_encap_recv) {
		NL_SET_ERR_MSG(extack, "sock.fd: socket is already attached");
		return -EALREADY;
	}
	if (sk->sk_user_data || udp_sk(sk)->encap_type) {
		NL_SET_ERR_MSG(extack, "sock.fd: socket is claimed by another kernel user");
		return -EBUSY;
	}
	return 0;
}

struct kmedia_sock *kmedia_sock_attach(struct kmedia_net *kn, int fd,
				       struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = KMEDIA_UDP_ENCAP,
		.encap_rcv = kmedia_encap_recv,
		.encap_destroy = kmedia_sock_encap_destroy,
	};
	struct kmedia_sock *ks;
	struct socket *sock;
	int err;

	lockdep_assert_held(&kn->lock);

	/* Resolved in the calling process's file table. */
	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "sock.fd: not a socket of the calling process");
		return ERR_PTR(err);
	}
	if (!net_eq(sock_net(sock->sk), kn->net)) {
		NL_SET_ERR_MSG(extack, "sock.fd: socket belongs to another network namespace");
		err = -EXDEV;
		goto err_put;
	}

	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks) {
		err = -ENOMEM;
		goto err_put;
	}
	ks->kn = kn;
	ks->sk = sock->sk;
	INIT_LIST_HEAD(&ks->streams_in);
	INIT_LIST_HEAD(&ks->streams_out);
	kref_init(&ks->refcount);

	err = xa_alloc_cyclic(&kn->socks, &ks->id, ks, XA_LIMIT(1, INT_MAX),
			      &kn->next_sock_id, GFP_KERNEL);
	if (err < 0)
		goto err_free;

	lock_sock(ks->sk);
	err = kmedia_sock_check(ks->sk, extack);
	if (err) {
		release_sock(ks->sk);
		goto err_erase;
	}
	kmedia_sock_read_local(ks);
	sock_hold(ks->sk);
	atomic_inc(&kmedia_live_objects);
	cfg.sk_user_data = ks;
	setup_udp_tunnel_sock(kn->net, sock, &cfg);
	kmedia_lookup_add(kn, ks);
	release_sock(ks->sk);

	kn->n_sockets++;
	kn->gen++;
	sockfd_put(sock);
	return ks;

err_erase:
	xa_erase(&kn->socks, ks->id);
err_free:
	kfree(ks);
err_put:
	sockfd_put(sock);
	return ERR_PTR(err);
}

/*
 * Undo setup_udp_tunnel_sock() by hand: it has no inverse on the kernels we
 * support. The static key and encap-enabled flag stay set; UDP clears them
 * when the socket is destroyed.
 */
static void kmedia_sock_unhook(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, NULL);
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * kmedia_sock_detach - give the socket back to plain UDP
 * @ks: the socket, attached
 *
 * Deletes every stream using the socket, unhooks it and drops the
 * namespace table's reference. Packets already inside kmedia_encap_recv()
 * finish with the old state; the object is freed after an RCU grace period.
 */
void kmedia_sock_detach(struct kmedia_sock *ks)
{
	struct kmedia_net *kn = ks->kn;
	struct kmedia_stream *stream, *tmp;

	lockdep_assert_held(&kn->lock);

	list_for_each_entry_safe(stream, tmp, &ks->streams_in, in_node)
		kmedia_stream_remove(stream);
	list_for_each_entry_safe(stream, tmp, &ks->streams_out, out_node)
		kmedia_stream_remove(stream);

	kmedia_lookup_del(kn, ks);
	kmedia_sock_unhook(ks->sk);
	ks->detached = true;
	xa_erase(&kn->socks, ks->id);
	kn->n_sockets--;
	kn->gen++;
	kmedia_sock_put(ks);
}

void kmedia_sock_detach_all(struct kmedia_net *kn)
{
	struct kmedia_sock *ks;
	unsigned long id;

	lockdep_assert_held(&kn->lock);
	xa_for_each(&kn->socks, id, ks)
		kmedia_sock_detach(ks);
}
