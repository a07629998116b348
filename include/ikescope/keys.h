/*
 * ikescope/keys.h - keys for decrypting and verifying ESP, AH and IKE,
 * loaded from the files users already have. Keys are never printed or
 * returned in messages.
 *
 * Formats, detected per line:
 *  - Wireshark's "esp_sa" UAT records:
 *      "IPv4","SRC","DST","0xSPI","ENCRYPTION","0xKEY","AUTHENTICATION","0xKEY"
 *    (SRC/DST may be "*"; the algorithm names are Wireshark's);
 *  - tcpdump's -E syntax:  SPI@DST ALGO:0xKEY   (ALGO e.g. aes128-cbc-hmac96,
 *    3des-cbc, none), with an ikescope extension: an optional third field
 *    AUTH:0xKEY (hmac-sha1-96, hmac-sha256-128, hmac-sha384-192,
 *    hmac-sha512-256, hmac-md5-96) so that ICVs can be verified, and
 *    "SPI@DST ah AUTH:0xKEY" for an AH SA;
 *  - Wireshark's ikev2_decryption_table records (SPIi,SPIr,SK_ei,SK_er,
 *    "ENCRYPTION",SK_ai,SK_ar,"INTEGRITY"): IKEv2 SK payloads are decrypted
 *    and verified with them;
 *  - Wireshark's ikev1_decryption_table records (initiator cookie, Ka):
 *    IKEv1 messages are decrypted with them (IKEv1 has no ICV to verify);
 *  - tcpdump's "ikev2 I|R ..." lines are recognised and counted (not used);
 *  - strongSwan charon logs written with ike and chd at level 4 or more,
 *    recognised by their first line that is neither blank nor a '#'
 *    comment: "[Mon DD ]HH:MM:SS [HOST charon[PID]: ]TT[GRP] text" (charon's
 *    file logger, with or without a date, or syslog). The whole file is then
 *    read as a log; its ordinary lines are not diagnosed. Used: the
 *    "selected proposal: IKE:|ESP:|AH:..." lines (strongSwan's algorithm
 *    names: AES_CBC_n, AES_CTR_n, AES_GCM_{8,12,16}_n, 3DES_CBC, NULL,
 *    HMAC_SHA1_96, HMAC_SHA2_{256_128,384_192,512_256}, HMAC_MD5_96), the
 *    hex dumps "NAME => N bytes @ 0x..." + "   0: 8E 95 ..." of Sk_ei, Sk_er,
 *    Sk_ai, Sk_ar (IKEv2), "encryption key Ka" (IKEv1) and "encryption|
 *    integrity initiator|responder key" (CHILD_SA), "  SPI 0x..., src A dst
 *    B" and "CHILD_SA NAME{N} established with SPIs X_i Y_o". Lines of other
 *    threads may come between a dump's lines. A key set takes its own
 *    thread's selected proposal, else the oldest unused one whose key
 *    lengths fit (responders log them in other threads). Diagnosed, at their
 *    line: unknown algorithms, dumps cut short (by another line of their
 *    thread or the end of the file), dump offsets out of order, dumps longer
 *    than any key, keys that fit no proposal, CHILD_SA keys without SPIs.
 *    The log names no IKE SPIs or cookies: each decoder binds an IKEv2 set
 *    to the SA whose first encrypted message's ICV (or AEAD tag) it
 *    verifies, an IKEv1 Ka to the SA whose first encrypted message it
 *    decrypts into a well-formed payload chain, and a CHILD_SA's initiator
 *    and responder keys to its two SPIs by the ICV of each SPI's first
 *    packet (where nothing can verify: by the padding; where nothing fits:
 *    inbound SPI = responder's keys, unbound). Once bound an SA decrypts as
 *    with a table; keys from tables are used first.
 * Lines starting with '#' and blank lines are ignored; every other line
 * that no format accepts is recorded as a diagnostic with file and line.
 */
#ifndef IKESCOPE_KEYS_H
#define IKESCOPE_KEYS_H

#include <ikescope/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iks_keys iks_keys;

/* ESP algorithms (RFC 4303 section 3.2 and the RFCs named). */
enum iks_esp_enc {
	IKS_ENC_UNKNOWN = 0,
	IKS_ENC_NULL,          /* RFC 2410 */
	IKS_ENC_AES_CBC,       /* RFC 3602, 128/192/256-bit keys */
	IKS_ENC_AES_CTR,       /* RFC 3686, key material = key + 4-byte nonce */
	IKS_ENC_AES_GCM_8,     /* RFC 4106, key material = key + 4-byte salt, ICV 8 */
	IKS_ENC_AES_GCM_12,
	IKS_ENC_AES_GCM_16,
	IKS_ENC_3DES_CBC       /* RFC 2451 */
};
enum iks_esp_auth {
	IKS_AUTH_UNKNOWN = 0,
	IKS_AUTH_NONE,
	IKS_AUTH_HMAC_SHA1_96,     /* RFC 2404 */
	IKS_AUTH_HMAC_SHA256_128,  /* RFC 4868 */
	IKS_AUTH_HMAC_SHA384_192,
	IKS_AUTH_HMAC_SHA512_256,
	IKS_AUTH_HMAC_MD5_96       /* RFC 2403 */
};

typedef struct iks_keys_limits {
	uint32_t esp_sas_max;   /* ESP SAs kept (default 100,000) */
	uint32_t diags_max;     /* diagnostics kept (default 1,000; more are counted) */
	uint32_t charon_sets_max; /* key sets kept from charon logs: IKE and CHILD_SA
				   * (default 10,000) */
} iks_keys_limits;

/* Create an empty key store (lim NULL: defaults). NULL when out of memory.
 * Calls iks_global_init() (common.h) if the application has not; NULL too
 * when that fails. Threads: load and free a store in one thread; once
 * loaded, decoders and trace loads in any number of threads may use it at
 * once (lookups never write to it). */
IKS_API iks_keys *iks_keys_new(const iks_keys_limits *lim);

/* Free the store, wiping the key bytes. Accepts NULL. */
IKS_API void iks_keys_free(iks_keys *k);

/*
 * Load a key file. Returns IKS_OK when the file was read (bad lines are
 * skipped and recorded as diagnostics), IKS_E_IO with a message naming the
 * file in errbuf when it cannot be read, IKS_E_LIMIT when esp_sas_max was
 * reached (a diagnostic says where), or charon_sets_max for a charon log.
 */
IKS_API iks_status iks_keys_load_file(iks_keys *k, const char *path, char *errbuf);

/* The same from memory; `name` is used in diagnostics. */
IKS_API iks_status iks_keys_load_buffer(iks_keys *k, const char *name, const uint8_t *data,
					size_t len);

/* A line that could not be used. Text is owned by the store and never
 * contains key material. */
typedef struct iks_keys_diag {
	const char *file;
	uint32_t line;
	const char *reason;    /* static text */
} iks_keys_diag;

IKS_API size_t iks_keys_ndiags(const iks_keys *k);
IKS_API const iks_keys_diag *iks_keys_diag_at(const iks_keys *k, size_t i);

typedef struct iks_keys_info {
	uint32_t esp_sas;
	uint32_t ikev2_sas;            /* IKEv2 SAs with keys */
	uint32_t ikev1_sas;            /* IKEv1 SAs with Ka */
	uint64_t diags;                /* bad lines, including those not kept */
	uint32_t charon_ikev2_sets;    /* IKEv2 key sets from charon logs (SPIs unknown) */
	uint32_t charon_ikev1_sets;    /* IKEv1 Ka from charon logs (cookies unknown) */
	uint32_t charon_child_sets;    /* CHILD_SA key sets from charon logs */
} iks_keys_info;
IKS_API void iks_keys_get_info(const iks_keys *k, iks_keys_info *info);

/* Names of the algorithms ("AES-CBC", "HMAC-SHA1-96", ...); static text. */
IKS_API const char *iks_esp_enc_name(int enc);
IKS_API const char *iks_esp_auth_name(int auth);

#ifdef __cplusplus
}
#endif
#endif
