import type { Server as HttpServer } from 'node:http';
import { type DefaultEventsMap, Server, type Socket } from 'socket.io';
import { handshakeRefusal } from './live-updates.dto';

export type GatewaySocketServer<D> = Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, D>;
export type GatewaySocket<D> = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, D>;

export interface SocketServerOptions<D> {
  path: string;
  /** Whether socket.io serves its client script beside the path (`<path>/socket.io.min.js`). */
  serveClient: boolean;
  /** A client message larger than this closes the connection. */
  maxMessageBytes: number;
  /** Authenticates a handshake; a rejection refuses it with the error's problem (`connect_error`). */
  handshake: (socket: GatewaySocket<D>) => Promise<void>;
  connected: (socket: GatewaySocket<D>) => void;
}

/**
 * A socket.io server on the gateway's HTTP server (the agents' live updates, the visitors' web chat): WebSocket
 * transport only, so any instance behind a load balancer can take any connection without sticky sessions, and every
 * handshake authenticated before the connection exists.
 */
export function attachSocketServer<D>(
  httpServer: HttpServer,
  options: SocketServerOptions<D>,
): GatewaySocketServer<D> {
  const io: GatewaySocketServer<D> = new Server(httpServer, {
    path: options.path,
    transports: ['websocket'],
    serveClient: options.serveClient,
    maxHttpBufferSize: options.maxMessageBytes,
    // Several socket.io servers share the HTTP server; none may close the upgrades that belong to another.
    destroyUpgrade: false,
  });
  io.use((socket, next) => {
    options.handshake(socket).then(
      () => next(),
      (error: unknown) => next(handshakeRefusal(error)),
    );
  });
  io.on('connection', options.connected);
  return io;
}

/** Disconnects every client. Not io.close(): that also closes the HTTP server, which belongs to Nest. */
export function detachSocketServer(io: GatewaySocketServer<unknown> | undefined): void {
  if (!io) return;
  io.disconnectSockets(true);
  io.engine.close();
}
