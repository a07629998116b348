/*
 * ikescope/ikescope.h - everything in libikescope.
 *
 *   iks_capture   read frames from pcap/pcapng and Network Monitor files (capture.h)
 *   iks_decoder   decode frames into iks_packet records (decoder.h, packet.h)
 *   names         protocol number names (names.h)
 *   iks_trace, iks_correlate  two captures of one path side by side (correlate.h)
 *   iks_log       Oakley.log / charon logs and their join to a capture (log.h)
 *   IKE payloads  decoded IKEv1/IKEv2 payload bodies, vendor IDs, NAT-D (ike.h)
 *   iks_keys      key files: ESP/AH and IKEv1/IKEv2 decryption and ICV checks (keys.h)
 *   audit events  Windows IPsec audit events 541/542/543/547 and their join (audit.h)
 *   versions      IKS_VERSION_NUM / IKS_VERSION_STRING of the headers (version.h),
 *                 iks_version() of the library, iks_global_init() (common.h)
 *
 * The library never prints and never exits; it keeps no global state.
 */
#ifndef IKESCOPE_IKESCOPE_H
#define IKESCOPE_IKESCOPE_H

#include <ikescope/version.h>
#include <ikescope/common.h>
#include <ikescope/capture.h>
#include <ikescope/packet.h>
#include <ikescope/decoder.h>
#include <ikescope/names.h>
#include <ikescope/correlate.h>
#include <ikescope/log.h>
#include <ikescope/ike.h>
#include <ikescope/keys.h>
#include <ikescope/audit.h>

#endif
