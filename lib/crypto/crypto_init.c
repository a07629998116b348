/*
 * crypto_init.c - libgcrypt's process-wide initialisation, done once.
 *
 * libgcrypt must see gcry_check_version() before any other call and before
 * a second thread uses it, and its set-up (secure memory, "initialisation
 * finished") is process-wide. iks_global_init() does it once under
 * pthread_once, so the create functions that call it when the application
 * has not cannot race each other; an application that initialised
 * libgcrypt itself is left as it is. This once-flag is the library's only
 * global state.
 */
#include "config.h"

#include <pthread.h>

#include <gcrypt.h>

#include "crypto/crypto.h"

/* The oldest libgcrypt we accept at run time (configure.ac asks for it at
 * build time). */
#define GCRYPT_MIN "1.8.0"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static iks_status init_status = IKS_OK;

static void init_once(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return; /* the application did it: its settings stand */
	if (!gcry_check_version(GCRYPT_MIN)) {
		init_status = IKS_E_UNSUPPORTED;
		return;
	}
	/* Secure memory off: the library never asks for it (handles are opened
	 * without the SECURE flags); key bytes live in the key store's own heap
	 * and are wiped when it is freed. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

iks_status iks_global_init(void)
{
	if (pthread_once(&once, init_once) != 0)
		return IKS_E_UNSUPPORTED;
	return init_status;
}
