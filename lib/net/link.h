/* link.h - link-layer headers in front of IP (internal). */
#ifndef IKS_LINK_H
#define IKS_LINK_H

#include <ikescope/packet.h>
#include "core/reader.h"

#define IKS_ETHERTYPE_IPV4 0x0800
#define IKS_ETHERTYPE_IPV6 0x86dd

/*
 * Consume the link-layer header of a frame of the given link type from *r,
 * leaving r at the network header. Fills link->ethertype (0x0800 / 0x86dd
 * for IP, other values for everything else), the VLAN tags and l3_offset.
 * Returns IKS_OK, IKS_E_TRUNCATED, IKS_E_MALFORMED or IKS_E_UNSUPPORTED
 * (unknown link type), with err filled on failure.
 */
iks_status link_decode(int linktype, iks_reader *r, iks_link_info *link, iks_decode_error *err);

#endif
