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
 * The library never prints and never exits. Its only process-wide state is
 * the once-only set-up of libgcrypt done by iks_global_init() (common.h).
 *
 * Threads. Apart from the mutex inside iks_global_init(), the library takes
 * no locks; its rules are those of libcurl's "easy" handles:
 *  - Call iks_global_init() once, before starting threads that use the
 *    library (as with curl_global_init). It is idempotent, and
 *    iks_decoder_new / iks_keys_new call it themselves when it has not been
 *    called, so a single-threaded program may skip it; a threaded one
 *    should not rely on that.
 *  - Separate handles may be used in separate threads at the same time:
 *    every handle (iks_capture, iks_decoder, iks_keys, iks_trace,
 *    iks_correlation, iks_log, ...) holds all of its own state, and no
 *    function keeps mutable static data (libpcap, 1.8 or later, compiles
 *    filters in several threads at once). The functions that take no handle
 *    (names, iks_strerror, iks_version, iks_decode_buffer, the payload
 *    decoders) may be called from any thread at any time.
 *  - One handle is never used by two threads at once, including through
 *    another handle that borrows it: a key store given to a decoder with
 *    iks_decoder_set_keys is used whenever that decoder decodes (lookups
 *    sort it), so decoders in different threads need key stores of their
 *    own. A handle may move from one thread to another when the
 *    application orders the hand-over (a join, a mutex).
 *  - Borrowed pointers (records, spans, events) stay with the thread that
 *    owns their handle, and are valid as each function says.
 * docs/examples/threads.c decodes captures in parallel this way; make check
 * runs it under valgrind's helgrind (tests/threads_helgrind.sh).
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
