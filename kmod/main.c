// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: module init/exit and per network namespace state.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>
#include <uapi/linux/kmedia.h>

#include "kmedia.h"
#include "socket.h"
#include "srtp.h"
#include "stream.h"

unsigned int kmedia_net_id __read_mostly;
atomic_t kmedia_live_objects = ATOMIC_INIT(0);

unsigned int kmedia_max_streams __read_mostly = 1 << 20;
module_param_named(max_streams, kmedia_max_streams, uint, 0644);
MODULE_PARM_DESC(max_streams, "Most streams one network namespace may hold");

static bool kmedia_selftest;
module_param_named(selftest, kmedia_selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run the crypto known-answer tests at load");

static int __net_init kmedia_net_init(struct net *net)
{
	struct kmedia_net *kn = kmedia_pernet(net);
	int err;

	kn->ctrs = kmedia_ctrs_alloc(__KMEDIA_NET_CTR_MAX);
	if (!kn->ctrs)
		return -ENOMEM;
	kn->net = net;
	mutex_init(&kn->lock);
	xa_init_flags(&kn->socks, XA_FLAGS_ALLOC1);
	xa_init_flags(&kn->streams, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&kn->idle_streams);
	INIT_DELAYED_WORK(&kn->idle_work, kmedia_idle_work);
	kn->gen = 1;
	err = kmedia_lookup_init(kn);
	if (err) {
		kmedia_ctrs_free(kn->ctrs);
		return err;
	}
	return 0;
}

static void __net_exit kmedia_net_exit(struct net *net)
{
	struct kmedia_net *kn = kmedia_pernet(net);
	bool had_sockets;

	/* A namespace normally dies after its last user socket, so nothing
	 * is attached any more; on module unload live sockets are given back
	 * to plain UDP here, with their streams deleted.
	 */
	mutex_lock(&kn->lock);
	kn->dying = true;
	had_sockets = kn->n_sockets;
	kmedia_sock_detach_all(kn);
	mutex_unlock(&kn->lock);
	cancel_delayed_work_sync(&kn->idle_work);

	/* Packets may still be on their way through what we just detached. */
	if (had_sockets)
		synchronize_net();

	WARN_ON_ONCE(kn->n_streams || kn->n_sockets);
	kmedia_lookup_exit(kn);
	xa_destroy(&kn->socks);
	xa_destroy(&kn->streams);
	kmedia_ctrs_free(kn->ctrs);
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kmedia_net_ops = {
	.init = kmedia_net_init,
	.exit = kmedia_net_exit,
	.id = &kmedia_net_id,
	.size = sizeof(struct kmedia_net),
};

static int __init kmedia_init(void)
{
	int err;

	err = register_pernet_subsys(&kmedia_net_ops);
	if (err)
		return err;

	err = kmedia_stream_cache_init();
	if (err)
		goto err_pernet;

	err = kmedia_srtp_init();
	if (err)
		goto err_streams;

	/* after kmedia_srtp_init(): the tests run packets through contexts */
	if (kmedia_selftest) {
		err = kmedia_srtp_selftest();
		if (err)
			goto err_srtp;
	}

	err = kmedia_netlink_init();
	if (err)
		goto err_srtp;

	/* Test builds only (make check's negative control): prove that the
	 * test harness notices a warning from this module.
	 */
	WARN(IS_ENABLED(CONFIG_KMEDIA_FAULT_WARN_ON_LOAD),
	     "kmedia: built with CONFIG_KMEDIA_FAULT_WARN_ON_LOAD\n");

	pr_info("version %s loaded\n", KMEDIA_VERSION);
	return 0;

err_srtp:
	kmedia_srtp_exit();
err_streams:
	kmedia_stream_cache_exit();
err_pernet:
	unregister_pernet_subsys(&kmedia_net_ops);
	return err;
}

static void __exit kmedia_exit(void)
{
	kmedia_netlink_exit();
	unregister_pernet_subsys(&kmedia_net_ops);
	/* Objects freed after a grace period call back into this module;
	 * crypto contexts are then freed from a work queue, drained here.
	 */
	rcu_barrier();
	kmedia_srtp_exit();
	kmedia_stream_cache_exit();
	WARN(atomic_read(&kmedia_live_objects), "kmedia: %d objects leaked\n",
	     atomic_read(&kmedia_live_objects));
	pr_info("unloaded\n");
}

module_init(kmedia_init);
module_exit(kmedia_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel RTP/SRTP media relay");
MODULE_AUTHOR("The kmedia developers");
MODULE_VERSION(KMEDIA_VERSION);
MODULE_ALIAS_GENL_FAMILY(KMEDIA_GENL_NAME);
