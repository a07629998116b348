/*
 * ikescope/packet.h - the decoded record of one captured frame.
 *
 * A record is plain data. Every layer has a `present` flag; fields of an
 * absent layer are zero. The exception is the three optional layer sets of
 * iks_packet (inner, esp_inner, ah_inner): each is valid only when its
 * has_ flag is true, and holds unspecified bytes otherwise (they are not
 * cleared for every frame); check the flag before reading one. Spans and
 * pointers inside a record are borrowed
 * from the frame or from the decoder and stay valid until the next call
 * to the function that filled the record.
 */
#ifndef IKESCOPE_PACKET_H
#define IKESCOPE_PACKET_H

#include <ikescope/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An IPv4 or IPv6 address in network byte order. */
typedef struct iks_addr {
	uint8_t family;     /* 4 or 6; 0 when unset */
	uint8_t bytes[16];  /* IPv4 uses the first 4 */
} iks_addr;

#define IKS_ADDRSTRLEN 46

/* Format an address as text ("192.0.2.1", "2001:db8::1") into buf of size
 * len (IKS_ADDRSTRLEN is always enough). Returns buf. */
IKS_API char *iks_addr_format(const iks_addr *a, char *buf, size_t len);

/* Direction of a frame as the capture file records it (pcapng epb_flags
 * bits 0-1, draft-ietf-opsawg-pcapng section 4.3.1). */
enum iks_capture_dir {
	IKS_CAPDIR_UNKNOWN = 0, /* not recorded (classic pcap, NetMon, flags 0 or 3) */
	IKS_CAPDIR_IN = 1,      /* inbound: received by the capturing host */
	IKS_CAPDIR_OUT = 2      /* outbound: sent by the capturing host */
};

/* What a pcapng file says about one frame beyond its bytes (all zero / NULL
 * for classic pcap and NetMon input: `present` is then false). Strings are
 * NUL-terminated and borrowed: if_name and if_description until the capture
 * is closed, comment until the next iks_capture_next() (a packet record
 * copies the pointers: they follow the frame's lifetime). */
#define IKS_FRAME_MAX_COPIES 8
typedef struct iks_frame_meta {
	bool present;           /* the frame came from a pcapng packet block */
	uint32_t interface;     /* interface index: position of its interface
				   description block in the file, counted over all
				   sections from 0 (equals the block's interface id in
				   a one-section file) */
	const char *if_name;    /* the interface's if_name option, or NULL */
	const char *if_description; /* its if_description option, or NULL */
	uint32_t flags;         /* the epb_flags word (0 when absent) */
	int direction;          /* an iks_capture_dir (from flags bits 0-1) */
	bool has_packet_id;
	uint64_t packet_id;     /* epb_packetid (pktmon: all copies of one packet at
				   different driver components share it) */
	bool has_verdict;
	uint8_t verdict_type;   /* epb_verdict type octet (0 hardware, 1 eBPF TC, 2 eBPF
				   XDP; pktmon writes its drop reason here) */
	uint64_t verdict;       /* the verdict value: for an 8-byte value as written in
				   the section's byte order; otherwise its first (up to
				   8) bytes read big-endian */
	bool has_dropcount;
	uint64_t dropcount;     /* epb_dropcount: packets lost between this and the
				   previous one on the interface */
	const char *comment;    /* opt_comment text (several joined by "; "), or NULL */
	/* Set when copies are merged (iks_capture_merge_copies): */
	uint16_t ncopies;       /* copies of this packet in the file (1: alone; 0: merging off) */
	uint32_t copy_interfaces[IKS_FRAME_MAX_COPIES]; /* interface of each copy, in file
				   order (the first IKS_FRAME_MAX_COPIES) */
	const char *copy_names[IKS_FRAME_MAX_COPIES]; /* their if_name (or NULL) */
	uint32_t verdict_interface; /* interface of the copy that carried the verdict */
	const char *verdict_name;   /* its if_name (or NULL) */
} iks_frame_meta;

/* The first thing that could not be decoded in a frame. */
typedef struct iks_decode_error {
	iks_status status;   /* IKS_OK when nothing failed */
	const char *layer;   /* "link", "ipv4", "ipv6", "udp", "esp", "ah", "icmp", "ike", ... */
	const char *reason;  /* short static text, e.g. "IKE length exceeds UDP payload" */
	uint32_t offset;     /* byte offset of the failure; see in_datagram */
	bool in_datagram;    /* true: offset counts from the start of the reassembled
			        IP datagram; false: from the start of the frame */
} iks_decode_error;

/* Link layer (whatever sits before the IP header). */
typedef struct iks_link_info {
	uint16_t ethertype;    /* protocol of the network layer (0x0800, 0x86dd, ...) */
	uint8_t vlan_count;    /* 802.1Q / 802.1ad tags seen (at most 2 recorded) */
	uint16_t vlan_ids[2];  /* outermost first */
	uint32_t l3_offset;    /* offset of the network header in the frame */
} iks_link_info;

/* IPv4 (RFC 791 section 3.1) or IPv6 (RFC 8200 section 3) header. */
#define IKS_IPV6_MAX_EXT 8
typedef struct iks_ip_info {
	bool present;
	uint8_t version;       /* 4 or 6 */
	iks_addr src, dst;
	uint8_t proto;         /* IPv4 protocol, or the IPv6 upper-layer next header */
	uint8_t ttl;           /* TTL / hop limit */
	uint8_t tos;           /* TOS / traffic class */
	uint32_t flow_label;   /* IPv6 only */
	uint16_t header_len;   /* bytes of header incl. IPv4 options / IPv6 extension headers */
	uint16_t options_len;  /* IPv4 option bytes */
	uint32_t total_len;    /* IPv4 total length / IPv6 40 + payload length */
	uint32_t id;           /* IPv4 identification, or IPv6 fragment header identification */
	bool has_id;           /* always for IPv4; IPv6 only with a fragment header */
	bool df, mf;           /* IPv4 don't-fragment; more-fragments (both families) */
	uint32_t frag_offset;  /* fragment offset in bytes */
	bool is_fragment;      /* a piece of a larger datagram (MF set or offset non-zero,
			          or any IPv6 fragment header) */
	uint8_t ext_count;     /* IPv6 extension headers in order (first IKS_IPV6_MAX_EXT) */
	uint8_t ext_types[IKS_IPV6_MAX_EXT];
	iks_span payload;      /* this packet's captured bytes after the IP header (for a
			          fragment: the fragment's bytes; IPv6: after the fragment
			          header), borrowed from the frame */
} iks_ip_info;

/* What fragment reassembly did with this frame. */
enum iks_frag_result {
	IKS_FRAG_NONE = 0,      /* not a fragment */
	IKS_FRAG_HELD = 1,      /* stored; its datagram is not complete yet */
	IKS_FRAG_COMPLETED = 2, /* this fragment completed its datagram: the upper
				   layers of this record come from the reassembled datagram */
	IKS_FRAG_LATE = 3,      /* arrived for a datagram that was already completed or given up */
	IKS_FRAG_REJECTED = 4,  /* not stored: malformed or over a cap (see the record's error) */
	IKS_FRAG_UNREASSEMBLED = 5 /* decoded without a decoder (iks_decode_buffer): no reassembly */
};

typedef struct iks_frag_info {
	int result;              /* an iks_frag_result */
	uint64_t datagram_id;    /* unique within one decoder, never 0 for a stored fragment */
	uint32_t offset;         /* this fragment's offset in bytes */
	uint32_t length;         /* this fragment's payload bytes */
	bool mf;                 /* more fragments follow */
	bool overlap;            /* overlapped bytes received before */
	bool conflict;           /* ...and those bytes differed */
	/* Set when result is IKS_FRAG_COMPLETED: */
	uint32_t datagram_len;   /* reassembled payload length (after the IP header) */
	uint16_t fragment_count; /* fragments that made it, incl. duplicates */
	const uint64_t *frames;  /* frame numbers of those fragments in arrival order,
				    borrowed until the next decode call */
} iks_frag_info;

/* UDP (RFC 768) with the IPsec port demultiplexing of RFC 3947/3948. */
enum iks_udp_encap {
	IKS_ENCAP_NONE = 0,           /* plain UDP (port 500 IKE or not IPsec) */
	IKS_ENCAP_NON_ESP_MARKER = 1, /* port 4500: 4 zero bytes, then IKE */
	IKS_ENCAP_ESP = 2,            /* port 4500: ESP in UDP */
	IKS_ENCAP_KEEPALIVE = 3       /* port 4500: single 0xFF NAT-keepalive */
};

typedef struct iks_udp_info {
	bool present;
	uint16_t sport, dport;
	uint16_t length;       /* from the UDP header */
	uint16_t checksum;
	int encap;             /* an iks_udp_encap */
} iks_udp_info;

/* ESP header (RFC 4303 section 2). The rest is opaque without keys. */
typedef struct iks_esp_info {
	bool present;
	uint32_t spi;
	uint32_t seq;
	uint32_t payload_len;  /* bytes after SPI and sequence (IV, data, trailer, ICV) */
	iks_span raw;          /* captured bytes from the SPI on, borrowed from the frame
			          or the decoder */
	/* With keys (iks_decoder_set_keys): */
	int crypto;            /* an iks_esp_crypto */
	int enc, auth;         /* the SA's algorithms (iks_esp_enc / iks_esp_auth in keys.h) */
	uint8_t next_header;   /* from the decrypted trailer */
	uint8_t pad_len;
	uint16_t iv_len, icv_len;
	iks_span plain;        /* the decrypted payload (before padding), borrowed from the
				  decoder until the next call */
	/* With keys: the IKE SA whose decrypted quick mode / IKE_AUTH /
	 * CREATE_CHILD_SA negotiated this SPI, when it was seen */
	bool sa_known;
	uint8_t sa_version;
	uint8_t sa_ispi[8], sa_rspi[8];
	uint32_t sa_msgid;     /* message ID of the exchange that negotiated it */
} iks_esp_info;

/* What decryption of an ESP packet gave. */
enum iks_esp_crypto {
	IKS_ESP_NOT_TRIED = 0,      /* no keys given, or the packet is a quote */
	IKS_ESP_NO_KEY = 1,         /* keys given, none for this SPI */
	IKS_ESP_OK = 2,             /* decrypted and the ICV verified */
	IKS_ESP_UNVERIFIED = 3,     /* decrypted; no integrity key to check the ICV with */
	IKS_ESP_ICV_MISMATCH = 4,   /* the ICV does not verify: wrong key or changed in transit;
				       nothing is decoded from it */
	IKS_ESP_BAD_PADDING = 5,    /* decrypted, but the trailer is not RFC 4303 padding */
	IKS_ESP_CUT = 6,            /* not captured whole (snaplen) */
	IKS_ESP_BAD_LENGTH = 7,     /* too short for IV + trailer + ICV, or not whole cipher blocks */
	IKS_ESP_CRYPTO_ERROR = 8,   /* libgcrypt refused (unsupported key size, ...) */
	IKS_ESP_NULL_GUESSED = 9,   /* no key, but the packet reads as ESP-NULL: RFC 4303
				       padding and a cleanly decoding payload with the ICV
				       length in icv_len (iks_decoder_set_esp_null) */
	IKS_ESP_UNSUPPORTED = 10    /* AH: a header before AH whose form at the destination
				       cannot be known (a routing header other than type 0/2
				       with segments left), so the ICV cannot be checked */
};

/* AH header (RFC 4302 section 2). */
typedef struct iks_ah_info {
	bool present;
	uint8_t next_header;
	uint8_t payload_len;   /* the header's length field (32-bit words minus 2) */
	uint32_t spi;
	uint32_t seq;
	uint16_t icv_len;      /* bytes of integrity check value */
	int crypto;            /* with keys: IKS_ESP_OK (ICV verified), IKS_ESP_ICV_MISMATCH,
				  IKS_ESP_NO_KEY, IKS_ESP_CUT, IKS_ESP_BAD_LENGTH,
				  IKS_ESP_UNSUPPORTED; IKS_ESP_NOT_TRIED for an AH packet that
				  was IP-fragmented (not verified after reassembly yet) */
} iks_ah_info;

/* One payload in the IKE payload chain. */
typedef struct iks_ike_payload_ref {
	uint8_t type;
	uint8_t flags;         /* the octet after next-payload (IKEv2 critical bit 0x80) */
	uint16_t length;       /* generic header length field, header included */
	uint32_t offset;       /* from the start of the ISAKMP header */
} iks_ike_payload_ref;

#define IKS_IKE_MAX_PAYLOADS 32

/* IKEv1 flags (RFC 2408 section 3.1) */
#define IKS_IKEV1_FLAG_ENCRYPTION 0x01
#define IKS_IKEV1_FLAG_COMMIT     0x02
#define IKS_IKEV1_FLAG_AUTH_ONLY  0x04
/* IKEv2 flags (RFC 7296 section 3.1) */
#define IKS_IKEV2_FLAG_INITIATOR  0x08
#define IKS_IKEV2_FLAG_VERSION    0x10
#define IKS_IKEV2_FLAG_RESPONSE   0x20

/* ISAKMP / IKEv2 header (RFC 2408 section 3.1, RFC 7296 section 3.1)
 * and the list of payload types in its chain. */
typedef struct iks_ike_info {
	bool present;
	uint8_t version;       /* major version: 1 or 2 */
	uint8_t minor;
	uint8_t ispi[8];       /* initiator cookie / SPI */
	uint8_t rspi[8];       /* responder cookie / SPI */
	uint8_t next_payload;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;       /* from the header */
	uint32_t captured;     /* bytes of the message actually present */
	bool encrypted;        /* IKEv1 E flag: the chain after the header is ciphertext,
			          only its first type is known */
	uint16_t npayloads;    /* payloads walked (may exceed IKS_IKE_MAX_PAYLOADS) */
	iks_ike_payload_ref payloads[IKS_IKE_MAX_PAYLOADS];
	iks_status status;     /* IKS_OK, or why the chain walk stopped */
	uint32_t err_offset;   /* from the start of the ISAKMP header */
	const char *reason;
	iks_span raw;          /* the captured message from the ISAKMP header on (at most
			          `length` bytes), borrowed from the frame or the decoder */
	const struct iks_ike_detail *detail; /* payload bodies, IKE SA state, IKE fragments
					        (ikescope/ike.h); set by iks_decode() on the
					        frame's own message, borrowed from the decoder
					        until its next call; NULL otherwise */
	/* With keys (iks_decoder_set_keys), IKEv2 only for now: */
	int crypto;            /* an iks_esp_crypto value for the SK/SKF payload */
	const struct iks_ike_msg *decrypted; /* the message with its SK payload replaced by
				  the decrypted payloads (an SKF fragment: NULL until the
				  fragment that completes the message), borrowed until the
				  next call */
} iks_ike_info;

/* ICMP (RFC 792) / ICMPv6 (RFC 4443) header. */
typedef struct iks_icmp_info {
	bool present;
	uint8_t version;       /* 4 for ICMP, 6 for ICMPv6 */
	uint8_t type, code;
	bool is_error;         /* a type that quotes the offending packet */
	bool has_mtu;          /* frag-needed (v4 3/4) or packet-too-big (v6 2) */
	uint32_t mtu;          /* next-hop MTU from the message */
	bool has_echo;
	uint16_t echo_id, echo_seq;
	uint32_t quote_len;    /* bytes of the quoted packet present */
} iks_icmp_info;

/* The protocol layers of one IP packet. */
typedef struct iks_layers {
	iks_ip_info ip;
	bool upper_decoded;    /* the layers above IP were decoded (false for a
				  fragment that did not complete its datagram) */
	iks_udp_info udp;
	iks_esp_info esp;
	iks_ah_info ah;
	iks_icmp_info icmp;
	iks_ike_info ike;
	iks_decode_error err;  /* first failure in these layers */
} iks_layers;

/* Record flags */
#define IKS_PKT_IPSEC      0x01u /* IKE, ESP, AH, NAT-T keepalive, or a fragment of such a datagram */
#define IKS_PKT_ICMP_ERROR 0x02u /* an ICMP/ICMPv6 error message */
#define IKS_PKT_SNAPPED    0x04u /* caplen < wirelen: the capture cut the frame */
#define IKS_PKT_NOT_IP     0x08u /* the network layer is not IPv4/IPv6 (ARP, ...) */

/* The decoded record of one frame. */
typedef struct iks_packet {
	uint64_t frame;        /* 1-based frame number */
	int64_t ts_sec;
	uint32_t ts_nsec;
	int linktype;
	uint32_t caplen, wirelen;
	unsigned flags;        /* IKS_PKT_* */
	iks_frame_meta meta;   /* pcapng interface, direction, packet id, verdict, comment */
	iks_link_info link;
	iks_layers l;          /* this frame's IP packet */
	iks_frag_info frag;
	bool has_inner;        /* an ICMP error quoted a packet: decoded into inner */
	iks_layers inner;      /* valid only when has_inner (unspecified otherwise) */
	iks_decode_error err;  /* first failure anywhere (copy of l.err or inner.err) */
	bool has_esp_inner;    /* ESP was decrypted: what it carried (tunnel mode: the inner
				  IP packet; transport mode: the upper layer, with ip copied
				  from the outer header) */
	iks_layers esp_inner;  /* valid only when has_esp_inner (unspecified otherwise) */
	iks_frag_info esp_inner_frag; /* reassembly of a tunnelled IP fragment (its own table;
				  datagram ids are those of that table) */
	bool has_ah_inner;     /* AH in tunnel mode (RFC 4302 section 3.1.2): the IP packet
				  it protects, decoded into ah_inner (not reassembled) */
	iks_layers ah_inner;   /* valid only when has_ah_inner (unspecified otherwise) */
} iks_packet;

#ifdef __cplusplus
}
#endif
#endif
