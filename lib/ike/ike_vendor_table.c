/*
 * ike_vendor_table.c - known vendor IDs (RFC 2408 section 3.16), as data.
 *
 * Most IDs are the MD5 digest of a string, checked here against that
 * string: RFC 3947 section 4 ("RFC 3947"), the NAT-T drafts
 * ("draft-ietf-ipsec-nat-t-ike-0N"), RFC 3706 section 5 (DPD, 14 bytes
 * + version 1.0), IKE fragmentation ("FRAGMENTATION" + 4 flag bytes),
 * XAUTH (first 8 bytes of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt")),
 * Cisco Unity (first 14 bytes of MD5("CISCO-UNITY") + version 1.0),
 * Microsoft's IKE (MD5("MS NT5 ISAKMPOAKLEY") + a 4-byte version naming
 * the Windows release) and its extensions. Longest (most specific) entries
 * come first; adding an ID is one line.
 */
#include "config.h"

#include <stdbool.h>

#include <ikescope/ike.h>

#include "ike/ike_vendor.h"

const struct ike_vendor_entry ike_vendor_table[] = {
	/* NAT traversal: RFC 3947 and the drafts before it */
	{ "4a131c81070358455c5728f20e95452f", false, IKS_NATT_RFC, 100, "RFC 3947 NAT-T" },
	{ "8f8d83826d246b6fc7a8a6a428c11de8", false, IKS_NATT_DRAFT_04, 98, "draft-ietf-ipsec-nat-t-ike-08" },
	{ "439b59f8ba676c4c7737ae22eab8f582", false, IKS_NATT_DRAFT_04, 97, "draft-ietf-ipsec-nat-t-ike-07" },
	{ "4d1e0e136deafa34c4f3ea9f02ec7285", false, IKS_NATT_DRAFT_04, 96, "draft-ietf-ipsec-nat-t-ike-06" },
	{ "80d0bb3def54565ee84645d4c85ce3ee", false, IKS_NATT_DRAFT_04, 95, "draft-ietf-ipsec-nat-t-ike-05" },
	{ "9909b64eed937c6573de52ace952fa6b", false, IKS_NATT_DRAFT_04, 94, "draft-ietf-ipsec-nat-t-ike-04" },
	{ "7d9419a65310ca6f2c179d9215529d56", false, IKS_NATT_DRAFT_02, 93, "draft-ietf-ipsec-nat-t-ike-03" },
	{ "90cb80913ebb696e086381b5ec427b1f", false, IKS_NATT_DRAFT_02, 92, "draft-ietf-ipsec-nat-t-ike-02\\n" },
	{ "cd60464335df21f87cfdb2fc68b6a448", false, IKS_NATT_DRAFT_02, 92, "draft-ietf-ipsec-nat-t-ike-02" },
	{ "16f6ca16e4a4066d83821a0f0aeaa862", false, IKS_NATT_DRAFT_02, 91, "draft-ietf-ipsec-nat-t-ike-01" },
	{ "4485152d18b6bbcd0be8a8469579ddcc", false, IKS_NATT_DRAFT_02, 90, "draft-ietf-ipsec-nat-t-ike-00" },
	{ "4df37928e9fc4fd1b3262170d515c662", false, -1, 0, "draft-ietf-ipsec-nat-t-ike" },
	/* RFC 3706 Dead Peer Detection, version 1.0 */
	{ "afcad71368a1f1c96b8696fc77570100", false, -1, 0, "RFC 3706 DPD" },
	{ "afcad71368a1f1c96b8696fc7757", true, -1, 0, "RFC 3706 DPD (other version)" },
	/* IKEv1 fragmentation (Cisco, Microsoft, strongSwan); 4 flag bytes may follow */
	{ "4048b7d56ebce88525e7de7f00d6c2d3", true, -1, 0, "IKE fragmentation" },
	{ "09002689dfd6b712", false, -1, 0, "XAUTH" },
	{ "12f5f28c457168a9702d9fe274cc0100", false, -1, 0, "Cisco Unity 1.0" },
	{ "12f5f28c457168a9702d9fe274cc", true, -1, 0, "Cisco Unity" },
	/* Microsoft: "MS NT5 ISAKMPOAKLEY" + version */
	{ "1e2b516905991c7d7c96fcbfb587e46100000002", false, -1, 0, "MS NT5 ISAKMPOAKLEY v2 (Windows 2000)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000003", false, -1, 0, "MS NT5 ISAKMPOAKLEY v3 (Windows XP SP1)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000004", false, -1, 0, "MS NT5 ISAKMPOAKLEY v4 (Windows Server 2003 / XP SP2)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000005", false, -1, 0, "MS NT5 ISAKMPOAKLEY v5 (Windows Vista)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000006", false, -1, 0, "MS NT5 ISAKMPOAKLEY v6 (Windows Server 2008)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000007", false, -1, 0, "MS NT5 ISAKMPOAKLEY v7 (Windows 7)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000008", false, -1, 0, "MS NT5 ISAKMPOAKLEY v8 (Windows Server 2008 R2)" },
	{ "1e2b516905991c7d7c96fcbfb587e46100000009", false, -1, 0, "MS NT5 ISAKMPOAKLEY v9 (Windows 8 / Server 2012)" },
	{ "1e2b516905991c7d7c96fcbfb587e461", true, -1, 0, "MS NT5 ISAKMPOAKLEY (other version)" },
	{ "fb1de3cdf341b7ea16b7e5be0855f120", false, -1, 0, "MS-Negotiation Discovery Capable" },
	{ "26244d38eddb61b3172a36e3d0cfb819", false, -1, 0, "Microsoft Vid-Initial-Contact" },
	{ "e3a5966a76379fe707228231e5ce8652", false, -1, 0, "IKE CGA version 1" },
	{ "214ca4faffa7f32d6748e5303395ae83", false, -1, 0, "MS-MamieExists" },
	/* open-source implementations */
	{ "882fe56d6fd20dbc2251613b2ebe5beb", false, -1, 0, "strongSwan" },
	{ "7003cbc1097dbe9c2600ba6983bc8b35", false, -1, 0, "KAME/racoon" },
	/* others */
	{ "4865617274426561745f4e6f74696679", true, -1, 0, "Netscreen HeartBeat_Notify" },
	{ "f4ed19e0c114eb516faaac0ee37daf2807b4381f", true, -1, 0, "Check Point" },
};

const size_t ike_vendor_table_len = sizeof(ike_vendor_table) / sizeof(ike_vendor_table[0]);
