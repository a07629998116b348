/*
 * ike_names_v2.c - IKEv2 names, as data. Sources: RFC 7296 sections 3.3.2,
 * 3.5, 3.8, 3.10.1 and the IANA "Internet Key Exchange Version 2 (IKEv2)
 * Parameters" registry (transform IDs, notify types incl. RFC 4555 MOBIKE,
 * RFC 5685 redirect, RFC 7383 fragmentation, RFC 7427 signature hashes,
 * RFC 9242 intermediate exchange, RFC 9370 additional key exchanges).
 */
#include "config.h"

#include <ikescope/ike.h>

#include "ike/ike_names.h"

static const struct name_entry v2_notify[] = {
	{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD" }, { 4, "INVALID_IKE_SPI" },
	{ 5, "INVALID_MAJOR_VERSION" }, { 7, "INVALID_SYNTAX" }, { 9, "INVALID_MESSAGE_ID" },
	{ 11, "INVALID_SPI" }, { 14, "NO_PROPOSAL_CHOSEN" }, { 17, "INVALID_KE_PAYLOAD" },
	{ 24, "AUTHENTICATION_FAILED" }, { 34, "SINGLE_PAIR_REQUIRED" },
	{ 35, "NO_ADDITIONAL_SAS" }, { 36, "INTERNAL_ADDRESS_FAILURE" },
	{ 37, "FAILED_CP_REQUIRED" }, { 38, "TS_UNACCEPTABLE" }, { 39, "INVALID_SELECTORS" },
	{ 40, "UNACCEPTABLE_ADDRESSES" }, { 41, "UNEXPECTED_NAT_DETECTED" },
	{ 42, "USE_ASSIGNED_HoA" }, { 43, "TEMPORARY_FAILURE" }, { 44, "CHILD_SA_NOT_FOUND" },
	{ 45, "INVALID_GROUP_ID" }, { 46, "AUTHORIZATION_FAILED" }, { 47, "STATE_NOT_FOUND" },
	{ 16384, "INITIAL_CONTACT" }, { 16385, "SET_WINDOW_SIZE" },
	{ 16386, "ADDITIONAL_TS_POSSIBLE" }, { 16387, "IPCOMP_SUPPORTED" },
	{ 16388, "NAT_DETECTION_SOURCE_IP" }, { 16389, "NAT_DETECTION_DESTINATION_IP" },
	{ 16390, "COOKIE" }, { 16391, "USE_TRANSPORT_MODE" },
	{ 16392, "HTTP_CERT_LOOKUP_SUPPORTED" }, { 16393, "REKEY_SA" },
	{ 16394, "ESP_TFC_PADDING_NOT_SUPPORTED" }, { 16395, "NON_FIRST_FRAGMENTS_ALSO" },
	{ 16396, "MOBIKE_SUPPORTED" }, { 16397, "ADDITIONAL_IP4_ADDRESS" },
	{ 16398, "ADDITIONAL_IP6_ADDRESS" }, { 16399, "NO_ADDITIONAL_ADDRESSES" },
	{ 16400, "UPDATE_SA_ADDRESSES" }, { 16401, "COOKIE2" }, { 16402, "NO_NATS_ALLOWED" },
	{ 16403, "AUTH_LIFETIME" }, { 16404, "MULTIPLE_AUTH_SUPPORTED" },
	{ 16405, "ANOTHER_AUTH_FOLLOWS" }, { 16406, "REDIRECT_SUPPORTED" },
	{ 16407, "REDIRECT" }, { 16408, "REDIRECTED_FROM" }, { 16409, "TICKET_LT_OPAQUE" },
	{ 16410, "TICKET_REQUEST" }, { 16411, "TICKET_ACK" }, { 16412, "TICKET_NACK" },
	{ 16413, "TICKET_OPAQUE" }, { 16414, "LINK_ID" }, { 16415, "USE_WESP_MODE" },
	{ 16416, "ROHC_SUPPORTED" }, { 16417, "EAP_ONLY_AUTHENTICATION" },
	{ 16418, "CHILDLESS_IKEV2_SUPPORTED" }, { 16419, "QUICK_CRASH_DETECTION" },
	{ 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED" },
	{ 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED" }, { 16422, "IKEV2_MESSAGE_ID_SYNC" },
	{ 16423, "IPSEC_REPLAY_COUNTER_SYNC" }, { 16424, "SECURE_PASSWORD_METHODS" },
	{ 16425, "PSK_PERSIST" }, { 16426, "PSK_CONFIRM" }, { 16427, "ERX_SUPPORTED" },
	{ 16428, "IFOM_CAPABILITY" }, { 16429, "SENDER_REQUEST_ID" },
	{ 16430, "IKEV2_FRAGMENTATION_SUPPORTED" }, { 16431, "SIGNATURE_HASH_ALGORITHMS" },
	{ 16432, "CLONE_IKE_SA_SUPPORTED" }, { 16433, "CLONE_IKE_SA" }, { 16434, "PUZZLE" },
	{ 16435, "USE_PPK" }, { 16436, "PPK_IDENTITY" }, { 16437, "NO_PPK_AUTH" },
	{ 16438, "INTERMEDIATE_EXCHANGE_SUPPORTED" }, { 16439, "IP4_ALLOWED" },
	{ 16440, "IP6_ALLOWED" }, { 16441, "ADDITIONAL_KEY_EXCHANGE" }, { 16442, "USE_AGGFRAG" },
};

static const struct name_entry v2_tr_types[] = {
	{ 1, "ENCR" }, { 2, "PRF" }, { 3, "INTEG" }, { 4, "KE" }, { 5, "ESN" },
	{ 6, "ADDKE1" }, { 7, "ADDKE2" }, { 8, "ADDKE3" }, { 9, "ADDKE4" }, { 10, "ADDKE5" },
	{ 11, "ADDKE6" }, { 12, "ADDKE7" },
};

static const struct name_entry v2_encr[] = {
	{ 1, "DES_IV64" }, { 2, "DES" }, { 3, "3DES" }, { 4, "RC5" }, { 5, "IDEA" },
	{ 6, "CAST" }, { 7, "BLOWFISH" }, { 8, "3IDEA" }, { 9, "DES_IV32" }, { 11, "NULL" },
	{ 12, "AES_CBC" }, { 13, "AES_CTR" }, { 14, "AES_CCM_8" }, { 15, "AES_CCM_12" },
	{ 16, "AES_CCM_16" }, { 18, "AES_GCM_8" }, { 19, "AES_GCM_12" }, { 20, "AES_GCM_16" },
	{ 21, "NULL_AUTH_AES_GMAC" }, { 23, "CAMELLIA_CBC" }, { 24, "CAMELLIA_CTR" },
	{ 25, "CAMELLIA_CCM_8" }, { 26, "CAMELLIA_CCM_12" }, { 27, "CAMELLIA_CCM_16" },
	{ 28, "CHACHA20_POLY1305" }, { 29, "AES_CCM_8_IIV" }, { 30, "AES_GCM_16_IIV" },
	{ 31, "CHACHA20_POLY1305_IIV" },
};

static const struct name_entry v2_prf[] = {
	{ 1, "PRF_HMAC_MD5" }, { 2, "PRF_HMAC_SHA1" }, { 3, "PRF_HMAC_TIGER" },
	{ 4, "PRF_AES128_XCBC" }, { 5, "PRF_HMAC_SHA2_256" }, { 6, "PRF_HMAC_SHA2_384" },
	{ 7, "PRF_HMAC_SHA2_512" }, { 8, "PRF_AES128_CMAC" }, { 9, "PRF_HMAC_STREEBOG_512" },
};

static const struct name_entry v2_integ[] = {
	{ 0, "NONE" }, { 1, "AUTH_HMAC_MD5_96" }, { 2, "AUTH_HMAC_SHA1_96" },
	{ 3, "AUTH_DES_MAC" }, { 4, "AUTH_KPDK_MD5" }, { 5, "AUTH_AES_XCBC_96" },
	{ 6, "AUTH_HMAC_MD5_128" }, { 7, "AUTH_HMAC_SHA1_160" }, { 8, "AUTH_AES_CMAC_96" },
	{ 9, "AUTH_AES_128_GMAC" }, { 10, "AUTH_AES_192_GMAC" }, { 11, "AUTH_AES_256_GMAC" },
	{ 12, "AUTH_HMAC_SHA2_256_128" }, { 13, "AUTH_HMAC_SHA2_384_192" },
	{ 14, "AUTH_HMAC_SHA2_512_256" },
};

static const struct name_entry v2_ke[] = {
	{ 0, "NONE" }, { 1, "MODP_768" }, { 2, "MODP_1024" }, { 5, "MODP_1536" },
	{ 14, "MODP_2048" }, { 15, "MODP_3072" }, { 16, "MODP_4096" }, { 17, "MODP_6144" },
	{ 18, "MODP_8192" }, { 19, "ECP_256" }, { 20, "ECP_384" }, { 21, "ECP_521" },
	{ 22, "MODP_1024_160" }, { 23, "MODP_2048_224" }, { 24, "MODP_2048_256" },
	{ 25, "ECP_192" }, { 26, "ECP_224" }, { 27, "BRAINPOOL_P224R1" },
	{ 28, "BRAINPOOL_P256R1" }, { 29, "BRAINPOOL_P384R1" }, { 30, "BRAINPOOL_P512R1" },
	{ 31, "CURVE25519" }, { 32, "CURVE448" }, { 33, "GOST3410_2012_256" },
	{ 34, "GOST3410_2012_512" }, { 35, "ML_KEM_512" }, { 36, "ML_KEM_768" },
	{ 37, "ML_KEM_1024" },
};

static const struct name_entry v2_esn[] = { { 0, "NO_ESN" }, { 1, "ESN" } };

static const struct name_entry v2_attrs[] = { { 14, "Key Length" } };

static const struct name_entry v2_auth[] = {
	{ 1, "RSA Digital Signature" }, { 2, "Shared Key Message Integrity Code" },
	{ 3, "DSS Digital Signature" }, { 9, "ECDSA with SHA-256 on P-256" },
	{ 10, "ECDSA with SHA-384 on P-384" }, { 11, "ECDSA with SHA-512 on P-521" },
	{ 12, "Generic Secure Password" }, { 13, "NULL Authentication" },
	{ 14, "Digital Signature" },
};

static const struct name_entry v2_protocols[] = { { 1, "IKE" }, { 2, "AH" }, { 3, "ESP" } };

static const struct name_entry v2_id_types[] = {
	{ 1, "ID_IPV4_ADDR" }, { 2, "ID_FQDN" }, { 3, "ID_RFC822_ADDR" }, { 5, "ID_IPV6_ADDR" },
	{ 9, "ID_DER_ASN1_DN" }, { 10, "ID_DER_ASN1_GN" }, { 11, "ID_KEY_ID" },
	{ 12, "ID_FC_NAME" }, { 13, "ID_NULL" },
};

static const struct name_entry natt_numberings[] = {
	{ IKS_NATT_RFC, "RFC 3947 (20/21)" },
	{ IKS_NATT_DRAFT_02, "draft 02/03 (130/131)" },
	{ IKS_NATT_DRAFT_04, "draft 04-08 (15/16)" },
};

const char *iks_ike_notify_name(int version, unsigned type)
{
	if (version == 1)
		return ike_v1_notify_name(type);
	return name_find(NAME_TABLE(v2_notify), type);
}

const char *iks_ike_id_type_name(int version, unsigned type)
{
	if (version == 1)
		return ike_v1_id_type_name(type);
	return name_find(NAME_TABLE(v2_id_types), type);
}

const char *iks_ike_protocol_name(int version, unsigned proto)
{
	if (version == 1)
		return ike_v1_protocol_name(proto);
	return name_find(NAME_TABLE(v2_protocols), proto);
}

const char *iks_ike_auth_method_name(unsigned m) { return name_find(NAME_TABLE(v2_auth), m); }
const char *iks_ike_v2_transform_type_name(unsigned t) { return name_find(NAME_TABLE(v2_tr_types), t); }
const char *iks_ike_v2_attr_name(unsigned t) { return name_find(NAME_TABLE(v2_attrs), t); }
const char *iks_ike_natt_numbering_name(int n)
{
	return n < 0 ? NULL : name_find(NAME_TABLE(natt_numberings), (unsigned)n);
}

const char *iks_ike_v2_transform_name(unsigned type, unsigned id)
{
	switch (type) {
	case 1: return name_find(NAME_TABLE(v2_encr), id);
	case 2: return name_find(NAME_TABLE(v2_prf), id);
	case 3: return name_find(NAME_TABLE(v2_integ), id);
	case 5: return name_find(NAME_TABLE(v2_esn), id);
	default:
		if (type == 4 || (type >= 6 && type <= 12))
			return name_find(NAME_TABLE(v2_ke), id);
		return NULL;
	}
}
