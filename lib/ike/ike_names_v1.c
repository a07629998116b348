/*
 * ike_names_v1.c - IKEv1 names, as data. Sources: RFC 2408 section 3.14.1
 * (notify types), RFC 2407 sections 4.4-4.6 (IPsec DOI: protocols,
 * transform IDs, SA attributes, ID types, notify types), RFC 2409
 * appendix A (phase 1 attributes), RFC 3947 section 5.1 (UDP-encapsulated
 * modes, with the draft values 61443/61444), RFC 3706 (DPD), IANA "IKE
 * Attributes" and "IPSEC DOI" registries, draft-ietf-ipsec-isakmp-xauth-06
 * and draft-ietf-ipsec-isakmp-gss-auth-07 (the private auth method 65001
 * that Windows uses for Kerberos, the same number XAUTH uses for
 * XAUTHInitPreShared).
 */
#include "config.h"

#include <ikescope/ike.h>

#include "ike/ike_names.h"

static const struct name_entry v1_notify[] = {
	{ 1, "INVALID-PAYLOAD-TYPE" }, { 2, "DOI-NOT-SUPPORTED" },
	{ 3, "SITUATION-NOT-SUPPORTED" }, { 4, "INVALID-COOKIE" },
	{ 5, "INVALID-MAJOR-VERSION" }, { 6, "INVALID-MINOR-VERSION" },
	{ 7, "INVALID-EXCHANGE-TYPE" }, { 8, "INVALID-FLAGS" },
	{ 9, "INVALID-MESSAGE-ID" }, { 10, "INVALID-PROTOCOL-ID" },
	{ 11, "INVALID-SPI" }, { 12, "INVALID-TRANSFORM-ID" },
	{ 13, "ATTRIBUTES-NOT-SUPPORTED" }, { 14, "NO-PROPOSAL-CHOSEN" },
	{ 15, "BAD-PROPOSAL-SYNTAX" }, { 16, "PAYLOAD-MALFORMED" },
	{ 17, "INVALID-KEY-INFORMATION" }, { 18, "INVALID-ID-INFORMATION" },
	{ 19, "INVALID-CERT-ENCODING" }, { 20, "INVALID-CERTIFICATE" },
	{ 21, "CERT-TYPE-UNSUPPORTED" }, { 22, "INVALID-CERT-AUTHORITY" },
	{ 23, "INVALID-HASH-INFORMATION" }, { 24, "AUTHENTICATION-FAILED" },
	{ 25, "INVALID-SIGNATURE" }, { 26, "ADDRESS-NOTIFICATION" },
	{ 27, "NOTIFY-SA-LIFETIME" }, { 28, "CERTIFICATE-UNAVAILABLE" },
	{ 29, "UNSUPPORTED-EXCHANGE-TYPE" }, { 30, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ 16384, "CONNECTED" },
	{ 24576, "RESPONDER-LIFETIME" }, { 24577, "REPLAY-STATUS" },
	{ 24578, "INITIAL-CONTACT" },
	{ 36136, "R-U-THERE" }, { 36137, "R-U-THERE-ACK" },
};

/* RFC 2409 appendix A: phase 1 attribute classes */
static const struct name_entry v1_attrs[] = {
	{ 1, "Encryption Algorithm" }, { 2, "Hash Algorithm" },
	{ 3, "Authentication Method" }, { 4, "Group Description" },
	{ 5, "Group Type" }, { 6, "Group Prime/Irreducible Polynomial" },
	{ 7, "Group Generator One" }, { 8, "Group Generator Two" },
	{ 9, "Group Curve A" }, { 10, "Group Curve B" }, { 11, "Life Type" },
	{ 12, "Life Duration" }, { 13, "PRF" }, { 14, "Key Length" },
	{ 15, "Field Size" }, { 16, "Group Order" },
};

static const struct name_entry v1_enc[] = {
	{ 1, "DES-CBC" }, { 2, "IDEA-CBC" }, { 3, "Blowfish-CBC" },
	{ 4, "RC5-R16-B64-CBC" }, { 5, "3DES-CBC" }, { 6, "CAST-CBC" },
	{ 7, "AES-CBC" }, { 8, "CAMELLIA-CBC" },
};

static const struct name_entry v1_hash[] = {
	{ 1, "MD5" }, { 2, "SHA" }, { 3, "Tiger" }, { 4, "SHA2-256" },
	{ 5, "SHA2-384" }, { 6, "SHA2-512" },
};

static const struct name_entry v1_auth[] = {
	{ 1, "pre-shared key" }, { 2, "DSS signatures" }, { 3, "RSA signatures" },
	{ 4, "Encryption with RSA" }, { 5, "Revised encryption with RSA" },
	{ 6, "Encryption with El-Gamal" }, { 7, "Revised encryption with El-Gamal" },
	{ 8, "ECDSA signatures" }, { 9, "ECDSA with SHA-256 on P-256" },
	{ 10, "ECDSA with SHA-384 on P-384" }, { 11, "ECDSA with SHA-512 on P-521" },
	{ 64221, "HybridInitRSA" }, { 64222, "HybridRespRSA" },
	{ 64223, "HybridInitDSS" }, { 64224, "HybridRespDSS" },
	{ 65001, "Kerberos (GSS-API, Windows) / XAUTHInitPreShared" },
	{ 65002, "XAUTHRespPreShared" }, { 65003, "XAUTHInitDSS" },
	{ 65004, "XAUTHRespDSS" }, { 65005, "XAUTHInitRSA" }, { 65006, "XAUTHRespRSA" },
	{ 65007, "XAUTHInitRSAEncryption" }, { 65008, "XAUTHRespRSAEncryption" },
	{ 65009, "XAUTHInitRSARevisedEncryption" }, { 65010, "XAUTHRespRSARevisedEncryption" },
};

/* IANA "IKE Attributes" Group Description, shared with IPsec attribute 3 */
static const struct name_entry v1_group[] = {
	{ 1, "768-bit MODP" }, { 2, "1024-bit MODP" }, { 3, "EC2N GP[2^155]" },
	{ 4, "EC2N GP[2^185]" }, { 5, "1536-bit MODP" }, { 14, "2048-bit MODP" },
	{ 15, "3072-bit MODP" }, { 16, "4096-bit MODP" }, { 17, "6144-bit MODP" },
	{ 18, "8192-bit MODP" }, { 19, "256-bit random ECP" }, { 20, "384-bit random ECP" },
	{ 21, "521-bit random ECP" }, { 22, "1024-bit MODP with 160-bit subgroup" },
	{ 23, "2048-bit MODP with 224-bit subgroup" }, { 24, "2048-bit MODP with 256-bit subgroup" },
	{ 25, "192-bit random ECP" }, { 26, "224-bit random ECP" },
	{ 27, "brainpoolP224r1" }, { 28, "brainpoolP256r1" }, { 29, "brainpoolP384r1" },
	{ 30, "brainpoolP512r1" }, { 31, "Curve25519" }, { 32, "Curve448" },
};

static const struct name_entry v1_group_type[] = { { 1, "MODP" }, { 2, "ECP" }, { 3, "EC2N" } };
static const struct name_entry v1_life_type[] = { { 1, "seconds" }, { 2, "kilobytes" } };

/* RFC 2407 4.5: IPsec SA attributes */
static const struct name_entry ipsec_attrs[] = {
	{ 1, "SA Life Type" }, { 2, "SA Life Duration" }, { 3, "Group Description" },
	{ 4, "Encapsulation Mode" }, { 5, "Authentication Algorithm" }, { 6, "Key Length" },
	{ 7, "Key Rounds" }, { 8, "Compress Dictionary Size" },
	{ 9, "Compress Private Algorithm" }, { 10, "ECN Tunnel" },
	{ 11, "Extended (64-bit) Sequence Number" },
};

static const struct name_entry ipsec_encap[] = {
	{ 1, "Tunnel" }, { 2, "Transport" },
	{ 3, "UDP-Encapsulated-Tunnel" }, { 4, "UDP-Encapsulated-Transport" },
	{ 61443, "UDP-Encapsulated-Tunnel (draft)" },
	{ 61444, "UDP-Encapsulated-Transport (draft)" },
};

static const struct name_entry ipsec_auth[] = {
	{ 1, "HMAC-MD5" }, { 2, "HMAC-SHA" }, { 3, "DES-MAC" }, { 4, "KPDK" },
	{ 5, "HMAC-SHA2-256" }, { 6, "HMAC-SHA2-384" }, { 7, "HMAC-SHA2-512" },
	{ 8, "HMAC-RIPEMD" }, { 9, "AES-XCBC-MAC" }, { 10, "SIG-RSA" },
	{ 11, "AES-128-GMAC" }, { 12, "AES-192-GMAC" }, { 13, "AES-256-GMAC" },
};

static const struct name_entry ipsec_esn[] = { { 0, "no" }, { 1, "yes" } };

/* RFC 2407 4.4: transform IDs per protocol */
static const struct name_entry tr_isakmp[] = { { 1, "KEY_IKE" } };
static const struct name_entry tr_ah[] = {
	{ 2, "AH_MD5" }, { 3, "AH_SHA" }, { 4, "AH_DES" }, { 5, "AH_SHA2-256" },
	{ 6, "AH_SHA2-384" }, { 7, "AH_SHA2-512" }, { 8, "AH_RIPEMD" },
	{ 9, "AH_AES-XCBC-MAC" }, { 10, "AH_RSA" }, { 11, "AH_AES-128-GMAC" },
	{ 12, "AH_AES-192-GMAC" }, { 13, "AH_AES-256-GMAC" },
};
static const struct name_entry tr_esp[] = {
	{ 1, "ESP_DES_IV64" }, { 2, "ESP_DES" }, { 3, "ESP_3DES" }, { 4, "ESP_RC5" },
	{ 5, "ESP_IDEA" }, { 6, "ESP_CAST" }, { 7, "ESP_BLOWFISH" }, { 8, "ESP_3IDEA" },
	{ 9, "ESP_DES_IV32" }, { 10, "ESP_RC4" }, { 11, "ESP_NULL" }, { 12, "ESP_AES-CBC" },
	{ 13, "ESP_AES-CTR" }, { 14, "ESP_AES-CCM_8" }, { 15, "ESP_AES-CCM_12" },
	{ 16, "ESP_AES-CCM_16" }, { 18, "ESP_AES-GCM_8" }, { 19, "ESP_AES-GCM_12" },
	{ 20, "ESP_AES-GCM_16" }, { 21, "ESP_SEED_CBC" }, { 22, "ESP_CAMELLIA" },
	{ 23, "ESP_NULL_AUTH_AES-GMAC" },
};
static const struct name_entry tr_ipcomp[] = {
	{ 1, "IPCOMP_OUI" }, { 2, "IPCOMP_DEFLATE" }, { 3, "IPCOMP_LZS" }, { 4, "IPCOMP_LZJH" },
};

static const struct name_entry v1_protocols[] = {
	{ 1, "PROTO_ISAKMP" }, { 2, "PROTO_IPSEC_AH" }, { 3, "PROTO_IPSEC_ESP" },
	{ 4, "PROTO_IPCOMP" },
};

/* RFC 2407 4.6.2.1 (and RFC 3554 ID_LIST) */
static const struct name_entry v1_id_types[] = {
	{ 1, "ID_IPV4_ADDR" }, { 2, "ID_FQDN" }, { 3, "ID_USER_FQDN" },
	{ 4, "ID_IPV4_ADDR_SUBNET" }, { 5, "ID_IPV6_ADDR" }, { 6, "ID_IPV6_ADDR_SUBNET" },
	{ 7, "ID_IPV4_ADDR_RANGE" }, { 8, "ID_IPV6_ADDR_RANGE" }, { 9, "ID_DER_ASN1_DN" },
	{ 10, "ID_DER_ASN1_GN" }, { 11, "ID_KEY_ID" }, { 12, "ID_LIST" },
};

/* mode config (draft-ietf-ipsec-isakmp-mode-cfg-05 3.2), XAUTH, Cisco Unity;
 * IKEv2 CP (RFC 7296 3.15.1 and IANA) */
static const struct name_entry cfg_attrs[] = {
	{ 1, "INTERNAL_IP4_ADDRESS" }, { 2, "INTERNAL_IP4_NETMASK" },
	{ 3, "INTERNAL_IP4_DNS" }, { 4, "INTERNAL_IP4_NBNS" },
	{ 5, "INTERNAL_ADDRESS_EXPIRY" }, { 6, "INTERNAL_IP4_DHCP" },
	{ 7, "APPLICATION_VERSION" }, { 8, "INTERNAL_IP6_ADDRESS" },
	{ 9, "INTERNAL_IP6_NETMASK" }, { 10, "INTERNAL_IP6_DNS" },
	{ 11, "INTERNAL_IP6_NBNS" }, { 12, "INTERNAL_IP6_DHCP" },
	{ 13, "INTERNAL_IP4_SUBNET" }, { 14, "SUPPORTED_ATTRIBUTES" },
	{ 15, "INTERNAL_IP6_SUBNET" },
	{ 16520, "XAUTH-TYPE" }, { 16521, "XAUTH-USER-NAME" }, { 16522, "XAUTH-USER-PASSWORD" },
	{ 16523, "XAUTH-PASSCODE" }, { 16524, "XAUTH-MESSAGE" }, { 16525, "XAUTH-CHALLENGE" },
	{ 16526, "XAUTH-DOMAIN" }, { 16527, "XAUTH-STATUS" }, { 16528, "XAUTH-NEXT-PIN" },
	{ 16529, "XAUTH-ANSWER" },
	{ 28672, "UNITY_BANNER" }, { 28673, "UNITY_SAVE_PASSWD" }, { 28674, "UNITY_DEF_DOMAIN" },
	{ 28675, "UNITY_SPLITDNS_NAME" }, { 28676, "UNITY_SPLIT_INCLUDE" },
	{ 28677, "UNITY_NATT_PORT" }, { 28678, "UNITY_LOCAL_LAN" }, { 28679, "UNITY_PFS" },
	{ 28680, "UNITY_FW_TYPE" }, { 28681, "UNITY_BACKUP_SERVERS" },
	{ 28682, "UNITY_DDNS_HOSTNAME" },
};

static const struct name_entry cfg_attrs_v2[] = {
	{ 1, "INTERNAL_IP4_ADDRESS" }, { 2, "INTERNAL_IP4_NETMASK" },
	{ 3, "INTERNAL_IP4_DNS" }, { 4, "INTERNAL_IP4_NBNS" }, { 6, "INTERNAL_IP4_DHCP" },
	{ 7, "APPLICATION_VERSION" }, { 8, "INTERNAL_IP6_ADDRESS" }, { 10, "INTERNAL_IP6_DNS" },
	{ 12, "INTERNAL_IP6_DHCP" }, { 13, "INTERNAL_IP4_SUBNET" },
	{ 14, "SUPPORTED_ATTRIBUTES" }, { 15, "INTERNAL_IP6_SUBNET" },
	{ 16, "MIP6_HOME_PREFIX" }, { 17, "INTERNAL_IP6_LINK" }, { 18, "INTERNAL_IP6_PREFIX" },
	{ 19, "HOME_AGENT_ADDRESS" }, { 20, "P_CSCF_IP4_ADDRESS" }, { 21, "P_CSCF_IP6_ADDRESS" },
	{ 22, "FTT_KAT" }, { 23, "EXTERNAL_SOURCE_IP4_NAT_INFO" },
	{ 24, "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK" }, { 25, "INTERNAL_DNS_DOMAIN" },
	{ 26, "INTERNAL_DNSSEC_TA" },
};

/* RFC 2408 3.9 and RFC 7296 3.6 share the numbers */
static const struct name_entry cert_enc[] = {
	{ 1, "PKCS #7 wrapped X.509 certificate" }, { 2, "PGP Certificate" },
	{ 3, "DNS Signed Key" }, { 4, "X.509 Certificate - Signature" },
	{ 5, "X.509 Certificate - Key Exchange" }, { 6, "Kerberos Tokens" },
	{ 7, "Certificate Revocation List (CRL)" }, { 8, "Authority Revocation List (ARL)" },
	{ 9, "SPKI Certificate" }, { 10, "X.509 Certificate - Attribute" },
	{ 11, "Raw RSA Key" }, { 12, "Hash and URL of X.509 certificate" },
	{ 13, "Hash and URL of X.509 bundle" }, { 14, "OCSP Content" },
	{ 15, "Raw Public Key" },
};

const char *iks_ike_v1_attr_name(unsigned type) { return name_find(NAME_TABLE(v1_attrs), type); }
const char *iks_ike_v1_ipsec_attr_name(unsigned type) { return name_find(NAME_TABLE(ipsec_attrs), type); }
const char *iks_ike_cert_encoding_name(unsigned enc) { return name_find(NAME_TABLE(cert_enc), enc); }

const char *iks_ike_v1_attr_value_name(unsigned type, unsigned value)
{
	switch (type) {
	case 1: return name_find(NAME_TABLE(v1_enc), value);
	case 2: return name_find(NAME_TABLE(v1_hash), value);
	case 3: return name_find(NAME_TABLE(v1_auth), value);
	case 4: return name_find(NAME_TABLE(v1_group), value);
	case 5: return name_find(NAME_TABLE(v1_group_type), value);
	case 11: return name_find(NAME_TABLE(v1_life_type), value);
	default: return NULL;
	}
}

const char *iks_ike_v1_ipsec_attr_value_name(unsigned type, unsigned value)
{
	switch (type) {
	case 1: return name_find(NAME_TABLE(v1_life_type), value);
	case 3: return name_find(NAME_TABLE(v1_group), value);
	case 4: return name_find(NAME_TABLE(ipsec_encap), value);
	case 5: return name_find(NAME_TABLE(ipsec_auth), value);
	case 11: return name_find(NAME_TABLE(ipsec_esn), value);
	default: return NULL;
	}
}

const char *iks_ike_v1_transform_name(unsigned protocol, unsigned id)
{
	switch (protocol) {
	case 1: return name_find(NAME_TABLE(tr_isakmp), id);
	case 2: return name_find(NAME_TABLE(tr_ah), id);
	case 3: return name_find(NAME_TABLE(tr_esp), id);
	case 4: return name_find(NAME_TABLE(tr_ipcomp), id);
	default: return NULL;
	}
}

const char *ike_v1_notify_name(unsigned type) { return name_find(NAME_TABLE(v1_notify), type); }
const char *ike_v1_protocol_name(unsigned p) { return name_find(NAME_TABLE(v1_protocols), p); }
const char *ike_v1_id_type_name(unsigned t) { return name_find(NAME_TABLE(v1_id_types), t); }

const char *iks_ike_config_attr_name(int version, unsigned type)
{
	if (version == 2)
		return name_find(NAME_TABLE(cfg_attrs_v2), type);
	return name_find(NAME_TABLE(cfg_attrs), type);
}
