import { waitFor } from '@ponte/testing';
import { OUR_WID } from '../testing/web-js.fixtures';
import { WhatsappHarness } from '../testing/whatsapp.harness';
import { WebSessionController } from './web-session.controller';

const ADMIN_TOKEN = 'admin-token-for-the-sessions-api';
const AUTHORIZED = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The sessions over real HTTP, their states on Kafka and in /health/ready; WhatsApp Web played by fake clients. */
describe(WebSessionController.name, () => {
  let sut: WhatsappHarness;

  beforeAll(async () => {
    sut = await WhatsappHarness.start({
      env: {
        WHATSAPP_WEB_SESSIONS: 'suporte,vendas',
        WHATSAPP_WEB_GROUPS: 'vendas=*',
        WHATSAPP_WEB_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    });
    await sut.webClient('suporte');
    await sut.webClient('vendas');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should show the QR code to pair a session, over HTTP and on Kafka as `pairing`', async () => {
    (await sut.webClient('suporte')).emit('qr', '2@Xy7QkP0vNfZ3,aBcD,eFgH,iJkL,1');

    const qr = await sut.http('GET', '/sessions/suporte/qr', AUTHORIZED);

    expect(qr).toEqual({
      status: 200,
      body: { id: 'suporte', qr: '2@Xy7QkP0vNfZ3,aBcD,eFgH,iJkL,1', receivedAt: expect.any(String) },
    });
    expect(await sut.channelState('web:suporte', 'pairing')).toMatchObject({
      channel: 'whatsapp',
      reason: 'scan the QR code with WhatsApp → Linked devices',
    });
    expect(await sut.channelState('web:suporte', 'connecting', /^starting WhatsApp Web$/)).toBeDefined();
  });

  it('should list the sessions with their state, account and groups', async () => {
    await sut.connectWeb('suporte');

    const list = await sut.http('GET', '/sessions', AUTHORIZED);

    expect(list).toEqual({
      status: 200,
      body: {
        sessions: [
          {
            id: 'suporte',
            channelAccountId: 'web:suporte',
            state: 'connected',
            since: expect.any(String),
            account: OUR_WID,
            failures: 0,
            qr: false,
            groups: [],
          },
          {
            id: 'vendas',
            channelAccountId: 'web:vendas',
            state: 'connecting',
            reason: 'starting WhatsApp Web',
            since: expect.any(String),
            failures: 0,
            qr: false,
            groups: 'all',
          },
        ],
      },
    });
    expect(await sut.channelState('web:suporte', 'connected')).toBeDefined();
  });

  it('should answer 409 for the QR code of a connected session and 404 for an unknown one', async () => {
    await sut.connectWeb('suporte');

    expect((await sut.http('GET', '/sessions/suporte/qr', AUTHORIZED)).status).toBe(409);
    expect((await sut.http('GET', '/sessions/marketing/qr', AUTHORIZED)).status).toBe(404);
  });

  it('should refuse the sessions API without the admin token', async () => {
    expect((await sut.http('GET', '/sessions')).status).toBe(401);
    expect((await sut.http('GET', '/sessions/suporte/qr', { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
  });

  it('should stay ready while a session pairs, report a lost session, and be ready again once it is restarted', async () => {
    await sut.connectWeb('suporte');
    (await sut.webClient('vendas')).emit('qr', '2@vendas');
    const ready = await sut.http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: {
        kafka: { status: 'up' },
        'whatsapp-web': {
          status: 'up',
          sessions: { suporte: { state: 'connected' }, vendas: { state: 'pairing' } },
        },
      },
    });

    // The phone unlinks the device.
    (await sut.webClient('suporte')).emit('disconnected', 'LOGOUT');

    expect(await sut.channelState('web:suporte', 'lost')).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: 'web:suporte',
      reason: 'logged out from the phone (LOGOUT)',
    });
    const notReady = await sut.http('GET', '/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      status: 'error',
      error: {
        'whatsapp-web': {
          status: 'down',
          sessions: { suporte: { state: 'lost', reason: 'logged out from the phone (LOGOUT)' } },
        },
      },
      info: { kafka: { status: 'up' }, mongodb: { status: 'up' } },
    });
    const clients = sut.web.count('suporte');

    const restarted = await sut.http('POST', '/sessions/suporte/restart', AUTHORIZED);

    expect(restarted).toMatchObject({ status: 202, body: { state: 'connecting', failures: 0 } });
    await waitFor(() => sut.web.count('suporte') === clients + 1, { description: 'a new client' });
    await sut.connectWeb('suporte');
    expect((await sut.http('GET', '/health/ready')).status).toBe(200);
  });
});
