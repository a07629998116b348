/* ike_names.h - what the IKE name files share (internal); their tables
 * use the one lookup of core/name_table.h. */
#ifndef IKS_IKE_NAMES_H
#define IKS_IKE_NAMES_H

#include "core/name_table.h"

/* ike_names_v1.c, used by the version-dispatching functions of ike_names_v2.c */
const char *ike_v1_notify_name(unsigned type);
const char *ike_v1_protocol_name(unsigned p);
const char *ike_v1_id_type_name(unsigned t);

#endif
