/*
 * oakley_errors.c - Windows IKE status codes (data): the ERROR_IPSEC_IKE_*
 * system error codes, 13801 (0x35E9) and up, with their message texts. The
 * texts are the failure reasons of audit event 547 and of Oakley.log
 * failure records.
 *
 * Source: Microsoft, "System Error Codes (12000-15999)" (winerror.h),
 * written down from knowledge of that page, not copied from a file here.
 * Entries marked "unsure" are those whose exact wording or number could
 * not be checked; 13800, 13897 and 13909 are range markers in winerror.h
 * (..._NEG_STATUS_BEGIN / _END / _EXTENDED_END), not statuses.
 */
#include "config.h"

#include <ikescope/log.h>

struct ike_error {
	uint32_t code;
	const char *name;
	const char *text;
};

static const struct ike_error ike_errors[] = {
	{ 13801, "ERROR_IPSEC_IKE_AUTH_FAIL", "IKE authentication credentials are unacceptable" },
	{ 13802, "ERROR_IPSEC_IKE_ATTRIB_FAIL", "IKE security attributes are unacceptable" },
	{ 13803, "ERROR_IPSEC_IKE_NEGOTIATION_PENDING", "IKE Negotiation in progress" },
	{ 13804, "ERROR_IPSEC_IKE_GENERAL_PROCESSING_ERROR", "General processing error" },
	{ 13805, "ERROR_IPSEC_IKE_TIMED_OUT", "Negotiation timed out" },
	{ 13806, "ERROR_IPSEC_IKE_NO_CERT", "IKE failed to find valid machine certificate. Contact "
	  "your Network Security Administrator about installing a valid certificate in the "
	  "appropriate Certificate Store" },
	{ 13807, "ERROR_IPSEC_IKE_SA_DELETED", "IKE SA deleted by peer before establishment completed" },
	{ 13808, "ERROR_IPSEC_IKE_SA_REAPED", "IKE SA deleted before establishment completed" },
	{ 13809, "ERROR_IPSEC_IKE_MM_ACQUIRE_DROP", "Negotiation request sat in Queue too long" },
	{ 13810, "ERROR_IPSEC_IKE_QM_ACQUIRE_DROP", "Negotiation request sat in Queue too long" },
	{ 13811, "ERROR_IPSEC_IKE_QUEUE_DROP_MM", "Negotiation request sat in Queue too long" },
	{ 13812, "ERROR_IPSEC_IKE_QUEUE_DROP_NO_MM", "Negotiation request sat in Queue too long" },
	{ 13813, "ERROR_IPSEC_IKE_DROP_NO_RESPONSE", "No response from peer" },
	{ 13814, "ERROR_IPSEC_IKE_MM_DELAY_DROP", "Negotiation took too long" },
	{ 13815, "ERROR_IPSEC_IKE_QM_DELAY_DROP", "Negotiation took too long" },
	{ 13816, "ERROR_IPSEC_IKE_ERROR", "Unknown error occurred" },
	{ 13817, "ERROR_IPSEC_IKE_CRL_FAILED", "Certificate Revocation Check failed" },
	{ 13818, "ERROR_IPSEC_IKE_INVALID_KEY_USAGE", "Invalid certificate key usage" },
	{ 13819, "ERROR_IPSEC_IKE_INVALID_CERT_TYPE", "Invalid certificate type" },
	{ 13820, "ERROR_IPSEC_IKE_NO_PRIVATE_KEY", "IKE negotiation failed because the machine "
	  "certificate used does not have a private key. IPsec certificates require a private key" },
	{ 13821, "ERROR_IPSEC_IKE_SIMULTANEOUS_REKEY", "Simultaneous rekeys were detected" },
	{ 13822, "ERROR_IPSEC_IKE_DH_FAIL", "Failure in Diffie-Hellman computation" },
	{ 13823, "ERROR_IPSEC_IKE_CRITICAL_PAYLOAD_NOT_RECOGNIZED",
	  "Don't know how to process critical payload" },
	{ 13824, "ERROR_IPSEC_IKE_INVALID_HEADER", "Invalid header" },
	{ 13825, "ERROR_IPSEC_IKE_NO_POLICY", "No policy configured" },
	{ 13826, "ERROR_IPSEC_IKE_INVALID_SIGNATURE", "Failed to verify signature" },
	{ 13827, "ERROR_IPSEC_IKE_KERBEROS_ERROR", "Failed to authenticate using Kerberos" },
	{ 13828, "ERROR_IPSEC_IKE_NO_PUBLIC_KEY", "Peer's certificate did not have a public key" },
	{ 13829, "ERROR_IPSEC_IKE_PROCESS_ERR", "Error processing error payload" },
	{ 13830, "ERROR_IPSEC_IKE_PROCESS_ERR_SA", "Error processing SA payload" },
	{ 13831, "ERROR_IPSEC_IKE_PROCESS_ERR_PROP", "Error processing Proposal payload" },
	{ 13832, "ERROR_IPSEC_IKE_PROCESS_ERR_TRANS", "Error processing Transform payload" },
	{ 13833, "ERROR_IPSEC_IKE_PROCESS_ERR_KE", "Error processing KE payload" },
	{ 13834, "ERROR_IPSEC_IKE_PROCESS_ERR_ID", "Error processing ID payload" },
	{ 13835, "ERROR_IPSEC_IKE_PROCESS_ERR_CERT", "Error processing Cert payload" },
	{ 13836, "ERROR_IPSEC_IKE_PROCESS_ERR_CERT_REQ", "Error processing Certificate Request payload" },
	{ 13837, "ERROR_IPSEC_IKE_PROCESS_ERR_HASH", "Error processing Hash payload" },
	{ 13838, "ERROR_IPSEC_IKE_PROCESS_ERR_SIG", "Error processing Signature payload" },
	{ 13839, "ERROR_IPSEC_IKE_PROCESS_ERR_NONCE", "Error processing Nonce payload" },
	{ 13840, "ERROR_IPSEC_IKE_PROCESS_ERR_NOTIFY", "Error processing Notify payload" },
	{ 13841, "ERROR_IPSEC_IKE_PROCESS_ERR_DELETE", "Error processing Delete Payload" },
	{ 13842, "ERROR_IPSEC_IKE_PROCESS_ERR_VENDOR", "Error processing VendorId payload" },
	{ 13843, "ERROR_IPSEC_IKE_INVALID_PAYLOAD", "Invalid payload received" },
	{ 13844, "ERROR_IPSEC_IKE_LOAD_SOFT_SA", "Soft SA loaded" },
	{ 13845, "ERROR_IPSEC_IKE_SOFT_SA_TORN_DOWN", "Soft SA torn down" },
	{ 13846, "ERROR_IPSEC_IKE_INVALID_COOKIE", "Invalid cookie received" },
	{ 13847, "ERROR_IPSEC_IKE_NO_PEER_CERT", "Peer failed to send valid machine certificate" },
	{ 13848, "ERROR_IPSEC_IKE_PEER_CRL_FAILED",
	  "Certification Revocation check of peer's certificate failed" },
	{ 13849, "ERROR_IPSEC_IKE_POLICY_CHANGE", "New policy invalidated SAs formed with old policy" },
	{ 13850, "ERROR_IPSEC_IKE_NO_MM_POLICY", "There is no available Main Mode IKE policy" },
	{ 13851, "ERROR_IPSEC_IKE_NOTCBPRIV", "Failed to enabled TCB privilege" },
	{ 13852, "ERROR_IPSEC_IKE_SECLOADFAIL", "Failed to load SECURITY.DLL" },
	{ 13853, "ERROR_IPSEC_IKE_FAILSSPINIT",
	  "Failed to obtain security function table dispatch address from SSPI" },
	{ 13854, "ERROR_IPSEC_IKE_FAILQUERYSSP",
	  "Failed to query Kerberos package to obtain max token size" },
	{ 13855, "ERROR_IPSEC_IKE_SRVACQFAIL", "Failed to obtain Kerberos server credentials for "
	  "ISAKMP/ERROR_IPSEC_IKE service. Kerberos authentication will not function" },
	{ 13856, "ERROR_IPSEC_IKE_SRVQUERYCRED", "Failed to determine SSPI principal name for "
	  "ISAKMP/ERROR_IPSEC_IKE service (QueryCredentialsAttributes)" },
	{ 13857, "ERROR_IPSEC_IKE_GETSPIFAIL", "Failed to obtain new SPI for the inbound SA from "
	  "IPsec driver. The most common cause for this is that the driver does not have the "
	  "correct filter" },
	{ 13858, "ERROR_IPSEC_IKE_INVALID_FILTER", "Given filter is invalid" },
	{ 13859, "ERROR_IPSEC_IKE_OUT_OF_MEMORY", "Memory allocation failed" },
	{ 13860, "ERROR_IPSEC_IKE_ADD_UPDATE_KEY_FAILED", "Failed to add Security Association to "
	  "IPsec Driver. The most common cause for this is if the IKE negotiation took too long "
	  "to complete" },
	{ 13861, "ERROR_IPSEC_IKE_INVALID_POLICY", "Invalid policy" },
	{ 13862, "ERROR_IPSEC_IKE_UNKNOWN_DOI", "Invalid DOI" },
	{ 13863, "ERROR_IPSEC_IKE_INVALID_SITUATION", "Invalid situation" },
	{ 13864, "ERROR_IPSEC_IKE_DH_FAILURE", "Diffie-Hellman failure" },
	{ 13865, "ERROR_IPSEC_IKE_INVALID_GROUP", "Invalid Diffie-Hellman group" },
	{ 13866, "ERROR_IPSEC_IKE_ENCRYPT", "Error encrypting payload" },
	{ 13867, "ERROR_IPSEC_IKE_DECRYPT", "Error decrypting payload" },
	{ 13868, "ERROR_IPSEC_IKE_POLICY_MATCH", "Policy match error" },
	{ 13869, "ERROR_IPSEC_IKE_UNSUPPORTED_ID", "Unsupported ID" },
	{ 13870, "ERROR_IPSEC_IKE_INVALID_HASH", "Hash verification failed" },
	{ 13871, "ERROR_IPSEC_IKE_INVALID_HASH_ALG", "Invalid hash algorithm" },
	{ 13872, "ERROR_IPSEC_IKE_INVALID_HASH_SIZE", "Invalid hash size" },
	{ 13873, "ERROR_IPSEC_IKE_INVALID_ENCRYPT_ALG", "Invalid encryption algorithm" },
	{ 13874, "ERROR_IPSEC_IKE_INVALID_AUTH_ALG", "Invalid authentication algorithm" },
	{ 13875, "ERROR_IPSEC_IKE_INVALID_SIG", "Invalid certificate signature" },
	{ 13876, "ERROR_IPSEC_IKE_LOAD_FAILED", "Load failed" },
	{ 13877, "ERROR_IPSEC_IKE_RPC_DELETE", "Deleted via RPC call" },
	{ 13878, "ERROR_IPSEC_IKE_BENIGN_REINIT", "Temporary state created to perform "
	  "reinitialization. This is not a real failure" },
	{ 13879, "ERROR_IPSEC_IKE_INVALID_RESPONDER_LIFETIME_NOTIFY", "The lifetime value received "
	  "in the Responder Lifetime Notify is below the Windows 2000 configured minimum value" },
	/* 13880-13896: Windows Vista and later (IKEEXT) */
	{ 13880, "ERROR_IPSEC_IKE_INVALID_MAJOR_VERSION",
	  "The recipient cannot handle version of IKE specified in the header" },
	{ 13881, "ERROR_IPSEC_IKE_INVALID_CERT_KEYLEN",
	  "Key length in certificate is too small for configured security requirements" },
	{ 13882, "ERROR_IPSEC_IKE_MM_LIMIT", "Max number of established MM SAs to peer exceeded" },
	{ 13883, "ERROR_IPSEC_IKE_NEGOTIATION_DISABLED", "IKE received a policy that disables negotiation" },
	{ 13884, "ERROR_IPSEC_IKE_QM_LIMIT", "Reached maximum quick mode limit for the main mode. "
	  "New main mode will be started" },
	{ 13885, "ERROR_IPSEC_IKE_MM_EXPIRED",
	  "Main mode SA lifetime expired or peer sent a main mode delete" },
	{ 13886, "ERROR_IPSEC_IKE_PEER_MM_ASSUMED_INVALID",
	  "Main mode SA assumed to be invalid because peer stopped responding" },
	{ 13887, "ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH",
	  "Certificate doesn't chain to a trusted root in IPsec policy" },
	{ 13888, "ERROR_IPSEC_IKE_UNEXPECTED_MESSAGE_ID", "Received unexpected message ID" },
	{ 13889, "ERROR_IPSEC_IKE_INVALID_AUTH_PAYLOAD", "Received invalid authentication offers" },
	{ 13890, "ERROR_IPSEC_IKE_DOS_COOKIE_SENT", "Sent DoS cookie notify to initiator" },
	{ 13891, "ERROR_IPSEC_IKE_SHUTTING_DOWN", "IKE service is shutting down" },
	{ 13892, "ERROR_IPSEC_IKE_CGA_AUTH_FAILED",
	  "Could not verify binding between CGA address and certificate" },
	{ 13893, "ERROR_IPSEC_IKE_PROCESS_ERR_NATOA", "Error processing NatOA payload" },
	{ 13894, "ERROR_IPSEC_IKE_INVALID_MM_FOR_QM",
	  "Parameters of the main mode are invalid for this quick mode" },
	{ 13895, "ERROR_IPSEC_IKE_QM_EXPIRED", "Quick mode SA was expired by IPsec driver" },
	{ 13896, "ERROR_IPSEC_IKE_TOO_MANY_FILTERS",
	  "Too many dynamically added IKEEXT filters were detected" },
	/* 13898-13908: Windows 7 / Server 2008 R2 and later; unsure of the
	 * exact wording of several texts, numbers as remembered */
	{ 13898, "ERROR_IPSEC_IKE_KILL_DUMMY_NAP_TUNNEL",
	  "NAP reauth succeeded and must delete the dummy NAP IKEv2 tunnel" },
	{ 13899, "ERROR_IPSEC_IKE_INNER_IP_ASSIGNMENT_FAILURE",
	  "Error in assigning inner IP address to initiator in tunnel mode" },
	{ 13900, "ERROR_IPSEC_IKE_REQUIRE_CP_PAYLOAD_MISSING", "Require configuration payload missing" },
	{ 13901, "ERROR_IPSEC_KEY_MODULE_IMPERSONATION_NEGOTIATION_PENDING", "A negotiation running "
	  "as the security principle who issued the connection is in progress" },
	{ 13902, "ERROR_IPSEC_IKE_COEXISTENCE_SUPPRESS",
	  "SA was deleted due to IKEv1/AuthIP co-existence suppress check" },
	{ 13903, "ERROR_IPSEC_IKE_RATELIMIT_DROP",
	  "Incoming SA request was dropped due to peer IP address rate limiting" },
	{ 13904, "ERROR_IPSEC_IKE_PEER_DOESNT_SUPPORT_MOBIKE", "Peer does not support MOBIKE" },
	{ 13905, "ERROR_IPSEC_IKE_AUTHORIZATION_FAILURE", "SA establishment is not authorized" },
	{ 13906, "ERROR_IPSEC_IKE_STRONG_CRED_AUTHORIZATION_FAILURE", "SA establishment is not "
	  "authorized because there is not a sufficiently strong PKINIT-based credential" },
	{ 13907, "ERROR_IPSEC_IKE_AUTHORIZATION_FAILURE_WITH_OPTIONAL_RETRY", "SA establishment is "
	  "not authorized. You may need to enter updated or different credentials such as a smartcard" },
	{ 13908, "ERROR_IPSEC_IKE_STRONG_CRED_AUTHORIZATION_AND_CERTMAP_FAILURE", "SA establishment "
	  "is not authorized because there is not a sufficiently strong PKINIT-based credential. "
	  "This might be related to certificate-to-account mapping failure for the SA" },
};

static const struct ike_error *find(uint32_t code)
{
	size_t n = sizeof(ike_errors) / sizeof(ike_errors[0]);
	if (code < ike_errors[0].code || code > ike_errors[n - 1].code)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (ike_errors[i].code == code)
			return &ike_errors[i];
	return NULL;
}

const char *iks_ike_error_name(uint32_t code)
{
	const struct ike_error *e = find(code);
	return e ? e->name : NULL;
}

const char *iks_ike_error_text(uint32_t code)
{
	const struct ike_error *e = find(code);
	return e ? e->text : NULL;
}
