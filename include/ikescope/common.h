/*
 * ikescope/common.h - export macro, byte spans and status codes shared by
 * every part of the library.
 */
#ifndef IKESCOPE_COMMON_H
#define IKESCOPE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IKS_BUILDING_LIBRARY) && defined(__GNUC__)
#define IKS_API __attribute__((visibility("default")))
#else
#define IKS_API
#endif

/* A borrowed run of bytes. Never owns its memory; the function that hands
 * one out says how long it stays valid. */
typedef struct iks_span {
	const uint8_t *p;
	size_t len;
} iks_span;

/*
 * Status codes. Values are stable and never reused: a new code gets a new
 * number. Negative values are failures; IKS_OK is 0.
 */
typedef enum iks_status {
	IKS_OK = 0,
	IKS_E_TRUNCATED = -1,   /* input ends before the structure does (snaplen, cut file) */
	IKS_E_MALFORMED = -2,   /* input is complete but violates the protocol */
	IKS_E_UNSUPPORTED = -3, /* valid but not decoded by this version (say which in the reason) */
	IKS_E_NOMEM = -4,       /* an allocation failed */
	IKS_E_LIMIT = -5,       /* a cap set at creation was reached; the input was not processed */
	IKS_E_IO = -6,          /* the operating system or libpcap failed to read */
	IKS_E_FORMAT = -7,      /* the file is not in a format we read, or its header is corrupt */
	IKS_E_INVALID = -8      /* the caller passed an invalid argument */
} iks_status;

/* Short static English text for a status code; never NULL. */
IKS_API const char *iks_strerror(iks_status st);

/* Symbolic name of a status code ("truncated", "malformed", ...); never NULL. */
IKS_API const char *iks_status_name(iks_status st);

/* Version of the library loaded, as "MAJOR.MINOR.PATCH"; static storage.
 * IKS_VERSION_STRING and IKS_VERSION_NUM (version.h) give the headers'. */
IKS_API const char *iks_version(void);

/*
 * Initialise what the library shares process-wide (libgcrypt), as
 * curl_global_init does for libcurl: call it once, before starting
 * threads that use the library. It may be called again (it does the work
 * once) and from several threads at once; iks_decoder_new and
 * iks_keys_new call it themselves when the application has not, so a
 * single-threaded application need not. A libgcrypt the application
 * initialised itself is left as it is. Returns IKS_OK, or
 * IKS_E_UNSUPPORTED when the libgcrypt loaded at run time is too old (the
 * create functions then return NULL).
 */
IKS_API iks_status iks_global_init(void);

/* Size of the caller-supplied error buffers used before a handle exists. */
#define IKS_ERRBUF_SIZE 512

#ifdef __cplusplus
}
#endif
#endif
