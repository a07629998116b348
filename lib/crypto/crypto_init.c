/*
 * crypto_init.c - libgcrypt's process-wide initialisation, done once.
 *
 * libgcrypt must see gcry_check_version() before any other call and before
 * a second thread uses it, and its set-up (secure memory, "initialisation
 * finished") is process-wide. iks_global_init() does it once, under a
 * mutex, so the create functions that call it when the application has not
 * cannot race each other; an application that initialised libgcrypt
 * itself is left as it is. This flag is the library's only global state.
 *
 * A mutex rather than pthread_once: every caller takes it, so a thread
 * that finds the work done is ordered after the thread that did it in a
 * way valgrind's helgrind can see (pthread_once's fast path is an atomic
 * load it does not model: tests/threads_helgrind.sh reported libgcrypt's
 * globals as races with it when the threads made the first call). The
 * cost is one uncontended lock per decoder or key store created.
 */
#include "config.h"

#include <pthread.h>

#include <gcrypt.h>

#include "crypto/crypto.h"

/* The oldest libgcrypt we accept at run time (configure.ac asks for it at
 * build time). */
#define GCRYPT_MIN "1.8.0"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool init_done;
static iks_status init_status = IKS_OK;

static iks_status init_gcrypt(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return IKS_OK; /* the application did it: its settings stand */
	if (!gcry_check_version(GCRYPT_MIN))
		return IKS_E_UNSUPPORTED;
	/* Secure memory off: the library never asks for it (handles are opened
	 * without the SECURE flags); key bytes live in the key store's own heap
	 * and are wiped when it is freed. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return IKS_OK;
}

iks_status iks_global_init(void)
{
	if (pthread_mutex_lock(&init_lock) != 0)
		return IKS_E_UNSUPPORTED;
	if (!init_done) {
		init_status = init_gcrypt();
		init_done = true;
	}
	iks_status st = init_status;
	pthread_mutex_unlock(&init_lock);
	return st;
}
