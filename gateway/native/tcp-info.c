// The kernel's own timing of a TCP handshake, read from the socket with TCP_INFO (Linux). A connect time taken in
// JavaScript also holds however long the event loop took to notice the connection; the kernel's does not.
#include <node_api.h>

#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

// handshakeRttMs(fd): SYN sent to SYN-ACK received, as the kernel timed it (microsecond clock), in ms; null when
// the socket is not an established TCP connection, when a handshake packet was sent again (the kernel then takes
// no sample from the SYN-ACK, by Karn's rule, and the user-visible connect time includes the retransmission), and
// on systems other than Linux.
static napi_value handshake_rtt_ms(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "handshakeRttMs(fd): fd must be a number");
    return NULL;
  }
  napi_value result;
#ifdef __linux__
  struct tcp_info tcp;
  socklen_t length = sizeof tcp;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &length) == 0 && length >= sizeof tcp &&
      tcp.tcpi_state == TCP_ESTABLISHED && tcp.tcpi_total_retrans == 0 && tcp.tcpi_rtt > 0) {
    napi_create_double(env, tcp.tcpi_rtt / 1000.0, &result);
    return result;
  }
#endif
  napi_get_null(env, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value handshake;
  napi_create_function(env, "handshakeRttMs", NAPI_AUTO_LENGTH, handshake_rtt_ms, NULL, &handshake);
  napi_set_named_property(env, exports, "handshakeRttMs", handshake);
  return exports;
}
