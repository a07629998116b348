/*
 * ikescope/ike.h - IKEv1 and IKEv2 payload bodies, decoded.
 *
 * An iks_ike_msg is plain data: a bounded array of payload records in
 * chain order, with the variable parts of SA, traffic-selector and
 * attribute payloads in flat side arrays (a payload names its first entry
 * and a count). Spans point into the bytes that were decoded (the frame,
 * or a buffer of the decoder for reassembled messages) and stay valid as
 * long as those bytes do. Nothing here is ever printed by the library.
 *
 * Sources: RFC 2407, 2408, 2409 (IKEv1), RFC 3947 (NAT-T), RFC 7296
 * (IKEv2), RFC 7383 (IKEv2 fragmentation), IANA "ISAKMP Identifiers",
 * "IPSEC Domain of Interpretation", "IKE Attributes" and "IKEv2
 * Parameters" registries.
 */
#ifndef IKESCOPE_IKE_H
#define IKESCOPE_IKE_H

#include <ikescope/common.h>
#include <ikescope/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IKS_IKE_MSG_MAX_PAYLOADS 64
#define IKS_IKE_MSG_MAX_PROPOSALS 32
#define IKS_IKE_MSG_MAX_TRANSFORMS 128
#define IKS_IKE_MSG_MAX_ATTRS 256
#define IKS_IKE_MSG_MAX_TS 32

/* What a payload body is, independent of its number (the same kind can
 * have different numbers: NAT-D is 20, 130 or 15 depending on NAT-T). */
enum iks_ike_kind {
	IKS_PK_UNKNOWN = 0,   /* body not decoded: only `body` is set */
	IKS_PK_SA = 1,        /* v1 1 / v2 33 */
	IKS_PK_KE = 2,        /* v1 4 / v2 34 */
	IKS_PK_ID = 3,        /* v1 5 / v2 35, 36 */
	IKS_PK_CERT = 4,      /* v1 6 / v2 37 */
	IKS_PK_CR = 5,        /* v1 7 / v2 38 */
	IKS_PK_HASH = 6,      /* v1 8 */
	IKS_PK_SIG = 7,       /* v1 9 */
	IKS_PK_AUTH = 8,      /* v2 39 */
	IKS_PK_NONCE = 9,     /* v1 10 / v2 40 */
	IKS_PK_NOTIFY = 10,   /* v1 11 / v2 41 */
	IKS_PK_DELETE = 11,   /* v1 12 / v2 42 */
	IKS_PK_VID = 12,      /* v1 13 / v2 43 */
	IKS_PK_CONFIG = 13,   /* v1 14 (mode config) / v2 47 (CP) */
	IKS_PK_NAT_D = 14,    /* v1 20, 130 or 15 per negotiated NAT-T */
	IKS_PK_NAT_OA = 15,   /* v1 21, 131 or 16 per negotiated NAT-T */
	IKS_PK_FRAG = 16,     /* v1 132 (Cisco/Microsoft-style IKE fragment) */
	IKS_PK_TS = 17,       /* v2 44, 45 */
	IKS_PK_SK = 18,       /* v2 46 */
	IKS_PK_SKF = 19,      /* v2 53 (RFC 7383) */
	IKS_PK_EAP = 20       /* v2 48 */
};

/* A data attribute (RFC 2408 section 3.3, RFC 7296 section 3.3.5) or a
 * configuration attribute (RFC 2408-era mode config, RFC 7296 3.15.1). */
typedef struct iks_ike_attr {
	uint16_t type;        /* attribute type without the AF bit */
	bool basic;           /* AF set (TV): `value` is the 16-bit value */
	uint32_t value;       /* basic value, or a variable value of 1..4 bytes as a number */
	bool has_value;       /* `value` is meaningful */
	iks_span data;        /* variable value bytes (empty for basic) */
	uint32_t offset;      /* from the start of the ISAKMP header */
} iks_ike_attr;

/* A transform (RFC 2408 section 3.6 / RFC 7296 section 3.3.2). */
typedef struct iks_ike_transform {
	uint8_t number;       /* v1 transform number; 0 in v2 */
	uint8_t type;         /* v2 transform type (1 ENCR ... 5 ESN); 0 in v1 */
	uint16_t id;          /* v1 transform ID / v2 transform ID */
	uint16_t attr_first;  /* index into iks_ike_msg.attrs */
	uint16_t attr_count;
	uint32_t offset;
} iks_ike_transform;

/* A proposal (RFC 2408 section 3.5 / RFC 7296 section 3.3.1). */
typedef struct iks_ike_proposal {
	uint8_t number;
	uint8_t protocol;     /* 1 ISAKMP/IKE, 2 AH, 3 ESP (4 IPCOMP in v1) */
	uint8_t spi_size;
	uint8_t transforms_declared;
	iks_span spi;
	uint16_t tr_first;    /* index into iks_ike_msg.transforms */
	uint16_t tr_count;
	uint32_t offset;
} iks_ike_proposal;

/* An IKEv2 traffic selector (RFC 7296 section 3.13.1). */
typedef struct iks_ike_ts {
	uint8_t type;         /* 7 IPv4 range, 8 IPv6 range */
	uint8_t ip_proto;
	uint16_t start_port, end_port;
	iks_addr start, end;
	uint32_t offset;
} iks_ike_ts;

/* Result of checking a NAT-D hash against this capture's addresses. */
enum iks_natd_result {
	IKS_NATD_UNCHECKED = 0, /* not verifiable (no hash algorithm known yet, no IP/UDP) */
	IKS_NATD_MATCH = 1,     /* recomputed hash equals the payload's */
	IKS_NATD_MISMATCH = 2   /* differs: see iks_ike_payload.natd_* for which side */
};

/* One payload of the chain with its body decoded. Which fields are set
 * depends on `kind`; the others are zero. */
typedef struct iks_ike_payload {
	uint8_t type;         /* number in the chain */
	uint8_t kind;         /* an iks_ike_kind */
	uint8_t flags;        /* octet after next-payload (v2 critical bit 0x80) */
	uint8_t next;         /* next-payload field */
	uint16_t length;      /* generic header length, header included */
	uint32_t offset;      /* from the start of the ISAKMP header */
	iks_span body;        /* bytes after the 4-byte generic header */
	iks_status status;    /* IKS_OK, or why the body could not be decoded */
	uint32_t err_offset;  /* from the start of the ISAKMP header */
	const char *reason;   /* static text when status != IKS_OK */

	/* SA: v1 DOI and situation (RFC 2408 3.4), proposals */
	uint32_t doi, situation;
	uint16_t prop_first, prop_count;
	/* KE: v2 DH group; data = key exchange data */
	uint16_t group;
	/* ID (v1: type, protocol, port; v2: type), NAT-OA (type): id_type;
	 * addresses decoded for address/subnet/range types; else data */
	uint8_t id_type;
	uint8_t id_proto;
	uint16_t id_port;
	bool has_addr;        /* addr (and addr2/prefix for subnets and ranges) set */
	iks_addr addr, addr2; /* address; subnet mask or range end */
	uint8_t prefix;       /* subnet prefix length when the mask is contiguous */
	/* CERT/CR: encoding; AUTH: method; SIG/HASH/NONCE/VID/NAT-D: data only */
	uint8_t encoding;
	/* N and D: v1 DOI; protocol; SPI size; N type / D SPI count */
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t notify_type;
	uint16_t spi_count;
	iks_span spi;         /* N: the SPI; D: all SPIs back to back */
	bool has_value;       /* N: value decoded from the data (lifetime, DPD sequence,
				 replay status, group, fragment size...) */
	uint32_t value;
	/* VID: the known vendor ID, or NULL (static text) */
	const char *vendor;
	/* CONFIG: v1 type (1 request .. 4 ack) and identifier; v2 CP type */
	uint8_t cfg_type;
	uint16_t cfg_id;
	uint16_t attr_first, attr_count;
	/* FRAG (v1 132): fragment ID, number, last; SKF: number and total */
	uint16_t frag_id;
	uint16_t frag_number;
	uint16_t frag_total;  /* SKF only */
	bool frag_last;       /* v1 only */
	/* TS: count; which selectors */
	uint8_t ts_declared;
	uint16_t ts_first, ts_count;
	/* SK/SKF: IV and ICV sizes when the IKE SA's transforms are known (else 0) */
	uint16_t iv_len, icv_len;
	/* EAP (RFC 3748 section 4): code, identifier, type (requests/responses) */
	uint8_t eap_code, eap_id, eap_type;
	/* NAT-D (v1) / NOTIFY NAT_DETECTION_* (v2): verification */
	int natd;             /* an iks_natd_result */
	bool natd_is_source;  /* the hash describes the sender (v2 SOURCE_IP; v1 the 2nd+
				 NAT-D) rather than the receiver (v2 DESTINATION_IP; v1 the first) */
	const char *natd_note;/* static text explaining a mismatch or why it is unchecked */
	/* data: the variable part (KE data, ID data, CERT data, hash, nonce, notify
	 * data, vendor ID, NAT-D hash, fragment data, SK ciphertext, EAP data) */
	iks_span data;
} iks_ike_payload;

/* A decoded IKE message. */
typedef struct iks_ike_msg {
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;      /* header length field */
	uint8_t ispi[8], rspi[8];
	bool encrypted;       /* v1 E flag: nothing after the header is decoded */
	int natt_numbering;   /* how v1 NAT-D/NAT-OA numbers were read: an iks_natt_numbering */
	uint16_t npayloads;   /* payloads in `payloads` */
	bool payloads_truncated; /* more payloads than IKS_IKE_MSG_MAX_PAYLOADS */
	iks_ike_payload payloads[IKS_IKE_MSG_MAX_PAYLOADS];
	uint16_t nproposals, ntransforms, nattrs, nts;
	bool items_truncated; /* a side array was full: some proposals/transforms/
				 attributes/selectors were left out (their payload says so) */
	iks_ike_proposal proposals[IKS_IKE_MSG_MAX_PROPOSALS];
	iks_ike_transform transforms[IKS_IKE_MSG_MAX_TRANSFORMS];
	iks_ike_attr attrs[IKS_IKE_MSG_MAX_ATTRS];
	iks_ike_ts ts[IKS_IKE_MSG_MAX_TS];
	/* the chain walk: IKS_OK, or why it stopped (overrun, length below 4,
	 * bytes left over after the last payload) and where */
	iks_status status;
	uint32_t err_offset;
	const char *reason;
	iks_span raw;         /* the message's bytes as decoded (up to its length field);
				 borrowed like the rest */
} iks_ike_msg;

/* Which payload numbers carry NAT-D / NAT-OA in IKEv1. */
enum iks_natt_numbering {
	IKS_NATT_RFC = 0,       /* RFC 3947: 20/21 (also the default when nothing is known) */
	IKS_NATT_DRAFT_02 = 1,  /* draft-ietf-ipsec-nat-t-ike-02/03: 130/131 */
	IKS_NATT_DRAFT_04 = 2   /* drafts 04-08 (and -00/-01 as used): 15/16 */
};

/*
 * Decode a whole IKE message (header and every payload body) from memory,
 * statelessly: IKEv1 NAT-D/NAT-OA numbers are chosen from the NAT-T vendor
 * IDs in this message (RFC numbering if none), no NAT-D is verified and
 * no fragment is reassembled. `len` is taken as the message as sent.
 *
 * Returns msg->status: IKS_OK, IKS_E_MALFORMED / IKS_E_TRUNCATED (chain
 * walk stopped: msg->err_offset and msg->reason say where and why; the
 * payloads before it are kept) or IKS_E_UNSUPPORTED (version). A payload
 * whose body is bad has its own status and does not stop the walk.
 * IKS_E_INVALID for NULL msg.
 */
IKS_API iks_status iks_ike_msg_decode(const uint8_t *data, size_t len, iks_ike_msg *msg);

/*
 * Decode one payload (generic header included, `len` bytes) of the given
 * IKE version and type number, as if it were the next payload of *msg
 * (call iks_ike_msg_init first). `numbering` picks the v1 NAT-T numbers.
 * Offsets count from `data`. Returns the payload's status (IKS_E_LIMIT
 * when msg->payloads is full); IKS_E_INVALID for bad arguments.
 */
IKS_API iks_status iks_ike_payload_decode(int version, unsigned type, int numbering,
					  const uint8_t *data, size_t len, iks_ike_msg *msg);

/* Empty *msg for the given version (counts to zero). */
IKS_API void iks_ike_msg_init(iks_ike_msg *msg, int version);

/*
 * The full decode of the current frame's IKE message, when the record came
 * from iks_decode() (NULL otherwise, and for ICMP-quoted messages).
 * `reassembled` is set on the frame that completed an IKEv1 fragmented
 * message (payload 132): the original message rebuilt from the fragments.
 * Borrowed from the decoder until its next iks_decode() call.
 */
typedef struct iks_ike_detail {
	const iks_ike_msg *msg;
	const iks_ike_msg *reassembled;   /* NULL unless completed on this frame */
	uint16_t frag_count;              /* fragments that made `reassembled` */
	uint64_t frag_frames[16];         /* their frame numbers (first 16), in fragment order */
	/* IKE fragment bookkeeping for this frame's fragment (v1 FRAG or v2 SKF) */
	bool is_fragment;
	uint16_t frag_seen;               /* distinct fragments of this message seen so far */
	uint16_t frag_expected;           /* total when known (v1: last seen; v2: total field), else 0 */
	bool frag_duplicate;              /* this fragment number was seen before */
	bool frag_complete;               /* all fragments 1..expected seen */
	uint16_t frag_missing_count;      /* fragment numbers not seen below `frag_expected` */
	uint16_t frag_missing[8];         /* the first 8 of them */
	/* IKE SA state */
	int natt_numbering;               /* from the NAT-T vendor IDs seen in this IKE SA */
	int natd_hash;                    /* hash used for NAT-D, as IKEv1 hash attribute values:
					     1 MD5, 2 SHA1, 4 SHA2-256, 5 SHA2-384, 6 SHA2-512; 0 unknown */
	/* What the NAT-D payloads of this IKE SA seen so far say about each
	 * side ([0] initiator, [1] responder): an iks_nat_verdict, and a static
	 * explanation (NULL for IKS_NAT_UNKNOWN). */
	int nat_verdict[2];
	const char *nat_note[2];
} iks_ike_detail;

/* Whether a NAT sits in front of one side of an IKE SA, from the NAT-D
 * hashes compared with the addresses in this capture. */
enum iks_nat_verdict {
	IKS_NAT_UNKNOWN = 0, /* no NAT-D about this side verified yet */
	IKS_NAT_NONE = 1,    /* both hashes about this side match: no NAT in front of it */
	IKS_NAT_BEHIND = 2,  /* a NAT sits in front of this side */
	IKS_NAT_FORCED = 3   /* the peer reached this side's own address (its destination hash
				matches) but this side's source hash matches nothing seen: it
				fakes NAT-D to force UDP encapsulation (strongSwan encap=yes);
				a port-keeping NAT between it and the capture point would look
				the same */
};

/* Names (static text, NULL when unknown). */
IKS_API const char *iks_ike_notify_name(int version, unsigned type);
IKS_API const char *iks_ike_id_type_name(int version, unsigned type);
IKS_API const char *iks_ike_protocol_name(int version, unsigned proto);
IKS_API const char *iks_ike_cert_encoding_name(unsigned enc);
IKS_API const char *iks_ike_auth_method_name(unsigned method);          /* IKEv2 AUTH */
IKS_API const char *iks_ike_v1_attr_name(unsigned type);                /* IKE phase 1 class */
IKS_API const char *iks_ike_v1_attr_value_name(unsigned type, unsigned value);
IKS_API const char *iks_ike_v1_ipsec_attr_name(unsigned type);          /* RFC 2407 4.5 */
IKS_API const char *iks_ike_v1_ipsec_attr_value_name(unsigned type, unsigned value);
IKS_API const char *iks_ike_v1_transform_name(unsigned protocol, unsigned id);
IKS_API const char *iks_ike_v2_transform_type_name(unsigned type);
IKS_API const char *iks_ike_v2_transform_name(unsigned type, unsigned id);
IKS_API const char *iks_ike_v2_attr_name(unsigned type);
IKS_API const char *iks_ike_config_attr_name(int version, unsigned type);
IKS_API const char *iks_ike_natt_numbering_name(int numbering);

/* The name of a known vendor ID (a prefix match where the ID carries a
 * version or flags after a fixed part), or NULL. */
IKS_API const char *iks_ike_vendor_name(const uint8_t *vid, size_t len);

/* What a NAT-T vendor ID says about the payload numbering: an
 * iks_natt_numbering and its preference (higher wins), or -1 when vid is not
 * a NAT-T vendor ID. */
IKS_API int iks_ike_vendor_natt(const uint8_t *vid, size_t len, int *preference);

#ifdef __cplusplus
}
#endif
#endif
