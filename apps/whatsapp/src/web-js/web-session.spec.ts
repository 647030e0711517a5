import { Logger } from '@nestjs/common';
import { waitFor } from '@ponte/testing';
import { FakeWebClients } from '../testing/fake-web.client';
import { OUR_WID, webMessage } from '../testing/web-js.fixtures';
import {
  disconnectVerdictOf,
  WebSession,
  type WebSessionEvent,
  type WebSessionOptions,
  type WebSessionSnapshot,
} from './web-session';

const OPTIONS: WebSessionOptions = {
  reconnectAttempts: 2,
  initialBackoffMs: 5,
  maxBackoffMs: 20,
  connectTimeoutMs: 60_000,
};

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe(WebSession.name, () => {
  let clients: FakeWebClients;
  let states: WebSessionSnapshot[];
  let events: WebSessionEvent[];
  let sut: WebSession;

  function build(options: Partial<WebSessionOptions> = {}): WebSession {
    return new WebSession(
      { id: 'suporte', groups: new Set(['120363025555555555@g.us']) },
      clients.factory,
      { ...OPTIONS, ...options },
      {
        stateChanged: (_, snapshot) => states.push(snapshot),
        event: (_, event) => events.push(event),
      },
    );
  }

  beforeEach(() => {
    clients = new FakeWebClients();
    states = [];
    events = [];
    sut = build();
  });

  afterEach(async () => {
    await sut.stop();
  });

  function stateNames(): string[] {
    return states.map((state) => state.state);
  }

  it('should go through pairing to connected, keeping the QR code only while pairing', () => {
    sut.start();
    const client = clients.latest('suporte');

    client.emit('qr', '2@first');
    client.emit('qr', '2@second');
    expect(sut.snapshot()).toMatchObject({ state: 'pairing', qr: { value: '2@second' } });
    client.emit('authenticated');
    client.emit('ready');

    expect(stateNames()).toEqual(['connecting', 'pairing', 'connecting', 'connected']);
    expect(sut.snapshot()).toMatchObject({ state: 'connected', account: OUR_WID, failures: 0 });
    expect(sut.snapshot().qr).toBeUndefined();
    expect(sut.connectedClient()).toBe(client);
    expect(sut.channelAccountId).toBe('web:suporte');
  });

  it('should be lost, without reconnecting, when the phone logs the session out', async () => {
    sut.start();
    const client = clients.latest('suporte');
    client.pair();

    client.emit('disconnected', 'LOGOUT');

    expect(sut.snapshot()).toMatchObject({ state: 'lost', reason: 'logged out from the phone (LOGOUT)' });
    expect(sut.connectedClient()).toBeUndefined();
    await waitFor(() => client.destroyed === 1, { description: 'the browser closed' });
    expect(clients.count('suporte')).toBe(1);
  });

  it('should reconnect with a growing backoff and be lost once the retry budget is spent', async () => {
    sut.start();
    clients.latest('suporte').emit('disconnected', 'CONFLICT');
    expect(sut.snapshot()).toMatchObject({
      state: 'connecting',
      reason: 'WhatsApp Web was opened on another computer (CONFLICT); reconnect 1 of 2 in 5 ms',
    });
    await waitFor(() => clients.count('suporte') === 2, { description: 'the first reconnect' });
    clients.latest('suporte').emit('disconnected', 'TIMEOUT');
    expect(sut.snapshot().reason).toBe('disconnected (TIMEOUT); reconnect 2 of 2 in 10 ms');
    await waitFor(() => clients.count('suporte') === 3, { description: 'the second reconnect' });

    clients.latest('suporte').emit('disconnected', 'TIMEOUT');

    expect(sut.snapshot()).toMatchObject({
      state: 'lost',
      reason: 'gave up after 2 reconnects: disconnected (TIMEOUT)',
      failures: 3,
    });
    expect(clients.count('suporte')).toBe(3);
  });

  it('should count a browser that does not start as a failed attempt', async () => {
    clients.onCreate((client) => {
      client.failInitialize = new Error(
        'Failed to launch the browser process! spawn /usr/bin/chromium ENOENT',
      );
    });
    sut = build({ reconnectAttempts: 1 });

    sut.start();

    const lost = await waitFor(() => states.find((state) => state.state === 'lost'), { description: 'lost' });
    expect(lost.reason).toBe(
      'gave up after 1 reconnects: WhatsApp Web did not start: Failed to launch the browser process! spawn /usr/bin/chromium ENOENT',
    );
    expect(clients.count('suporte')).toBe(2);
  });

  it('should reset the budget once connected again', async () => {
    sut.start();
    clients.latest('suporte').emit('disconnected', 'TIMEOUT');
    await waitFor(() => clients.count('suporte') === 2, { description: 'a reconnect' });

    clients.latest('suporte').pair();

    expect(sut.snapshot()).toMatchObject({ state: 'connected', failures: 0 });
  });

  it('should give up an attempt that neither shows a QR code nor becomes ready in time', async () => {
    sut = build({ connectTimeoutMs: 10, reconnectAttempts: 0 });

    sut.start();

    const lost = await waitFor(() => states.find((state) => state.state === 'lost'), { description: 'lost' });
    expect(lost.reason).toBe(
      'gave up after 0 reconnects: WhatsApp Web neither showed a QR code nor became ready within 10 ms',
    );
  });

  it('should pass on chat events of the current client only', async () => {
    sut.start();
    const first = clients.latest('suporte');
    first.pair();
    const message = webMessage('text');
    first.emit('message_create', message);
    first.emit('message_ack', message, 2);
    first.emit('message_edit', message, 'novo texto', 'texto antigo');
    first.emit('message_revoke_everyone', message, null);
    first.emit('disconnected', 'TIMEOUT');
    await waitFor(() => clients.count('suporte') === 2, { description: 'a reconnect' });

    first.emit('message_create', webMessage('vcard'));
    first.emit('ready');

    expect(events.map((event) => event.type)).toEqual(['message', 'ack', 'edit', 'revoke']);
    expect(sut.snapshot().state).toBe('connecting');
  });

  it('should start afresh when an operator restarts a lost session', async () => {
    sut.start();
    clients.latest('suporte').emit('auth_failure', 'session restore failed');
    expect(sut.snapshot()).toMatchObject({
      state: 'lost',
      reason: 'the saved session was refused (session restore failed): pair again',
    });

    await sut.restart();

    expect(clients.count('suporte')).toBe(2);
    expect(sut.snapshot()).toMatchObject({ state: 'connecting', reason: 'starting WhatsApp Web' });
  });

  it('should publish only the groups configured for the session', () => {
    expect(sut.groupAllowed('120363025555555555@g.us')).toBe(true);
    expect(sut.groupAllowed('120363099999999999@g.us')).toBe(false);
  });
});

describe(disconnectVerdictOf.name, () => {
  it.each([
    ['LOGOUT', true],
    ['UNPAIRED', true],
    ['TOS_BLOCK', true],
    ['SMB_TOS_BLOCK', true],
    ['DEPRECATED_VERSION', true],
    ['Max qrcode retries reached', true],
    ['CONFLICT', false],
    ['TIMEOUT', false],
    ['UNLAUNCHED', false],
    ['PROXYBLOCK', false],
  ])('should tell whether %s needs an operator (%s)', (reason, lost) => {
    expect(disconnectVerdictOf(reason).lost).toBe(lost);
  });
});
