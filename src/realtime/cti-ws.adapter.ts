import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { ClientContext, WsAuthService } from './ws-auth.service.js';

/** Upgrade requests that passed authentication, with their context (read by the gateway). */
export const clientContexts = new WeakMap<IncomingMessage, ClientContext>();

export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * The `ws` adapter with authentication in the upgrade itself: a bad key gets an
 * HTTP 401 (inactive app 403) and the socket is destroyed before any WebSocket exists.
 */
export class CtiWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly auth: WsAuthService,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): unknown {
    return super.create(port, {
      ...options,
      maxPayload: WS_MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      verifyClient: (
        info: { req: IncomingMessage },
        done: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
      ) => {
        this.auth.authenticate(info.req).then(
          (result) => {
            if (result.ok) {
              clientContexts.set(info.req, result.context);
              done(true);
            } else {
              done(false, result.status, result.message, { 'content-type': 'text/plain' });
            }
          },
          () => done(false, 503, 'Service Unavailable'),
        );
      },
    });
  }
}
