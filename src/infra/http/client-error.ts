import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Answers a request Node's HTTP parser refused (a non-ASCII byte in the request line,
 * a broken header, a header block too large, a request timeout) before fastify or
 * Nest ever saw it: in the documented error shape, with a request id, and with
 * `Connection: close`, since the socket is destroyed right after (fastify's default
 * omits it, so a keep-alive client would send its next request into a dead socket).
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const requestId = randomUUID();
  const message = status === 408 ? 'Request timeout' : status === 431 ? 'Request headers are too large' : 'Malformed HTTP request';
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message, request_id: requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
