/* status.c - status code texts and the library version. */
#include "config.h"

#include <ikescope/common.h>
#include <ikescope/version.h>

const char *iks_strerror(iks_status st)
{
	switch (st) {
	case IKS_OK: return "success";
	case IKS_E_TRUNCATED: return "input ends before the structure does";
	case IKS_E_MALFORMED: return "input violates the protocol";
	case IKS_E_UNSUPPORTED: return "valid input that this version does not decode";
	case IKS_E_NOMEM: return "out of memory";
	case IKS_E_LIMIT: return "a configured limit was reached";
	case IKS_E_IO: return "read error";
	case IKS_E_FORMAT: return "not a readable file format, or a corrupt file header";
	case IKS_E_INVALID: return "invalid argument";
	}
	return "unknown status";
}

const char *iks_status_name(iks_status st)
{
	switch (st) {
	case IKS_OK: return "ok";
	case IKS_E_TRUNCATED: return "truncated";
	case IKS_E_MALFORMED: return "malformed";
	case IKS_E_UNSUPPORTED: return "unsupported";
	case IKS_E_NOMEM: return "nomem";
	case IKS_E_LIMIT: return "limit";
	case IKS_E_IO: return "io";
	case IKS_E_FORMAT: return "format";
	case IKS_E_INVALID: return "invalid";
	}
	return "unknown";
}

const char *iks_version(void)
{
	return IKS_VERSION_STRING;
}
