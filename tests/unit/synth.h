/* synth.h - packet records built by hand for the correlation tests:
 * a (192.0.2.1) <-> b (198.51.100.1), ESP and IKEv2 messages. */
#ifndef IKS_TEST_SYNTH_H
#define IKS_TEST_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include <ikescope/ikescope.h>

/* One record and the bytes its layers point into. */
typedef struct synth {
	iks_packet p;
	uint8_t bytes[64];
} synth;

/* An ESP packet from a (from_a) or b, at epoch time t, with IP ID = seq;
 * its bytes are `fill` with the sequence number in the first byte. */
void synth_esp(synth *s, bool from_a, uint32_t spi, uint32_t seq, uint32_t size, uint8_t ttl,
	       double t, uint8_t fill);

/* An IKEv2 message on UDP 500 (ip_id its IP identification): exchange,
 * message ID, response flag, IKE length; the initiator SPI is `ispi`
 * repeated, the responder's `rspi` repeated. */
void synth_ike(synth *s, bool from_a, uint8_t ispi, uint8_t rspi, uint8_t exchange,
	       uint32_t msgid, bool response, uint32_t length, uint16_t ip_id, uint8_t ttl,
	       double t);

#endif
