import { Logger } from '@nestjs/common';
import type { ChannelAccountState } from '@ponte/contracts';
import type { WebSessionSettings } from '../config/whatsapp.config';
import { webChannelAccountId } from './web-account';
import type { WebClient, WebClientFactory, WebMessage } from './web-client.port';
import { isGroupChat, type WebChatPolicy } from './web-message.normalizer';
import { WebSendTracker } from './web-send.tracker';

export interface WebSessionOptions {
  /** Reconnects after a failure before the session is `lost`. */
  reconnectAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long an attempt may take to show a QR code or become ready. */
  connectTimeoutMs: number;
}

export interface WebSessionSnapshot {
  id: string;
  channelAccountId: string;
  state: ChannelAccountState;
  reason?: string;
  since: Date;
  /** The QR code to scan while pairing (it changes every 20 s or so). */
  qr?: { value: string; receivedAt: Date };
  /** Failed attempts since the session was last connected. */
  failures: number;
  /** Our WhatsApp id, once connected. */
  account?: string;
}

/** What the chat of a session sends our way, in the order whatsapp-web.js emits it. */
export type WebSessionEvent =
  | { type: 'message'; message: WebMessage }
  | { type: 'ack'; message: WebMessage; ack: number }
  | { type: 'edit'; message: WebMessage; newBody: string }
  | { type: 'revoke'; message: WebMessage; revoked?: WebMessage | null };

export interface WebSessionListener {
  stateChanged(session: WebSession, snapshot: WebSessionSnapshot): void;
  event(session: WebSession, event: WebSessionEvent): void;
}

export type DisconnectVerdict = { lost: boolean; reason: string };

/**
 * What a `disconnected` reason means: an operator is needed (`lost`), or reconnecting may help. whatsapp-web.js
 * emits `LOGOUT` when the phone unlinked the device, a WhatsApp Web state (`WAState`) when the connection dropped,
 * and `Max qrcode retries reached` when nobody paired in time.
 */
export function disconnectVerdictOf(reason: string): DisconnectVerdict {
  switch (reason) {
    case 'LOGOUT':
    case 'UNPAIRED':
    case 'UNPAIRED_IDLE':
      return { lost: true, reason: `logged out from the phone (${reason})` };
    case 'TOS_BLOCK':
    case 'SMB_TOS_BLOCK':
      return { lost: true, reason: `WhatsApp blocked this number (${reason})` };
    case 'DEPRECATED_VERSION':
      return {
        lost: true,
        reason: 'WhatsApp Web refuses this version of whatsapp-web.js (DEPRECATED_VERSION): upgrade it',
      };
    case 'Max qrcode retries reached':
      return { lost: true, reason: 'nobody scanned the QR code (WHATSAPP_WEB_QR_MAX_RETRIES reached)' };
    case 'CONFLICT':
      return { lost: false, reason: 'WhatsApp Web was opened on another computer (CONFLICT)' };
    default:
      return { lost: false, reason: `disconnected (${reason})` };
  }
}

/**
 * One whatsapp-web.js session and its connection's life: `connecting` (starting, or reconnecting within the retry
 * budget), `pairing` (a QR code waits to be scanned), `connected`, `lost` (logged out, blocked, or the budget spent:
 * an operator must act, see POST /sessions/:id/restart). Reconnects back off exponentially up to a ceiling. Each
 * attempt gets a new client; events of a retired client are dropped.
 */
export class WebSession implements WebChatPolicy {
  readonly tracker = new WebSendTracker();
  readonly channelAccountId: string;
  private readonly logger = new Logger(WebSession.name);
  private generation = 0;
  private client: WebClient | undefined;
  private stopped = true;
  private state: ChannelAccountState = 'connecting';
  private reason: string | undefined = 'not started';
  private since = new Date();
  private qr: { value: string; receivedAt: Date } | undefined;
  private failures = 0;
  private account: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly settings: WebSessionSettings,
    private readonly factory: WebClientFactory,
    private readonly options: WebSessionOptions,
    private readonly listener: WebSessionListener,
  ) {
    this.channelAccountId = webChannelAccountId(settings.id);
  }

  get id(): string {
    return this.settings.id;
  }

  snapshot(): WebSessionSnapshot {
    return {
      id: this.id,
      channelAccountId: this.channelAccountId,
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
      since: this.since,
      ...(this.qr ? { qr: this.qr } : {}),
      failures: this.failures,
      ...(this.account ? { account: this.account } : {}),
    };
  }

  /** The client while connected; sending needs one. */
  connectedClient(): WebClient | undefined {
    return this.state === 'connected' ? this.client : undefined;
  }

  /** Our own ids, to tell our messages in a quote. */
  ownIds(): string[] {
    return this.account ? [this.account] : [];
  }

  groupAllowed(groupId: string): boolean {
    const groups = this.settings.groups;
    return isGroupChat(groupId) && (groups === 'all' || groups.has(groupId));
  }

  /** Starts connecting with a fresh retry budget. */
  start(): void {
    this.stopped = false;
    this.failures = 0;
    this.connect('starting WhatsApp Web');
  }

  /** An operator's restart: whatever the state, a new client and a fresh retry budget. */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.retire();
  }

  private connect(reason: string): void {
    const generation = ++this.generation;
    this.transition('connecting', reason);
    let client: WebClient;
    try {
      client = this.factory({ sessionId: this.id });
    } catch (error) {
      this.fail(generation, `could not create the WhatsApp Web client: ${describe(error)}`);
      return;
    }
    this.client = client;
    this.listen(client, generation);
    this.armConnectTimer(generation);
    client.initialize().catch((error: unknown) => {
      this.fail(generation, `WhatsApp Web did not start: ${describe(error)}`);
    });
  }

  private listen(client: WebClient, generation: number): void {
    const current = (): boolean => generation === this.generation && !this.stopped;
    client.on('qr', (qr) => {
      if (!current()) return;
      this.clearConnectTimer();
      this.qr = { value: qr, receivedAt: new Date() };
      // In the logs too, for a first pairing without HTTP access. Scanning links the scanner's own phone to this
      // session; the code opens no existing account.
      this.logger.warn(
        { sessionId: this.id, qr },
        'WhatsApp Web session waits to be paired: render this QR code (or GET /sessions/:id/qr) and scan it ' +
          'with WhatsApp → Linked devices',
      );
      this.transition('pairing', 'scan the QR code with WhatsApp → Linked devices');
    });
    client.on('authenticated', () => {
      if (!current()) return;
      this.qr = undefined;
      this.armConnectTimer(generation);
      this.transition('connecting', 'paired, loading the chats');
    });
    client.on('ready', () => {
      if (!current()) return;
      this.clearConnectTimer();
      this.failures = 0;
      this.qr = undefined;
      this.account = client.ownId();
      this.transition('connected', undefined);
    });
    client.on('auth_failure', (message) => {
      if (!current()) return;
      this.lose(generation, `the saved session was refused (${message}): pair again`);
    });
    client.on('disconnected', (reason) => {
      if (!current()) return;
      const verdict = disconnectVerdictOf(String(reason));
      if (verdict.lost) this.lose(generation, verdict.reason);
      else this.fail(generation, verdict.reason);
    });
    client.on('change_state', (state) => {
      if (current()) this.logger.debug({ sessionId: this.id, waState: state }, 'WhatsApp Web state changed');
    });
    client.on('message_create', (message) => {
      if (current()) this.listener.event(this, { type: 'message', message });
    });
    client.on('message_ack', (message, ack) => {
      if (current()) this.listener.event(this, { type: 'ack', message, ack });
    });
    client.on('message_edit', (message, newBody) => {
      if (current()) this.listener.event(this, { type: 'edit', message, newBody: String(newBody) });
    });
    client.on('message_revoke_everyone', (message, revoked) => {
      if (current()) this.listener.event(this, { type: 'revoke', message, revoked: revoked ?? null });
    });
  }

  /** A failed attempt: reconnect after a backoff, or give up once the budget is spent. */
  private fail(generation: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    void this.retire();
    this.failures += 1;
    const budget = this.options.reconnectAttempts;
    if (this.failures > budget) {
      this.transition('lost', `gave up after ${budget} reconnects: ${reason}`);
      return;
    }
    const delayMs = Math.min(
      this.options.initialBackoffMs * 2 ** (this.failures - 1),
      this.options.maxBackoffMs,
    );
    const retry = `${reason}; reconnect ${this.failures} of ${budget} in ${delayMs} ms`;
    this.transition('connecting', retry);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.connect(retry);
    }, delayMs);
    this.retryTimer.unref();
  }

  private lose(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    void this.retire();
    this.transition('lost', reason);
  }

  /** Drops the current client: its events are ignored from now on and its browser is closed. */
  private async retire(): Promise<void> {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.clearConnectTimer();
    this.qr = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.destroy().catch((error: unknown) => {
      this.logger.warn({ sessionId: this.id, err: error }, 'could not close the WhatsApp Web browser');
    });
  }

  private armConnectTimer(generation: number): void {
    this.clearConnectTimer();
    const timeoutMs = this.options.connectTimeoutMs;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = undefined;
      this.fail(generation, `WhatsApp Web neither showed a QR code nor became ready within ${timeoutMs} ms`);
    }, timeoutMs);
    this.connectTimer.unref();
  }

  private clearConnectTimer(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private transition(state: ChannelAccountState, reason: string | undefined): void {
    if (state === this.state && reason === this.reason) return;
    this.state = state;
    this.reason = reason;
    this.since = new Date();
    if (state === 'lost') this.account = undefined;
    this.listener.stateChanged(this, this.snapshot());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
