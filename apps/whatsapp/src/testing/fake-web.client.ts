import type {
  WebClient,
  WebClientEvent,
  WebClientEvents,
  WebClientFactory,
  WebMessage,
  WebOutgoingMedia,
  WebSendOptions,
} from '../web-js/web-client.port';
import { WebAck } from '../web-js/web-client.port';
import { echoOf, OUR_WID, webMessageId } from './web-js.fixtures';

export interface FakeSend {
  chatId: string;
  text?: string;
  media?: WebOutgoingMedia;
  options: WebSendOptions;
  message: WebMessage;
}

/**
 * WhatsApp Web played by the test: the events whatsapp-web.js emits (with message objects shaped like the library's,
 * see web-js.fixtures.ts), and a record of what the service asked it. Sending behaves like the library: the
 * `message_create` echo and the first ack are emitted before `sendMessage` resolves with the message.
 */
export class FakeWebClient implements WebClient {
  readonly sends: FakeSend[] = [];
  readonly lookups: string[] = [];
  initialized = 0;
  destroyed = 0;
  /** Numbers (digits) registered on WhatsApp, with the id `getNumberId` answers. */
  readonly registered = new Map<string, string>();
  /** Thrown by `initialize` (a browser that does not start). */
  failInitialize?: Error;
  private readonly listeners = new Map<WebClientEvent, Array<(...args: never[]) => void>>();

  constructor(
    readonly sessionId: string,
    private readonly own = OUR_WID,
  ) {}

  on<E extends WebClientEvent>(event: E, listener: WebClientEvents[E]): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (...args: never[]) => void]);
  }

  emit<E extends WebClientEvent>(event: E, ...args: Parameters<WebClientEvents[E]>): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (...values: unknown[]) => void)(...args);
  }

  async initialize(): Promise<void> {
    this.initialized += 1;
    if (this.failInitialize) throw this.failInitialize;
  }

  async destroy(): Promise<void> {
    this.destroyed += 1;
  }

  ownId(): string | undefined {
    return this.own;
  }

  /** `qr`, `authenticated`, `ready`: a pairing from scratch. */
  pair(qr = '2@fake-qr-code'): void {
    this.emit('qr', qr);
    this.emit('authenticated');
    this.emit('ready');
  }

  async getNumberId(number: string): Promise<{ _serialized: string } | null> {
    const digits = number.replace(/@c\.us$/, '');
    this.lookups.push(digits);
    const id = this.registered.get(digits);
    return id ? { _serialized: id } : null;
  }

  async sendText(
    chatId: string,
    text: string,
    options: WebSendOptions = {},
  ): Promise<WebMessage | undefined> {
    return this.send({ chatId, text, options, message: echoOf(chatId, text, webMessageId()) });
  }

  async sendMedia(
    chatId: string,
    media: WebOutgoingMedia,
    options: WebSendOptions = {},
  ): Promise<WebMessage | undefined> {
    const caption = media.caption ?? '';
    return this.send({
      chatId,
      media,
      options,
      message: echoOf(chatId, caption, webMessageId(), { caption }),
    });
  }

  private async send(send: FakeSend): Promise<WebMessage> {
    this.sends.push(send);
    // As whatsapp-web.js does: the message is added to the chat (message_create) and the server acks it before the
    // page answers sendMessage.
    this.emit('message_create', send.message);
    this.emit('message_ack', send.message, WebAck.SERVER);
    await new Promise((resolve) => setImmediate(resolve));
    return send.message;
  }
}

/** The fake clients of every session, one per connection attempt, as the service creates them. */
export class FakeWebClients {
  readonly created: FakeWebClient[] = [];
  /** Applied to every new client (numbers registered, a failing start…). */
  private setup: (client: FakeWebClient) => void = () => undefined;

  readonly factory: WebClientFactory = ({ sessionId }) => {
    const client = new FakeWebClient(sessionId);
    this.setup(client);
    this.created.push(client);
    return client;
  };

  onCreate(setup: (client: FakeWebClient) => void): void {
    this.setup = setup;
  }

  /** The latest client of a session. */
  latest(sessionId: string): FakeWebClient {
    const client = [...this.created].reverse().find((candidate) => candidate.sessionId === sessionId);
    if (!client) throw new Error(`no WhatsApp Web client was created for ${sessionId}`);
    return client;
  }

  count(sessionId: string): number {
    return this.created.filter((client) => client.sessionId === sessionId).length;
  }
}
